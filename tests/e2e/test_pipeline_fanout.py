"""Compress once, upload to many, end to end: the real engine exports the image, image-pipeline uploads it to
the sandbox's three registries at once, and the clients users run read it back: the docker CLI pulls and runs
it from each registry (the engine checks every layer against the config's DiffIDs), the AWS CLI describes it.

The distribution calls are the OCI distribution spec's; cross-repository mounts follow "Blob mounting in
Amazon ECR" (AWS ECR user guide, https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html: same
registry only, only when the registry's BLOB_MOUNTING setting is ENABLED, the client asks with mount= and from=)."""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from .test_pipeline_publish import REPO, ROOT, make_context, run_cli, unique_tag

pytestmark = pytest.mark.usefixtures("deployed")


@pytest.fixture(scope="module")
def deployed(deployed_sandbox):  # type: ignore[no-untyped-def]
    return deployed_sandbox


def docker(*args: str, check: bool = True, env: dict[str, str] | None = None,
           stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=False, timeout=300,
                          env=env, input=stdin)
    assert not check or done.returncode == 0, done.stderr
    return done


def publish(context: Path, tag: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = run_cli("publish", REPO, "--context", str(context), "--tag", tag, "--json", *extra)
    return done, json.loads(done.stdout) if done.stdout.strip() else {}


def test_every_destination_is_fed_from_one_upload_and_the_docker_cli_pulls_and_runs_it(deployed, tmp_path,
                                                                                        ecr_password):
    context = make_context(tmp_path, deployed.base_image, megabytes=3)
    marker = (context / "Dockerfile").read_text().split("echo ", 1)[1].split(" ", 1)[0]
    tag = unique_tag()

    done, document = publish(context, tag)

    assert done.returncode == 0, done.stderr
    rows = document["destinations"]
    assert [r["status"] for r in rows] == ["pushed"] * 3 and len({r["digest"] for r in rows}) == 1
    assert "pushing through the engine" not in done.stderr
    assert len({r["uploaded_bytes"] for r in rows}) == 1 and rows[0]["uploaded_bytes"] > 3 * 1024 * 1024
    image_id = docker("image", "inspect", "--format", "{{.Id}}", f"{rows[0]['repository_uri']}:{tag}").stdout.strip()
    docker("image", "rm", "-f", image_id)  # the engine must fetch and unpack every layer itself
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path / "docker-config")}
    for row in rows:
        reference = f"{row['repository_uri']}@{row['digest']}"
        docker("login", "--username", "AWS", "--password-stdin", row["repository_uri"].split("/")[0], env=env,
               stdin=ecr_password(row["account"], row["region"]))
        docker("pull", "-q", reference, env=env)
        assert docker("run", "--rm", reference, "cat", "/id").stdout.strip() == marker
        assert docker("image", "inspect", "--format", "{{.Id}}", reference).stdout.strip() == image_id
        docker("image", "rm", "-f", reference, check=False)


def test_the_aws_cli_sees_the_same_manifest_and_layers_in_every_registry(deployed, tmp_path):
    tag = unique_tag()
    done, document = publish(make_context(tmp_path, deployed.base_image, megabytes=1), tag)
    assert done.returncode == 0, done.stderr
    uri = document["destinations"][0]["repository_uri"]
    image_id = docker("image", "inspect", "--format", "{{.Id}}", f"{uri}:{tag}").stdout.strip()

    manifests = []
    for row in document["destinations"]:
        account, region = row["account"], row["region"]
        answer = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "aws"), "ecr", "batch-get-image", "--repository-name", REPO,
             "--image-ids", f"imageDigest={row['digest']}", "--region", region, "--profile",
             deployed.profile(account), "--output", "json"], capture_output=True, text=True, check=True,
            env=os.environ)
        manifests.append(json.loads(json.loads(answer.stdout)["images"][0]["imageManifest"]))
    assert all(m == manifests[0] for m in manifests)
    assert manifests[0]["config"]["digest"] == image_id
    assert {layer["mediaType"] for layer in manifests[0]["layers"]} == {
        "application/vnd.docker.image.rootfs.diff.tar.gzip"}


REGISTRIES = (("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1"))
SHARED = 2 * 1024 * 1024


@pytest.fixture
def blob_mounting(ecr):  # type: ignore[no-untyped-def]
    """BLOB_MOUNTING=ENABLED in the three registries for one test, DISABLED (the sandbox's default) after it:
    ``aws ecr put-account-setting --name BLOB_MOUNTING --value ENABLED`` ("Blob mounting in Amazon ECR",
    https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html)."""
    try:
        for account, region in REGISTRIES:
            ecr(account, region).put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
        yield
    finally:
        for account, region in REGISTRIES:
            ecr(account, region).put_account_setting(name="BLOB_MOUNTING", value="DISABLED")


def compose_publish_two_services_sharing_a_layer(deployed, tmp_path, ecr):  # type: ignore[no-untyped-def]
    """compose-publish of two services, the second in a new repository, both built on one shared 2 MiB layer:
    (the run, {repository: [uploaded_bytes of each destination]}, the second repository)."""
    other = f"e2e/mount-{uuid.uuid4().hex[:8]}"
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["repositories"].append({"name": other, "environments": ["dev", "prod"]})
    for account, region in REGISTRIES:
        ecr(account, region).create_repository(repositoryName=other)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    shared = os.urandom(SHARED)
    services = {}
    for name, repository in (("first", REPO), ("second", other)):
        context = tmp_path / name
        context.mkdir()
        (context / "shared.bin").write_bytes(shared)
        (context / "Dockerfile").write_text(f"FROM {deployed.base_image}\nCOPY shared.bin /shared.bin\n"
                                            f"RUN echo {uuid.uuid4().hex} > /id\n")
        services[name] = {"image": repository, "build": {"context": str(context)}}
    compose = tmp_path / "compose.yml"
    compose.write_text(json.dumps({"services": services}))

    done = run_cli("--spec", str(spec_file), "compose-publish", "-f", str(compose), "--tag", unique_tag(), "--json")

    rows = json.loads(done.stdout)["destinations"] if done.returncode == 0 else []
    uploaded = {repository: [r["uploaded_bytes"] for r in rows if r["repository_uri"].endswith("/" + repository)]
                for repository in (REPO, other)}
    return done, uploaded, other


def test_a_second_repository_in_the_same_registries_mounts_the_shared_layers(deployed, tmp_path, ecr,
                                                                             blob_mounting):
    """With BLOB_MOUNTING enabled, the second repository mounts the shared layer instead of uploading it."""
    done, uploaded, other = compose_publish_two_services_sharing_a_layer(deployed, tmp_path, ecr)

    assert done.returncode == 0, done.stderr
    assert done.stderr.count(f"Mounted from {REPO}") >= 3, done.stderr
    assert len(uploaded[REPO]) == len(uploaded[other]) == 3
    assert min(uploaded[REPO]) > SHARED > max(uploaded[other])


def test_without_blob_mounting_the_second_repository_uploads_the_shared_layer_and_the_publish_succeeds(
        deployed, tmp_path, ecr):
    """ECR's default: BLOB_MOUNTING not enabled, the registry answers the mount request by starting a plain upload
    (202) and the client uploads into it ("Blob mounting in Amazon ECR", AWS ECR user guide; OCI distribution
    spec, "Mounting a blob from another repository")."""
    assert {ecr(a, r).get_account_setting(name="BLOB_MOUNTING")["value"] for a, r in REGISTRIES} == {"DISABLED"}

    done, uploaded, other = compose_publish_two_services_sharing_a_layer(deployed, tmp_path, ecr)

    assert done.returncode == 0, done.stderr
    assert "Mounted from" not in done.stderr, done.stderr
    assert len(uploaded[other]) == 3 and min(uploaded[other]) > SHARED, uploaded
