"""ECR's answers to ``put-image`` and to racing pushes (issue 17, "Why" bullets 8 and 10), judged by the AWS CLI and
curl.

Sources: API reference PutImage (``ImageTagAlreadyExistsException``: "The specified image is tagged with a tag that
already exists. The repository is configured for tag immutability."), ImageTagMutabilityExclusionFilter (``WILDCARD``
filters); user guide "Preventing image tags from being overwritten in Amazon ECR"; docs/sandbox.md "Choices" (a lock
per tag: of two pushes of different images to a new immutable tag exactly one wins).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "111111111111", "us-east-1"


def aws(sandbox, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(ACCOUNT), "--region", REGION,
                           "--output", "json", "ecr", *args], env=api.process_env(sandbox, ROOT), capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def images(sandbox, ecr, ecr_password, build_image, push_image):  # type: ignore[no-untyped-def]
    """``images(mutability, filters)``: a new repository with two pushed images (tags ``a`` and ``b``); returns
    (name, manifest a, manifest b) as the ECR API serves them."""

    def make(mutability: str, filters: tuple[str, ...] = ()) -> tuple[str, str, str]:
        name = f"sandbox-tests/answers-{uuid.uuid4().hex[:8]}"
        options = ["create-repository", "--repository-name", name, "--image-tag-mutability", mutability]
        if filters:
            options += ["--image-tag-mutability-exclusion-filters",
                        json.dumps([{"filterType": "WILDCARD", "filter": f} for f in filters])]
        created = aws(sandbox, *options)
        assert created.returncode == 0, created.stderr
        host = sandbox.registry(ACCOUNT, REGION).host
        for tag in ("a", "b"):
            push_image(build_image(scratch=True), host, name, tag, ecr_password(ACCOUNT, REGION))
        deadline = time.monotonic() + 10
        while len(ecr(ACCOUNT, REGION).describe_images(repositoryName=name)["imageDetails"]) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        found = {i["imageId"]["imageTag"]: i["imageManifest"] for i in ecr(ACCOUNT, REGION).batch_get_image(
            repositoryName=name, imageIds=[{"imageTag": "a"}, {"imageTag": "b"}])["images"]}
        return name, found["a"], found["b"]

    return make


def test_put_image_onto_an_immutable_tag_is_image_tag_already_exists(sandbox, images):
    name, manifest_a, manifest_b = images("IMMUTABLE")

    moved = aws(sandbox, "put-image", "--repository-name", name, "--image-tag", "a", "--image-manifest", manifest_b)
    again = aws(sandbox, "put-image", "--repository-name", name, "--image-tag", "a", "--image-manifest", manifest_a)

    assert moved.returncode != 0 and "(ImageTagAlreadyExistsException)" in moved.stderr
    assert again.returncode != 0 and "(ImageTagAlreadyExistsException)" in again.stderr


@pytest.mark.parametrize("pattern, tag", [("*-dev", "feature-dev"), ("release-*-final", "release-2-final")])
def test_wildcard_exclusion_filters_keep_their_tags_movable_through_put_image(sandbox, images, pattern, tag):
    """moto read the filters as regular expressions: ``*-dev`` was HTTP 500, ``release-*-final`` matched nothing."""
    name, manifest_a, manifest_b = images("IMMUTABLE_WITH_EXCLUSION", (pattern,))
    first = aws(sandbox, "put-image", "--repository-name", name, "--image-tag", tag, "--image-manifest", manifest_a)

    moved = aws(sandbox, "put-image", "--repository-name", name, "--image-tag", tag, "--image-manifest", manifest_b)

    assert first.returncode == 0, first.stderr
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["image"]["imageId"]["imageTag"] == tag


def test_an_untagged_put_image_stores_the_manifest_by_digest(sandbox, images):
    name, manifest_a, _ = images("IMMUTABLE")
    aws(sandbox, "batch-delete-image", "--repository-name", name, "--image-ids", "imageTag=a")

    done = aws(sandbox, "put-image", "--repository-name", name, "--image-manifest", manifest_a)

    assert done.returncode == 0, done.stderr
    assert "imageTag" not in json.loads(done.stdout)["image"]["imageId"]


def test_of_two_concurrent_pushes_of_different_images_to_a_new_immutable_tag_exactly_one_wins(sandbox, images,
                                                                                             ecr_password):
    name, manifest_a, manifest_b = images("IMMUTABLE")
    host = sandbox.registry(ACCOUNT, REGION).host
    password = ecr_password(ACCOUNT, REGION)
    statuses: list[str] = []

    def put(manifest: str) -> None:
        done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--cacert",
                               str(sandbox.sandbox_dir / "pki/ca.crt"), "-u", f"AWS:{password}", "-H",
                               f"Content-Type: {json.loads(manifest)['mediaType']}", "--data-binary", manifest,
                               f"https://{host}/v2/{name}/manifests/release"], capture_output=True, text=True)
        statuses.append(done.stdout)

    for _ in range(5):  # five races on the tag, each after the winner was untagged again
        statuses.clear()
        racers = [threading.Thread(target=put, args=(m,)) for m in (manifest_a, manifest_b)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
        assert sorted(statuses) == ["201", "400"], statuses
        untagged = aws(sandbox, "batch-delete-image", "--repository-name", name, "--image-ids", "imageTag=release")
        assert untagged.returncode == 0 and json.loads(untagged.stdout)["imageIds"], untagged.stderr
