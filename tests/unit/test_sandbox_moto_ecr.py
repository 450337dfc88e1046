"""The sandbox's moto patches (ecr_sandbox.moto_ext.ecr), through boto3 against moto in-process.

Shapes from the ECR API reference: "StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview",
"LifecyclePolicyPreviewResult", "ImageDetail" (imageSizeInBytes) and botocore's ecr service model."""
from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from moto import mock_aws

from ecr_sandbox.moto_ext import ecr as moto_ecr

moto_ecr.install()

KEEP_TWO = json.dumps({"rules": [{"rulePriority": 1, "description": "keep two",
                                  "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                "countNumber": 2},
                                  "action": {"type": "expire"}}]})


def manifest(*layer_sizes: int, seed: str = "") -> str:
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2776,
                   "digest": "sha256:" + hashlib.sha256(b"config" + seed.encode()).hexdigest()},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size,
                    "digest": "sha256:" + hashlib.sha256(f"{seed}{i}".encode()).hexdigest()}
                   for i, size in enumerate(layer_sizes)],
    })


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def ecr():  # type: ignore[no-untyped-def]
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        client.create_repository(repositoryName="team/app")
        yield client


def put(ecr, text: str, tag: str | None = None) -> None:  # type: ignore[no-untyped-def]
    params = {"repositoryName": "team/app", "imageManifest": text, "imageDigest": digest_of(text),
              "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"}
    if tag:
        params["imageTag"] = tag
    ecr.put_image(**params)


def test_image_size_is_the_sum_of_the_manifests_layer_sizes_not_the_config_size(ecr):  # type: ignore[no-untyped-def]
    put(ecr, manifest(2_000_000, 1_500, seed="a"), "v1")

    detail = ecr.describe_images(repositoryName="team/app")["imageDetails"][0]

    assert detail["imageSizeInBytes"] == 2_001_500


def test_a_manifest_lists_size_is_the_largest_of_its_manifests_in_the_repository(ecr):  # type: ignore[no-untyped-def]
    small, large = manifest(1_000, seed="s"), manifest(5_000, 7, seed="l")
    put(ecr, small)
    put(ecr, large)
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                       "digest": digest_of(t), "size": len(t)} for t in (small, large)]})
    ecr.put_image(repositoryName="team/app", imageManifest=index, imageDigest=digest_of(index), imageTag="multi",
                  imageManifestMediaType="application/vnd.oci.image.index.v1+json")

    detail = ecr.describe_images(repositoryName="team/app", imageIds=[{"imageTag": "multi"}])["imageDetails"][0]

    assert detail["imageSizeInBytes"] == 5_007


def test_get_lifecycle_policy_preview_before_a_start_is_preview_not_found(ecr):  # type: ignore[no-untyped-def]
    with pytest.raises(ecr.exceptions.LifecyclePolicyPreviewNotFoundException) as raised:
        ecr.get_lifecycle_policy_preview(repositoryName="team/app")

    assert "There is no dry run for this repository." in str(raised.value)


def test_start_without_a_policy_on_a_repository_without_one_is_policy_not_found(ecr):  # type: ignore[no-untyped-def]
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.start_lifecycle_policy_preview(repositoryName="team/app")


def test_the_preview_expires_all_but_the_two_newest_images_with_the_rule_priority(ecr):  # type: ignore[no-untyped-def]
    texts = [manifest(100 + i, seed=str(i)) for i in range(4)]
    for i, text in enumerate(texts):
        put(ecr, text, f"v{i}")
    ecr.put_lifecycle_policy(repositoryName="team/app", lifecyclePolicyText=KEEP_TWO)

    started = ecr.start_lifecycle_policy_preview(repositoryName="team/app")
    got = ecr.get_lifecycle_policy_preview(repositoryName="team/app")

    assert started["status"] == "IN_PROGRESS" and got["status"] == "COMPLETE"
    assert got["summary"]["expiringImageTotalCount"] == 2
    assert len(got["previewResults"]) == 2
    assert all(r["action"] == {"type": "EXPIRE"} and r["appliedRulePriority"] == 1 for r in got["previewResults"])
    assert json.loads(got["lifecyclePolicyText"]) == json.loads(KEEP_TWO)


def test_the_preview_pages_with_max_results_and_next_token(ecr):  # type: ignore[no-untyped-def]
    for i in range(5):
        put(ecr, manifest(10 + i, seed=f"p{i}"), f"p{i}")
    ecr.start_lifecycle_policy_preview(repositoryName="team/app", lifecyclePolicyText=KEEP_TWO)

    first = ecr.get_lifecycle_policy_preview(repositoryName="team/app", maxResults=2)
    second = ecr.get_lifecycle_policy_preview(repositoryName="team/app", maxResults=2, nextToken=first["nextToken"])

    assert len(first["previewResults"]) == 2 and len(second["previewResults"]) == 1
    assert "nextToken" not in second
    assert {r["imageDigest"] for r in first["previewResults"]}.isdisjoint(r["imageDigest"] for r in second["previewResults"])
