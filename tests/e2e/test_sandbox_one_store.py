"""One store (issue 17, "Why" bullet 2): what the ECR API changes, the registry serves, judged by the AWS CLI and the
docker CLI.

Sources: API reference BatchDeleteImage ("You can remove a tag from an image by specifying the image's tag ... When
you remove the last tag from an image, the image is deleted from your repository"; by digest: the image and all its
tags), PutImage (a manifest under a new tag), DeleteRepository (``--force`` deletes the images too),
UpdateImageStorageClass; user guide "Archiving an image" ("Archived images cannot be pulled. Requests to pull the
archived image will fail with a 404 error"; restored, it pulls again).
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "111111111111", "us-east-1"


@pytest.fixture
def cli(sandbox, tmp_path):  # type: ignore[no-untyped-def]
    """``cli.aws(...)`` (JSON out) and ``cli.docker(...)`` with a docker config of their own, logged in."""
    env = api.process_env(sandbox, ROOT)
    host = sandbox.registry(ACCOUNT, REGION).host

    class Cli:
        def aws(self, *args: str, check: bool = True) -> dict:
            done = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(ACCOUNT), "--region",
                                   REGION, "--output", "json", "ecr", *args], env=env, capture_output=True, text=True,
                                  timeout=120)
            if check:
                assert done.returncode == 0, done.stderr
            return json.loads(done.stdout or "{}") if done.returncode == 0 else {"error": done.stderr}

        def docker(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["docker", "--config", str(tmp_path / "docker"), *args], input=stdin, env=env,
                                  capture_output=True, text=True, timeout=300)

    found = Cli()
    password = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(ACCOUNT), "--region", REGION,
                               "ecr", "get-login-password"], env=env, capture_output=True, text=True).stdout.strip()
    assert found.docker("login", "-u", "AWS", "--password-stdin", host, stdin=password).returncode == 0
    found.host = host  # type: ignore[attr-defined]
    return found


@pytest.fixture
def pushed(cli, build_image):  # type: ignore[no-untyped-def]
    """A new repository holding one image pushed with the docker CLI as ``v1``; (name, digest)."""
    name = f"sandbox-tests/store-{uuid.uuid4().hex[:8]}"
    cli.aws("create-repository", "--repository-name", name)
    reference = f"{cli.host}/{name}:v1"
    assert cli.docker("tag", build_image(scratch=True), reference).returncode == 0
    done = cli.docker("push", reference)
    assert done.returncode == 0, done.stderr
    digest = done.stdout.split("digest: ", 1)[1].split()[0]
    deadline = time.monotonic() + 10
    while not cli.aws("describe-images", "--repository-name", name)["imageDetails"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return name, digest


def pull(cli, name: str, reference: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    separator = "@" if reference.startswith("sha256:") else ":"
    cli.docker("rmi", "-f", f"{cli.host}/{name}{separator}{reference}")
    return cli.docker("pull", f"{cli.host}/{name}{separator}{reference}")


def test_a_tag_deleted_with_batch_delete_image_can_no_longer_be_pulled(cli, pushed):
    name, digest = pushed
    cli.aws("put-image", "--repository-name", name, "--image-tag", "keep", "--image-manifest",
            cli.aws("batch-get-image", "--repository-name", name, "--image-ids", "imageTag=v1")["images"][0]
            ["imageManifest"])

    cli.aws("batch-delete-image", "--repository-name", name, "--image-ids", "imageTag=v1")

    gone = pull(cli, name, "v1")
    assert gone.returncode != 0 and "manifest unknown" in gone.stderr
    assert pull(cli, name, "keep").returncode == 0  # the image stays under its other tag


def test_an_image_deleted_by_digest_can_no_longer_be_pulled_by_digest_or_tag(cli, pushed):
    name, digest = pushed

    cli.aws("batch-delete-image", "--repository-name", name, "--image-ids", f"imageDigest={digest}")

    assert pull(cli, name, digest).returncode != 0
    assert pull(cli, name, "v1").returncode != 0


def test_a_tag_added_with_put_image_can_be_pulled(cli, pushed):
    """The manifest from batch-get-image under a new tag (the AWS CLI's retag recipe)."""
    name, digest = pushed
    manifest = cli.aws("batch-get-image", "--repository-name", name, "--image-ids", "imageTag=v1")["images"][0]

    cli.aws("put-image", "--repository-name", name, "--image-tag", "v2", "--image-manifest",
            manifest["imageManifest"])

    done = pull(cli, name, "v2")
    assert done.returncode == 0, done.stderr
    assert f"Digest: {digest}" in done.stdout


def test_put_image_of_a_manifest_whose_layers_the_registry_lacks_is_layers_not_found(cli, pushed):
    name, _ = pushed
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                           "digest": "sha256:" + "0" * 64}, "layers": []}

    refused = cli.aws("put-image", "--repository-name", name, "--image-tag", "ghost", "--image-manifest",
                      json.dumps(manifest), check=False)

    assert "LayersNotFoundException" in refused["error"]


def test_a_repository_deleted_with_force_takes_its_images_from_the_registry(cli, pushed):
    name, _ = pushed

    cli.aws("delete-repository", "--repository-name", name, "--force")
    cli.aws("create-repository", "--repository-name", name)

    again = pull(cli, name, "v1")
    assert again.returncode != 0 and "manifest unknown" in again.stderr
    assert cli.aws("describe-images", "--repository-name", name)["imageDetails"] == []


def test_an_archived_image_is_not_pullable_until_it_is_restored(cli, pushed):
    name, digest = pushed

    archived = cli.aws("update-image-storage-class", "--repository-name", name, "--image-id", "imageTag=v1",
                       "--target-storage-class", "ARCHIVE")
    refused = pull(cli, name, "v1")
    active = cli.aws("describe-images", "--repository-name", name)["imageDetails"]
    every = cli.aws("describe-images", "--repository-name", name, "--filter", "imageStatus=ANY")["imageDetails"]
    restoring = cli.aws("update-image-storage-class", "--repository-name", name, "--image-id", "imageTag=v1",
                        "--target-storage-class", "STANDARD")
    deadline = time.monotonic() + 30
    while pull(cli, name, "v1").returncode != 0:
        assert time.monotonic() < deadline, "the restored image never became pullable"
        time.sleep(0.5)
    restored = cli.aws("describe-images", "--repository-name", name)["imageDetails"]

    assert archived["imageStatus"] == "ARCHIVED"
    assert refused.returncode != 0 and "manifest unknown" in refused.stderr
    assert active == []  # DescribeImages shows ACTIVE images unless filter.imageStatus asks for others
    assert [(d["imageDigest"], d["imageStatus"]) for d in every] == [(digest, "ARCHIVED")]
    assert restoring["imageStatus"] == "ACTIVATING"
    assert restored[0]["imageStatus"] == "ACTIVE" and {"lastArchivedAt", "lastActivatedAt"} <= set(restored[0])


def test_a_manifest_deleted_through_the_registry_api_leaves_the_ecr_api_too(sandbox, cli, pushed):
    """``DELETE /v2/NAME/manifests/DIGEST`` (OCI distribution spec, "Deleting Manifests"; ECR's ecr:BatchDeleteImage)
    with curl, ECR's basic credentials."""
    name, digest = pushed
    password = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(ACCOUNT), "--region",
                               REGION, "ecr", "get-login-password"], env=api.process_env(sandbox, ROOT),
                              capture_output=True, text=True).stdout.strip()

    done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                           str(sandbox.sandbox_dir / "pki" / "ca.crt"), "-u", f"AWS:{password}", "-X", "DELETE",
                           f"https://{cli.host}/v2/{name}/manifests/{digest}"], capture_output=True, text=True)

    assert done.stdout == "202"
    deadline = time.monotonic() + 10
    while cli.aws("describe-images", "--repository-name", name)["imageDetails"]:
        assert time.monotonic() < deadline, "the ECR API still shows the deleted image"
        time.sleep(0.1)


def test_an_image_a_lifecycle_policy_expires_leaves_the_registry_too(sandbox, cli, pushed, build_image):
    """User guide "Automate the cleanup of images by using lifecycle policies": an expired image is deleted; the
    sandbox applies the policies when asked (``api.apply_lifecycle_policies``), ECR within 24 hours."""
    name, old = pushed
    newer = f"{cli.host}/{name}:v2"
    assert cli.docker("tag", build_image(scratch=True), newer).returncode == 0
    assert cli.docker("push", newer).returncode == 0
    deadline = time.monotonic() + 10
    while len(cli.aws("describe-images", "--repository-name", name)["imageDetails"]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    cli.aws("put-lifecycle-policy", "--repository-name", name, "--lifecycle-policy-text", json.dumps({"rules": [{
        "rulePriority": 1, "description": "keep the newest image",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "expire"}}]}))

    applied = api.apply_lifecycle_policies(api.Paths(sandbox.sandbox_dir))

    assert applied[f"{ACCOUNT}/{REGION}/{name}"]["expired"] == [old]
    assert [d["imageTags"] for d in cli.aws("describe-images", "--repository-name", name)["imageDetails"]] == [["v2"]]
    assert pull(cli, name, "v1").returncode != 0 and pull(cli, name, "v2").returncode == 0
