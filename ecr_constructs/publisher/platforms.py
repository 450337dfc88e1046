"""``PublisherProject(platforms=[...])``: one native build per platform, then the index, as one CodeBuild batch build.

Each platform is built on a build environment of its own architecture: ``linux/amd64`` on x86-64
(``LINUX_CONTAINER``), ``linux/arm64`` on Graviton (``ARM_CONTAINER``), both privileged for the Docker engine
(CodeBuild user guide: "Build environment compute modes and types"; Lambda compute cannot run Docker: "Run builds
on AWS Lambda compute"). Each publishes its platform's image under ``TAG-ARCH``; the last build depends on all of
them and only talks to registries, so it runs unprivileged on the smallest x86-64 environment and calls
``image-pipeline assemble``, which puts one index over them under ``TAG``.

The builds are the tasks of a ``batch/build-graph`` (CodeBuild user guide: "Batch build buildspec reference":
``identifier``, ``depend-on``, ``env/type``, ``env/image``, ``env/compute-type``, ``env/privileged-mode``,
``env/variables``), told apart by the variable ``PUBLISHER_STEP`` as AWS's own examples do. CodeBuild starts them
with a batch service role of their own ("Run builds in batches", Security role); its restrictions allow exactly
these builds and compute types. Why a batch rather than projects chained: docs/publisher.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_iam as iam

from ecr_spec.core.errors import Problems
from ecr_spec.model.publisher_platforms import NATIVE_PLATFORMS, check_platforms

STEP_VARIABLE = "PUBLISHER_STEP"
ASSEMBLE_STEP = "assemble_index"
ASSEMBLE_COMPUTE_TYPE = codebuild.ComputeType.SMALL  # the assembly moves manifests and missing blobs, no build
# The on-demand EC2 compute types, as CloudFormation and the buildspec name them (CodeBuild user guide, "Build
# environment compute modes and types"; aws-cdk-lib's ComputeType holds the same strings, which jsii does not
# hand to Python). Lambda compute cannot run Docker; fleets (attribute-based, custom instance types) are not
# described by a buildspec's compute type alone.
EC2_COMPUTE_TYPES = {codebuild.ComputeType.SMALL: "BUILD_GENERAL1_SMALL",
                     codebuild.ComputeType.MEDIUM: "BUILD_GENERAL1_MEDIUM",
                     codebuild.ComputeType.LARGE: "BUILD_GENERAL1_LARGE",
                     codebuild.ComputeType.X_LARGE: "BUILD_GENERAL1_XLARGE",
                     codebuild.ComputeType.X2_LARGE: "BUILD_GENERAL1_2XLARGE"}
# The environment type each platform needs (CodeBuild's ``environment.type``), by platform.
ENVIRONMENT_TYPES = {"linux/amd64": "LINUX_CONTAINER", "linux/arm64": "ARM_CONTAINER"}


@dataclass(frozen=True)
class BatchBuild:
    """One build of the batch: a platform's (``platform`` set, privileged for Docker) or the assembly's."""

    identifier: str
    image: codebuild.IBuildImage
    compute_type: codebuild.ComputeType
    platform: str | None = None
    depend_on: tuple[str, ...] = ()

    @property
    def arch(self) -> str:
        assert self.platform is not None
        return NATIVE_PLATFORMS[self.platform]

    def graph_entry(self) -> dict[str, Any]:
        """This build as a task of ``batch/build-graph``; every environment setting is explicit, none inherited."""
        entry: dict[str, Any] = {"identifier": self.identifier}
        if self.depend_on:
            entry["depend-on"] = list(self.depend_on)
        entry["env"] = {"type": self.image.type, "image": self.image.image_id,
                        "compute-type": EC2_COMPUTE_TYPES[self.compute_type],
                        "privileged-mode": self.platform is not None,
                        "variables": {STEP_VARIABLE: self.identifier}}
        return entry


def default_arm_image() -> codebuild.IBuildImage:
    """``aws/codebuild/amazonlinux-aarch64-standard:3.0``: CodeBuild's Amazon Linux 2023 image for Arm (Docker,
    Python 3, pip and the AWS CLI, as ``standard:7.0`` has on x86-64). Looked up only when asked for."""
    return codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0


def check_props(platforms: Sequence[str], *, x86_image: codebuild.IBuildImage,
                x86_compute_type: codebuild.ComputeType, arm_image: codebuild.IBuildImage,
                arm_compute_type: codebuild.ComputeType) -> tuple[tuple[str, ...], list[str]]:
    """The platforms, and one line per problem of the props that describe their builds."""
    problems = Problems()
    checked = check_platforms(platforms, "platforms", problems)
    lines = problems.lines
    wanted = {"linux/amd64": ("build_image", x86_image, "compute_type", x86_compute_type),
              "linux/arm64": ("arm_build_image", arm_image, "arm_compute_type", arm_compute_type)}
    for platform, (image_prop, image, compute_prop, compute_type) in wanted.items():
        if platform not in checked:
            continue
        if image.type != ENVIRONMENT_TYPES[platform]:
            lines.append(f"{image_prop}: {image.image_id!r} is a {image.type} image; {platform} is built natively "
                         f"on {ENVIRONMENT_TYPES[platform]}")
        if compute_type not in EC2_COMPUTE_TYPES:
            lines.append(f"{compute_prop}: ComputeType.{compute_type.name} cannot build {platform} with Docker in a "
                         "batch: use an on-demand EC2 compute type (ComputeType.SMALL, MEDIUM, LARGE, X_LARGE, "
                         "X2_LARGE); Lambda compute cannot run Docker (CodeBuild user guide, \"Limitations of AWS "
                         "Lambda compute\")")
    return checked, lines


def plan(platforms: Sequence[str], *, x86_image: codebuild.IBuildImage, x86_compute_type: codebuild.ComputeType,
         arm_image: codebuild.IBuildImage, arm_compute_type: codebuild.ComputeType) -> list[BatchBuild]:
    """One build per platform, in the order given, then the assembly, which depends on all of them."""
    builds = []
    for platform in platforms:
        arm = platform == "linux/arm64"
        builds.append(BatchBuild(f"publish_{NATIVE_PLATFORMS[platform]}", arm_image if arm else x86_image,
                                 arm_compute_type if arm else x86_compute_type, platform))
    return [*builds, BatchBuild(ASSEMBLE_STEP, x86_image, ASSEMBLE_COMPUTE_TYPE,
                                depend_on=tuple(b.identifier for b in builds))]


def enable_batch(project: codebuild.Project, builds: Sequence[BatchBuild]) -> iam.IRole:
    """Batch builds for ``project``: the L2's batch service role (``codebuild:StartBuild``, ``StopBuild``,
    ``RetryBuild`` on this project only), restricted to ``builds``' number and compute types, so that neither a
    buildspec override nor the builds themselves can start more or larger builds. Returns that role."""
    config = project.enable_batch_builds()
    assert config is not None
    cfn = project.node.default_child
    assert isinstance(cfn, codebuild.CfnProject)
    cfn.add_property_override("BuildBatchConfig.Restrictions", {
        "MaximumBuildsAllowed": len(builds),
        "ComputeTypesAllowed": sorted({EC2_COMPUTE_TYPES[b.compute_type] for b in builds})})
    return config.role
