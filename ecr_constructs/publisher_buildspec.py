"""The publisher's buildspecs (version 0.2, ``env.shell: bash``) and the shell commands in them.

Parameters are environment variables (see ``PublisherProject``): the project sets their defaults;
``start-build --environment-variables-override`` changes them per build. The spec image-pipeline reads travels
in the buildspec itself (``SPEC_VARIABLE``) and is written to ``SPEC_FILE`` before the build phase.
"""
from __future__ import annotations

from typing import Any, Sequence

SPEC_VARIABLE = "ECR_PUBLISHER_SPEC"
SPEC_FILE = "/tmp/ecr-publisher-spec.json"
WRITE_SPEC = f'printf "%s" "${SPEC_VARIABLE}" > {SPEC_FILE}'
DOCKER_CHECK = "docker version --format 'docker engine {{.Server.Version}}'"
PIPELINE = f"image-pipeline --spec {SPEC_FILE}"
# Each word of IMAGE_TAGS becomes one --tag argument.
EXTRA_TAGS = '$(for t in $IMAGE_TAGS; do printf -- "--tag %s " "$t"; done)'


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
