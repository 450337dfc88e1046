"""A docker push to one sandbox registry shows up in that account and region's ECR API, and only there."""

from __future__ import annotations

import base64
import http.client
import ssl
import time
import uuid
from pathlib import Path

import pytest
from ecr_spec import load_cdk_json

ROOT = Path(__file__).resolve().parents[2]


def _images(ecr_client, repository: str) -> list[dict]:
    try:
        return ecr_client.describe_images(repositoryName=repository)["imageDetails"]
    except ecr_client.exceptions.RepositoryNotFoundException:
        return []


def _wait_for_digest(ecr_client, repository: str, digest: str, timeout: float = 10.0) -> dict:
    """The digest's image in the ECR API, polled up to ``timeout`` (the first look finds it: the front answers a
    push once the push bridge has recorded it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for image in _images(ecr_client, repository):
            if image["imageDigest"] == digest:
                return image
        time.sleep(0.1)
    raise AssertionError(f"{digest} never appeared in {repository}")


@pytest.fixture(scope="module")
def spread_repository(deployed_sandbox):
    """A deployed repository that lives in at least two accounts and two regions."""
    spec = load_cdk_json(ROOT / "cdk.json")
    for repo in spec.repositories:
        targets = spec.targets_for(repo.name)
        if len({t.account for t in targets}) >= 2 and len({t.region for t in targets}) >= 2:
            return repo.name, targets
    pytest.fail("the spec has no repository in two accounts and two regions")


def test_a_pushed_image_shows_in_describe_images_with_the_registry_digest(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, push_image
):
    name, targets = spread_repository
    target = targets[0]
    registry = deployed_sandbox.registry(target.account, target.region)
    tag = f"t-{uuid.uuid4().hex[:12]}"

    digest = push_image(build_image(), registry.host, name, tag, ecr_password(target.account, target.region))

    image = _wait_for_digest(ecr(target.account, target.region), name, digest)
    assert tag in image["imageTags"]
    listed = ecr(target.account, target.region).list_images(repositoryName=name)["imageIds"]
    assert {"imageDigest": digest, "imageTag": tag} in listed
    fetched = ecr(target.account, target.region).batch_get_image(repositoryName=name, imageIds=[{"imageTag": tag}])
    assert fetched["images"][0]["imageId"]["imageDigest"] == digest


def test_a_push_to_one_account_and_region_does_not_show_in_the_others(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, push_image
):
    name, targets = spread_repository
    pushed_to, others = targets[-1], targets[:-1]
    registry = deployed_sandbox.registry(pushed_to.account, pushed_to.region)

    digest = push_image(build_image(), registry.host, name, f"t-{uuid.uuid4().hex[:12]}",
                        ecr_password(pushed_to.account, pushed_to.region))

    _wait_for_digest(ecr(pushed_to.account, pushed_to.region), name, digest)
    for other in others:
        digests = {i["imageDigest"] for i in _images(ecr(other.account, other.region), name)}
        assert digest not in digests, other


def test_the_same_image_pushed_to_two_accounts_and_regions_has_one_digest_in_both(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, push_image
):
    name, targets = spread_repository
    first = targets[0]
    second = next((t for t in targets if t.account != first.account and t.region != first.region), targets[-1])
    image_id, tag = build_image(scratch=True), f"t-{uuid.uuid4().hex[:12]}"

    digests = [
        push_image(image_id, deployed_sandbox.registry(t.account, t.region).host, name, tag, ecr_password(t.account, t.region))
        for t in (first, second)
    ]

    assert digests[0] == digests[1]
    for t in (first, second):
        assert tag in _wait_for_digest(ecr(t.account, t.region), name, digests[0])["imageTags"]


def test_a_second_tag_on_a_pushed_image_is_added_to_the_same_image(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, push_image
):
    name, targets = spread_repository
    target = targets[0]
    host, password = deployed_sandbox.registry(target.account, target.region).host, ecr_password(target.account, target.region)
    image_id, tags = build_image(), [f"t-{uuid.uuid4().hex[:12]}" for _ in range(2)]

    digest = push_image(image_id, host, name, tags[0], password)
    assert push_image(image_id, host, name, tags[1], password) == digest

    deadline = time.monotonic() + 10
    while set(tags) - set(_wait_for_digest(ecr(target.account, target.region), name, digest).get("imageTags", [])):
        assert time.monotonic() < deadline, "the second tag never reached describe_images"
        time.sleep(0.1)


def test_the_docker_cli_logs_in_and_pushes_to_a_deployed_repository(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, tmp_path
):
    import subprocess

    name, targets = spread_repository
    target = targets[0]
    host = deployed_sandbox.registry(target.account, target.region).host
    reference = f"{host}/{name}:cli-{uuid.uuid4().hex[:12]}"
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "DOCKER_CONFIG": str(tmp_path),
           "DOCKER_HOST": deployed_sandbox.env["DOCKER_HOST"]}

    def docker(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(["docker", *args], input=stdin, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    docker("login", "--username", "AWS", "--password-stdin", host, stdin=ecr_password(target.account, target.region))
    docker("tag", build_image(), reference)
    out = docker("push", reference)

    digest = out.split("digest: ", 1)[1].split()[0]
    assert _wait_for_digest(ecr(target.account, target.region), name, digest)


def test_an_account_the_spec_grants_pull_can_pull_from_the_deployed_repository(
    deployed_sandbox, spread_repository, ecr_password, build_image, push_image, docker_client
):
    spec = load_cdk_json(ROOT / "cdk.json")
    name, targets = spread_repository
    readers = [a for a in spec.repository(name).pull.accounts if a in deployed_sandbox.accounts]
    assert readers, f"the spec grants no other sandbox account pull on {name}"
    target = targets[0]
    host = deployed_sandbox.registry(target.account, target.region).host
    digest = push_image(build_image(), host, name, f"t-{uuid.uuid4().hex[:12]}", ecr_password(target.account, target.region))

    found = docker_client.api.inspect_distribution(
        f"{host}/{name}@{digest}", auth_config={"username": "AWS", "password": ecr_password(readers[0], target.region)})

    assert found["Descriptor"]["digest"] == digest


def _docker_cli(sandbox, config_dir):  # type: ignore[no-untyped-def]
    import subprocess

    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "DOCKER_CONFIG": str(config_dir),
           "DOCKER_HOST": sandbox.env["DOCKER_HOST"]}

    def docker(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return subprocess.run(["docker", *args], input=stdin, env=env, capture_output=True, text=True, timeout=180)

    return docker


@pytest.fixture
def immutable_repository(sandbox, ecr, ecr_password, tmp_path):  # type: ignore[no-untyped-def]
    """A fresh IMMUTABLE_WITH_EXCLUSION repository (tags ``dev-*`` stay mutable) and a logged-in docker CLI."""
    account, region = sandbox.registries[0].account, sandbox.registries[0].region
    name = f"sandbox-tests/immutable-{uuid.uuid4().hex[:8]}"
    ecr(account, region).create_repository(
        repositoryName=name, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}])
    host = sandbox.registry(account, region).host
    docker = _docker_cli(sandbox, tmp_path)
    login = docker("login", "--username", "AWS", "--password-stdin", host, stdin=ecr_password(account, region))
    assert login.returncode == 0, login.stderr
    return ecr(account, region), host, name, docker


def test_a_docker_cli_push_that_would_move_an_immutable_tag_fails_with_ecrs_message(
    immutable_repository, build_image
):
    """ECR refuses the manifest PUT (TAG_INVALID): docker prints "tag invalid: The image tag '...' already
    exists in the '...' repository and cannot be overwritten because the tag is immutable." (ECR user guide,
    "Preventing image tags from being overwritten in Amazon ECR"; the message as ECR reports it)."""
    ecr_client, host, name, docker = immutable_repository
    assert docker("tag", build_image(), f"{host}/{name}:v1").returncode == 0
    first = docker("push", f"{host}/{name}:v1")
    assert first.returncode == 0, first.stderr
    first_digest = first.stdout.split("digest: ", 1)[1].split()[0]
    assert docker("tag", build_image(), f"{host}/{name}:v1").returncode == 0

    second = docker("push", f"{host}/{name}:v1")

    assert second.returncode != 0
    assert (f"tag invalid: The image tag 'v1' already exists in the '{name}' repository and cannot be "
            f"overwritten because the tag is immutable.") in second.stderr + second.stdout
    assert _wait_for_digest(ecr_client, name, first_digest).get("imageTags") == ["v1"]


def test_pushing_the_same_image_again_to_an_immutable_tag_is_refused_as_ecr_refuses_it(immutable_repository,
                                                                                         build_image):
    """ECR refuses a repeated push to an immutable tag even when the digest has not changed: "when pushing an image
    to an IMMUTABLE registry, even when the digest has not changed, it fails with ImageTagAlreadyExistsException"
    (aws/containers-roadmap#2179, #2380; moby/buildkit#3776 shows docker's "tag invalid" for it). The sandbox does
    the same (docs/sandbox.md, "Choices")."""
    _, host, name, docker = immutable_repository
    assert docker("tag", build_image(), f"{host}/{name}:v1").returncode == 0
    assert docker("push", f"{host}/{name}:v1").returncode == 0

    again = docker("push", f"{host}/{name}:v1")

    assert again.returncode != 0
    assert f"tag invalid: The image tag 'v1' already exists in the '{name}' repository" in again.stderr + again.stdout


def test_a_tag_matching_an_exclusion_filter_moves_in_an_immutable_with_exclusion_repository(
    immutable_repository, build_image
):
    """IMMUTABLE_WITH_EXCLUSION: tags matching an exclusion filter (``dev-*``) stay mutable."""
    ecr_client, host, name, docker = immutable_repository
    assert docker("tag", build_image(), f"{host}/{name}:dev-1").returncode == 0
    assert docker("push", f"{host}/{name}:dev-1").returncode == 0
    assert docker("tag", build_image(), f"{host}/{name}:dev-1").returncode == 0

    moved = docker("push", f"{host}/{name}:dev-1")

    assert moved.returncode == 0, moved.stderr
    digest = moved.stdout.split("digest: ", 1)[1].split()[0]
    assert _wait_for_digest(ecr_client, name, digest).get("imageTags") == ["dev-1"]


def test_describe_images_reports_the_size_of_the_pushed_layers(sandbox, ecr, ecr_password, docker_client,
                                                                push_image, tmp_path):
    """ImageDetail.imageSizeInBytes: the compressed layers as pushed (API reference, ImageDetail), so a
    2 MB layer of random bytes reports more than 2 MB (moto reported the 2776-byte config blob)."""
    import os

    account, region = sandbox.registries[0].account, sandbox.registries[0].region
    name = f"sandbox-tests/size-{uuid.uuid4().hex[:8]}"
    ecr(account, region).create_repository(repositoryName=name)
    (tmp_path / "blob").write_bytes(os.urandom(2_000_000))
    (tmp_path / "Dockerfile").write_text(f"FROM {sandbox.base_image}\nCOPY blob /blob\n")
    image, _ = docker_client.images.build(path=str(tmp_path), rm=True, forcerm=True)
    host = sandbox.registry(account, region).host

    digest = push_image(image.id, host, name, "v1", ecr_password(account, region))

    size = _wait_for_digest(ecr(account, region), name, digest)["imageSizeInBytes"]
    assert 2_000_000 < size < 4_000_000


def test_a_tag_is_in_the_ecr_api_the_moment_its_manifest_put_returns(
    deployed_sandbox, spread_repository, ecr, ecr_password, build_image, push_image
):
    """No polling, and no client slower than the push bridge: the TLS front answers a manifest PUT only once the
    bridge has recorded it in the ECR API (docs/sandbox.md, "The push bridge"), so ``batch-get-image`` right after
    the PUT finds the tag, as on ECR."""
    name, targets = spread_repository
    target = targets[0]
    host, password = deployed_sandbox.registry(target.account, target.region).host, ecr_password(target.account, target.region)
    digest = push_image(build_image(), host, name, f"first-{uuid.uuid4().hex[:12]}", password)
    context = ssl.create_default_context(cafile=str(deployed_sandbox.sandbox_dir / "pki" / "ca.crt"))
    auth = "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()
    connection = http.client.HTTPSConnection(host, 443, context=context, timeout=30)
    connection.request("GET", f"/v2/{name}/manifests/{digest}", headers={
        "Authorization": auth, "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
    answer = connection.getresponse()
    manifest, media_type = answer.read(), answer.getheader("Content-Type")
    tag = f"now-{uuid.uuid4().hex[:12]}"

    connection.request("PUT", f"/v2/{name}/manifests/{tag}", body=manifest,
                       headers={"Authorization": auth, "Content-Type": media_type})
    status = connection.getresponse()
    status.read()
    found = ecr(target.account, target.region).batch_get_image(repositoryName=name, imageIds=[{"imageTag": tag}])

    assert status.status == 201
    assert [image["imageId"]["imageDigest"] for image in found["images"]] == [digest]
