"""The build phase's shell command: which arguments ``image-pipeline publish`` gets from CodeBuild's variables
(CodeBuild user guide, "Environment variables in build environments") and the project's parameters. A stand-in
``image-pipeline`` on PATH prints its arguments; bash runs the command as the buildspec's ``env.shell`` says."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ecr_constructs.publisher import buildspec


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
