"""The synthesized CodeBuild publisher, run against the sandbox: the buildspec's own commands, in a shell with
CodeBuild's documented environment variables, publish the example application to every destination; with
``publisher.platforms``, the batch's three builds (each platform natively, then the assembly) leave one image index
in every destination.

What stands in for CodeBuild (CodeBuild user guide: "Build specification reference" for version 0.2, "Environment
variables in build environments" for CODEBUILD_SRC_DIR, CODEBUILD_RESOLVED_SOURCE_VERSION, AWS_REGION, ...):

- the phases' commands run in order in one bash (``env.shell: bash``; "Shells and commands in build
  environments": version 0.2 no longer runs each command in its own shell instance), in ``CODEBUILD_SRC_DIR``,
  stopping at the first failing command, as a phase does;
- the project's environment variables come from the template, the start-build overrides are ``PUBLISH_ARGS``
  (the sandbox's offline base image) and nothing else;
- the build role's credentials are the CI account's sandbox profile; the other account is reached only through
  the ``publish_role_arn`` the spec gives it (no profile template is set);
- the build image's Python is a fresh virtualenv that sees the project's pinned dependencies and has no package
  index (this machine is offline), so ``pip install`` builds the downloaded source archive without network;
- the source archive is the synthesized S3 asset, uploaded to the CI account's bootstrap bucket in moto as
  ``cdk deploy`` would: the install phase downloads it with ``aws s3 cp`` unchanged.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "docker-in-aws/todobackend"
CI = ("111111111111", "us-east-1")


def synthesize(out: Path, **publisher: Any) -> Path:
    """The deployable app (``build_registry``, as app.py runs it) for cdk.json's spec plus a publisher in dev (and
    more ``publisher`` keys); returns cdk.out."""
    import aws_cdk as cdk

    from ecr_constructs import build_registry

    raw = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    raw["publisher"] = {"environment": "dev", "repositories": [REPOSITORY], **publisher}
    app = cdk.App(outdir=str(out))
    build_registry(app, raw)
    app.synth()
    return out


def codebuild_project(assembly: Path) -> tuple[dict, dict[str, str]]:
    template = json.loads((assembly / "ecr-dev-us-east-1.template.json").read_text())
    (project,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CodeBuild::Project"]
    variables = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert all(isinstance(v, str) for v in variables.values()), variables
    return json.loads(project["Source"]["BuildSpec"]), variables


def upload_source_asset(assembly: Path, url: str, sandbox) -> None:  # type: ignore[no-untyped-def]
    """What `cdk deploy` does with the file asset: zip the staged folder, put it at its bucket and key."""
    import boto3

    manifest = json.loads((assembly / "ecr-dev-us-east-1.assets.json").read_text())
    (staged,) = [f["source"]["path"] for f in manifest["files"].values() if f["source"].get("packaging") == "zip"]
    archive = shutil.make_archive(str(assembly / "source"), "zip", assembly / staged)
    bucket, key = url.removeprefix("s3://").split("/", 1)
    s3 = boto3.Session(profile_name=sandbox.profile(CI[0]), region_name=CI[1]).client("s3")
    s3.upload_file(archive, bucket, key)


def build_image_python(where: Path) -> Path:
    """A fresh virtualenv standing in for the build image's python3/pip; returns its bin directory."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    site = next(where.glob("lib/python3*/site-packages"))
    (site / "build_image.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return where / "bin"


def script(buildspec: dict) -> str:
    lines = ["set -e"]
    for phase in ("install", "pre_build", "build", "post_build"):
        lines += buildspec["phases"].get(phase, {}).get("commands", [])
    return "\n".join(lines) + "\n"


def codebuild_env(sandbox, buildspec: dict, variables: dict[str, str], python_bin: Path, source: Path,  # type: ignore[no-untyped-def]
                  commit: str) -> dict[str, str]:
    """A build's environment: the sandbox's, the build image's Python first, the buildspec's and the project's
    variables, and what CodeBuild sets."""
    from ecr_sandbox import api

    env = api.process_env(sandbox, ROOT)
    for name in ("IMAGE_PIPELINE_PROFILE_TEMPLATE", "PYTHONPATH", "ECR_SPEC"):
        env.pop(name, None)
    project_tools = str(ROOT / ".venv" / "bin")  # the aws CLI stays reachable; image-pipeline comes from pip
    env["PATH"] = os.pathsep.join([str(python_bin), *(p for p in env["PATH"].split(os.pathsep) if p != project_tools),
                                   project_tools])
    build_id = f"ecr-publisher:{uuid.uuid4()}"
    env.update(buildspec["env"]["variables"])
    env.update(variables)
    env.update({
        "AWS_PROFILE": sandbox.profile(CI[0]),  # the build role's credentials
        "AWS_REGION": CI[1], "AWS_DEFAULT_REGION": CI[1],
        "CODEBUILD_SRC_DIR": str(source), "CODEBUILD_RESOLVED_SOURCE_VERSION": commit,
        "CODEBUILD_SOURCE_VERSION": commit, "CODEBUILD_BUILD_ID": build_id, "CODEBUILD_BUILD_NUMBER": "1",
        "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{CI[1]}:{CI[0]}:build/{build_id}",
        "CODEBUILD_INITIATOR": "e2e", "CODEBUILD_BUILD_IMAGE": "aws/codebuild/standard:7.0",
        "CODEBUILD_BUILD_SUCCEEDING": "1",
        "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",  # the offline build image (see the docstring)
    })
    return env


@pytest.fixture(scope="module")
def build(deployed_sandbox, tmp_path_factory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("codebuild")
    assembly = synthesize(work / "cdk.out")
    buildspec, variables = codebuild_project(assembly)
    upload_source_asset(assembly, variables["PUBLISHER_SOURCE"], deployed_sandbox)
    source = work / "src"
    shutil.copytree(ROOT / "examples" / "todobackend", source)
    commit = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    env = codebuild_env(deployed_sandbox, buildspec, variables, build_image_python(work / "build-image"), source,
                        commit)
    env["PUBLISH_ARGS"] = f"--build-arg BASE_IMAGE={deployed_sandbox.base_image}"  # a start-build override
    done = subprocess.run(["bash", "-c", script(buildspec)], cwd=source, env=env, capture_output=True, text=True,
                          timeout=900)
    return done, commit[:7]


def test_the_buildspec_commands_run_to_the_end(build) -> None:  # type: ignore[no-untyped-def]
    done, _ = build
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]


def test_the_build_publishes_the_commit_tag_to_every_destination_with_one_digest(build, ecr) -> None:  # type: ignore[no-untyped-def]
    done, tag = build
    assert done.returncode == 0, done.stderr[-5000:]
    document = json.loads(done.stdout[done.stdout.index("{"):])  # after the pre_build's `docker version` line
    rows = document["destinations"]
    assert {(r["account"], r["region"]) for r in rows} == {
        ("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1")}
    assert {r["status"] for r in rows} == {"pushed"} and {tuple(r["tags"]) for r in rows} == {(tag,)}
    digests = set()
    for row in rows:
        images = ecr(row["account"], row["region"]).describe_images(
            repositoryName=REPOSITORY, imageIds=[{"imageTag": tag}])["imageDetails"]
        assert len(images) == 1 and tag in images[0]["imageTags"]
        digests.add(images[0]["imageDigest"])
    assert digests == {rows[0]["digest"]}


# PublisherProject(platforms=...): the batch's builds, each in a fresh build image with its task's variables, in the
# graph's order (the two platform builds, then the assembly), on a FROM scratch context (no RUN step, so building
# linux/arm64 here needs no emulation).


@pytest.fixture(scope="module")
def batch(deployed_sandbox, tmp_path_factory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("codebuild-batch")
    assembly = synthesize(work / "cdk.out", platforms=["linux/amd64", "linux/arm64"])
    buildspec, variables = codebuild_project(assembly)
    upload_source_asset(assembly, variables["PUBLISHER_SOURCE"], deployed_sandbox)
    source = work / "src"
    source.mkdir()
    (source / "release").write_text(uuid.uuid4().hex)
    (source / "Dockerfile").write_text("FROM scratch\nCOPY release /release\n")
    commit = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    done = {}
    for task in buildspec["batch"]["build-graph"]:
        env = codebuild_env(deployed_sandbox, buildspec, variables, build_image_python(work / task["identifier"]),
                            source, commit)
        env.update(task["env"]["variables"])
        env.update({"CODEBUILD_BATCH_BUILD_IDENTIFIER": task["identifier"], "IMAGE_TAGS": "latest"})
        done[task["identifier"]] = subprocess.run(["bash", "-c", script(buildspec)], cwd=source, env=env,
                                                  capture_output=True, text=True, timeout=900)
        if done[task["identifier"]].returncode != 0:
            break  # fast-fail: the rest of the batch would be stopped
    return done, commit[:7]


def test_each_build_of_the_batch_runs_its_buildspec_commands_to_the_end(batch) -> None:  # type: ignore[no-untyped-def]
    done, _ = batch
    assert list(done) == ["publish_amd64", "publish_arm64", "assemble_index"]
    for step, result in done.items():
        assert result.returncode == 0, (step, result.stdout[-3000:], result.stderr[-5000:])


def test_the_batch_leaves_an_index_over_both_platform_images_under_the_commit_in_every_destination(batch, ecr) -> None:  # type: ignore[no-untyped-def]
    done, tag = batch
    assert all(result.returncode == 0 for result in done.values())
    for account, region in (("111111111111", "us-east-1"), ("222222222222", "us-east-1"),
                            ("222222222222", "eu-west-1")):
        images = ecr(account, region).describe_images(repositoryName=REPOSITORY)["imageDetails"]
        by_tag = {t: image for image in images for t in image.get("imageTags", [])}
        assert by_tag[tag]["imageManifestMediaType"] == "application/vnd.oci.image.index.v1+json", (account, region)
        assert by_tag["latest"]["imageDigest"] == by_tag[tag]["imageDigest"]
        assert {f"{tag}-amd64", f"{tag}-arm64"} <= set(by_tag)
        index = json.loads(ecr(account, region).batch_get_image(
            repositoryName=REPOSITORY, imageIds=[{"imageTag": tag}],
            acceptedMediaTypes=["application/vnd.oci.image.index.v1+json"])["images"][0]["imageManifest"])
        assert {(m["platform"]["architecture"], m["digest"]) for m in index["manifests"]} == {
            ("amd64", by_tag[f"{tag}-amd64"]["imageDigest"]), ("arm64", by_tag[f"{tag}-arm64"]["imageDigest"])}
