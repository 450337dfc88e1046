"""The publisher's buildspecs (version 0.2, ``env.shell: bash``) and the shell commands in them: one image per
build (``buildspec``), or a batch that builds each platform natively and then the index (``batch_buildspec``).

Parameters are environment variables (see ``PublisherProject``): the project sets their defaults;
``start-build --environment-variables-override`` changes them per build. The spec image-pipeline reads travels
in the buildspec itself (``SPEC_VARIABLE``) and is written to ``SPEC_FILE`` before the build phase.
"""
from __future__ import annotations

from typing import Any, Sequence

from .platforms import ASSEMBLE_STEP, STEP_VARIABLE, BatchBuild

SPEC_VARIABLE = "ECR_PUBLISHER_SPEC"
SPEC_FILE = "/tmp/ecr-publisher-spec.json"
WRITE_SPEC = f'printf "%s" "${SPEC_VARIABLE}" > {SPEC_FILE}'
DOCKER_CHECK = "docker version --format 'docker engine {{.Server.Version}}'"
PIPELINE = f"image-pipeline --spec {SPEC_FILE}"
# Each word of IMAGE_TAGS becomes one --tag argument, each of IMAGE_ENVIRONMENTS one --env.
EXTRA_TAGS = '$(for t in $IMAGE_TAGS; do printf -- "--tag %s " "$t"; done)'
ENVIRONMENTS = '$(for e in $IMAGE_ENVIRONMENTS; do printf -- "--env %s " "$e"; done)'
# The batch's tag: every build of it must compute the same one, and build numbers differ between them.
BATCH_TAG = ('TAG="${IMAGE_TAG:-${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}}"; [ -n "$TAG" ] || { echo "error: '
             'IMAGE_TAG: empty, and the source has no commit (CODEBUILD_RESOLVED_SOURCE_VERSION): every build of the '
             'batch needs the same tag: start-build-batch --environment-variables-override '
             'name=IMAGE_TAG,value=TAG,type=PLAINTEXT" >&2; exit 1; }')


def buildspec(*, install_commands: Sequence[str], spec_json: str) -> dict[str, Any]:
    """The buildspec of one image per build, on the project's own build environment."""
    tags = ('SOURCE_TAG="${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}"; '
            'SOURCE_TAG="${SOURCE_TAG:-build-$CODEBUILD_BUILD_NUMBER}"')
    publish = (f'{PIPELINE} publish "$IMAGE_REPOSITORY" '
               '--context "$CODEBUILD_SRC_DIR/$IMAGE_CONTEXT" --tag "$SOURCE_TAG" '
               f'{EXTRA_TAGS} $PUBLISH_ARGS --json')
    return {
        "version": "0.2",
        "env": {"shell": "bash", "variables": {SPEC_VARIABLE: spec_json}},
        "phases": {
            "install": {"commands": list(install_commands)},
            "pre_build": {"commands": [WRITE_SPEC, DOCKER_CHECK]},
            "build": {"commands": [f"{tags}; {publish}"]},
        },
    }


def _not_a_step(builds: Sequence[BatchBuild]) -> str:
    """The error line (and exit) of a build that is not one of the batch's: a plain ``start-build``."""
    return (f'echo "error: {STEP_VARIABLE}: \'${STEP_VARIABLE}\' is not a build of this batch '
            f'({", ".join(b.identifier for b in builds)}): the project builds each platform natively, then the '
            'index: start it with aws codebuild start-build-batch" >&2; exit 1')


def step_command(build: BatchBuild, builds: Sequence[BatchBuild]) -> str:
    """What one build of the batch runs: a platform's image under ``TAG-ARCH``, or the index over all of them
    under ``TAG`` (and ``IMAGE_TAGS``)."""
    if build.platform is not None:
        return (f'{PIPELINE} publish "$IMAGE_REPOSITORY" --context "$CODEBUILD_SRC_DIR/$IMAGE_CONTEXT" '
                f'--platform {build.platform} --tag "$TAG-{build.arch}" {ENVIRONMENTS} $PUBLISH_ARGS --json')
    children = " ".join(f'--from "$TAG-{b.arch}"' for b in builds if b.platform is not None)
    return (f'{PIPELINE} assemble "$IMAGE_REPOSITORY" --tag "$TAG" {EXTRA_TAGS} {children} {ENVIRONMENTS} '
            '$ASSEMBLE_ARGS --json')


def batch_buildspec(*, install_commands: Sequence[str], spec_json: str,
                    builds: Sequence[BatchBuild]) -> dict[str, Any]:
    """The buildspec of a batch build (``batch/build-graph``): ``builds`` with their environments, and the phases
    every one of them runs, each doing its own step (``PUBLISHER_STEP``). A build outside a batch stops at once."""
    steps = "|".join(b.identifier for b in builds)
    guard = f'case "${STEP_VARIABLE}" in {steps}) ;; *) {_not_a_step(builds)} ;; esac'
    cases = "".join(f"{b.identifier}) {step_command(b, builds)} ;;\n" for b in builds)
    return {
        # A number, as the buildspec reference writes it: a batch build refuses the string "0.2" that plain builds
        # accept ("cannot unmarshal !!str `0.2` into float64": aws/aws-cdk#29592, #21227).
        "version": 0.2,
        "env": {"shell": "bash", "variables": {SPEC_VARIABLE: spec_json}},
        "batch": {"fast-fail": True, "build-graph": [b.graph_entry() for b in builds]},
        "phases": {
            "install": {"commands": [guard, *install_commands]},
            # the assembly runs unprivileged: it has no Docker engine to ask
            "pre_build": {"commands": [WRITE_SPEC, f'[ "${STEP_VARIABLE}" = {ASSEMBLE_STEP} ] || {DOCKER_CHECK}']},
            "build": {"commands": [f'{BATCH_TAG}\ncase "${STEP_VARIABLE}" in\n{cases}*) {_not_a_step(builds)} ;;\n'
                                   "esac"]},
        },
    }
