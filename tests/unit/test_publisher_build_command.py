"""The build phase's shell command: which arguments ``image-pipeline publish`` (and, in the batch of
``platforms``, ``image-pipeline assemble``) gets from CodeBuild's variables (CodeBuild user guide, "Environment
variables in build environments") and the project's parameters. A stand-in ``image-pipeline`` on PATH prints its
arguments; bash runs the command as the buildspec's ``env.shell`` says."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from aws_cdk import aws_codebuild as codebuild

from ecr_constructs.publisher.buildspec import batch_buildspec, buildspec
from ecr_constructs.publisher.platforms import default_arm_image, plan


def arguments(tmp_path: Path, **variables: str) -> list[str]:
    fake = tmp_path / "bin" / "image-pipeline"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    fake.chmod(0o755)
    spec = buildspec(install_commands=[], spec_json="{}")
    assert spec["env"]["shell"] == "bash"
    env = {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "CODEBUILD_SRC_DIR": "/src",
           "IMAGE_REPOSITORY": "team/app", "IMAGE_CONTEXT": ".", "IMAGE_TAGS": "", "PUBLISH_ARGS": "",
           "CODEBUILD_BUILD_NUMBER": "17", **variables}
    done = subprocess.run(["bash", "-c", "\n".join(spec["phases"]["build"]["commands"])], env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_the_image_is_tagged_with_the_first_seven_characters_of_the_resolved_source_version(tmp_path: Path) -> None:
    args = arguments(tmp_path, CODEBUILD_RESOLVED_SOURCE_VERSION="3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8")
    assert args == ["--spec", "/tmp/ecr-publisher-spec.json", "publish", "team/app", "--context", "/src/.",
                    "--tag", "3f2c1ab", "--json"]


def test_without_a_resolved_source_version_the_tag_is_the_build_number(tmp_path: Path) -> None:
    assert arguments(tmp_path)[6:8] == ["--tag", "build-17"]


def test_extra_tags_and_publish_args_are_passed_one_argument_each(tmp_path: Path) -> None:
    args = arguments(tmp_path, CODEBUILD_RESOLVED_SOURCE_VERSION="abcdef0123", IMAGE_TAGS="latest stable",
                     IMAGE_CONTEXT="services/api", PUBLISH_ARGS="--build-arg BASE=x --env prod")
    assert args[4:] == ["--context", "/src/services/api", "--tag", "abcdef0", "--tag", "latest", "--tag", "stable",
                        "--build-arg", "BASE=x", "--env", "prod", "--json"]


# The batch of PublisherProject(platforms=...): each build runs the install guard and the build phase's command
# with its PUBLISHER_STEP (the build graph's env/variables), as CodeBuild would.
def batch(tmp_path: Path, step: str, *, phases: tuple[str, ...] = ("install", "build"),
          **variables: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "image-pipeline").write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    (fake / "docker").write_text('#!/bin/sh\necho "docker $*"\n')
    for tool in fake.iterdir():
        tool.chmod(0o755)
    builds = plan(["linux/amd64", "linux/arm64"], x86_image=codebuild.LinuxBuildImage.STANDARD_7_0,
                  x86_compute_type=codebuild.ComputeType.SMALL, arm_image=default_arm_image(),
                  arm_compute_type=codebuild.ComputeType.SMALL)
    spec = batch_buildspec(install_commands=[], spec_json="{}", builds=builds)
    env = {"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "CODEBUILD_SRC_DIR": "/src",
           "IMAGE_REPOSITORY": "team/app", "IMAGE_CONTEXT": ".", "IMAGE_TAGS": "", "PUBLISH_ARGS": "",
           "IMAGE_TAG": "", "IMAGE_ENVIRONMENTS": "", "ASSEMBLE_ARGS": "", "CODEBUILD_BUILD_NUMBER": "17",
           "CODEBUILD_RESOLVED_SOURCE_VERSION": "3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8",
           **({"PUBLISHER_STEP": step} if step else {}), **variables}
    script = "\n".join(["set -e", *(c for phase in phases for c in spec["phases"][phase]["commands"])])
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)


def test_each_platform_build_publishes_its_platform_under_the_commit_tag_with_its_architecture(tmp_path: Path) -> None:
    for arch in ("amd64", "arm64"):
        done = batch(tmp_path, f"publish_{arch}")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["--spec", "/tmp/ecr-publisher-spec.json", "publish", "team/app",
                                            "--context", "/src/.", "--platform", f"linux/{arch}", "--tag",
                                            f"3f2c1ab-{arch}", "--json"]


def test_the_assembly_puts_the_index_over_both_platform_tags_under_the_commit_and_the_extra_tags(tmp_path: Path) -> None:
    done = batch(tmp_path, "assemble_index", IMAGE_TAGS="latest stable", PUBLISH_ARGS="--build-arg A=1",
                 ASSEMBLE_ARGS="--manifest-list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["--spec", "/tmp/ecr-publisher-spec.json", "assemble", "team/app",
                                        "--tag", "3f2c1ab", "--tag", "latest", "--tag", "stable",
                                        "--from", "3f2c1ab-amd64", "--from", "3f2c1ab-arm64", "--manifest-list",
                                        "--json"]


def test_image_environments_narrow_every_build_of_the_batch_alike(tmp_path: Path) -> None:
    for step in ("publish_amd64", "publish_arm64", "assemble_index"):
        args = batch(tmp_path, step, IMAGE_ENVIRONMENTS="dev prod").stdout.splitlines()
        assert [args[i + 1] for i, a in enumerate(args) if a == "--env"] == ["dev", "prod"], step


def test_image_tag_replaces_the_commit_as_the_tag_of_every_build(tmp_path: Path) -> None:
    assert "v1.4.0-arm64" in batch(tmp_path, "publish_arm64", IMAGE_TAG="v1.4.0").stdout.splitlines()
    assembled = batch(tmp_path, "assemble_index", IMAGE_TAG="v1.4.0").stdout.splitlines()
    assert assembled[4:10] == ["--tag", "v1.4.0", "--from", "v1.4.0-amd64", "--from", "v1.4.0-arm64"]


def test_without_a_commit_or_an_image_tag_a_build_stops_with_one_error_line(tmp_path: Path) -> None:
    """Build numbers differ between the builds of a batch, so they cannot name the tag all of them share."""
    done = batch(tmp_path, "publish_amd64", CODEBUILD_RESOLVED_SOURCE_VERSION="")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: IMAGE_TAG: empty, and the source has no commit (CODEBUILD_RESOLVED_SOURCE_VERSION): every build of "
        "the batch needs the same tag: start-build-batch --environment-variables-override "
        "name=IMAGE_TAG,value=TAG,type=PLAINTEXT"]


def test_a_build_started_outside_a_batch_stops_in_the_install_phase_with_one_error_line(tmp_path: Path) -> None:
    done = batch(tmp_path, "", phases=("install", "pre_build", "build"))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: PUBLISHER_STEP: '' is not a build of this batch (publish_amd64, publish_arm64, assemble_index): "
        "the project builds each platform natively, then the index: start it with aws codebuild start-build-batch"]


def test_only_the_platform_builds_ask_for_the_docker_engine(tmp_path: Path) -> None:
    """The assembly runs unprivileged, where CodeBuild starts no Docker daemon."""
    assert "docker version" in batch(tmp_path, "publish_arm64", phases=("pre_build",)).stdout
    assembly = batch(tmp_path, "assemble_index", phases=("pre_build",))
    assert assembly.returncode == 0 and "docker" not in assembly.stdout
