"""ECR's images in the sandbox's moto (``ecr_sandbox.moto_ext.images``), through boto3 against moto in-process (no
registry behind it here: ``ecr_sandbox.moto_ext.store`` has no gateway to ask, so layers count as present).

Sources: API reference PutImage (errors ImageTagAlreadyExistsException "The specified image is tagged with a tag that
already exists. The repository is configured for tag immutability.", ImageAlreadyExistsException,
ImageDigestDoesNotMatchException, ReferencedImagesNotFoundException), ImageTagMutabilityExclusionFilter (wildcards),
DescribeImagesFilter (only ACTIVE images unless asked), UpdateImageStorageClass, ListImageReferrers, ImageDetail;
user guide "Archiving an image"."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from ecr_sandbox.moto_ext import images

images.install()


def manifest(seed: str, **extra: Any) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                                  "digest": "sha256:" + hashlib.sha256(seed.encode()).hexdigest()},
                       "layers": [], **extra})


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def ecr() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")


def repository(ecr: Any, mutability: str = "MUTABLE", filters: list[str] | None = None) -> str:
    options: dict[str, Any] = {"repositoryName": "team/app", "imageTagMutability": mutability}
    if filters:
        options["imageTagMutabilityExclusionFilters"] = [{"filterType": "WILDCARD", "filter": f} for f in filters]
    ecr.create_repository(**options)
    return "team/app"


def test_the_digest_is_the_sha256_of_the_manifest_bytes(ecr: Any) -> None:
    name, text = repository(ecr), manifest("a")

    image = ecr.put_image(repositoryName=name, imageManifest=text, imageTag="v1")["image"]

    assert image["imageId"]["imageDigest"] == digest_of(text)


def test_a_digest_that_does_not_match_the_manifest_is_refused(ecr: Any) -> None:
    name = repository(ecr)

    with pytest.raises(ecr.exceptions.ImageDigestDoesNotMatchException):
        ecr.put_image(repositoryName=name, imageManifest=manifest("a"), imageTag="v1", imageDigest="sha256:" + "0" * 64)


def test_an_untagged_put_is_stored_by_digest(ecr: Any) -> None:
    name, text = repository(ecr), manifest("a")

    ecr.put_image(repositoryName=name, imageManifest=text)

    assert [i["imageDigest"] for i in ecr.describe_images(repositoryName=name)["imageDetails"]] == [digest_of(text)]


def test_an_immutable_tag_cannot_be_put_again_even_with_the_same_digest(ecr: Any) -> None:
    name, text = repository(ecr, "IMMUTABLE"), manifest("a")
    ecr.put_image(repositoryName=name, imageManifest=text, imageTag="v1")

    with pytest.raises(ecr.exceptions.ImageTagAlreadyExistsException):
        ecr.put_image(repositoryName=name, imageManifest=manifest("b"), imageTag="v1")
    with pytest.raises(ecr.exceptions.ImageTagAlreadyExistsException):
        ecr.put_image(repositoryName=name, imageManifest=text, imageTag="v1")


@pytest.mark.parametrize("pattern, tag", [("*-dev", "feature-dev"), ("release-*-final", "release-2-final")])
def test_wildcard_exclusion_filters_keep_their_tags_mutable(ecr: Any, pattern: str, tag: str) -> None:
    """moto read the filters as regular expressions: ``*-dev`` was a 500, ``release-*-final`` matched nothing."""
    name = repository(ecr, "IMMUTABLE_WITH_EXCLUSION", [pattern])
    ecr.put_image(repositoryName=name, imageManifest=manifest("a"), imageTag=tag)

    moved = ecr.put_image(repositoryName=name, imageManifest=manifest("b"), imageTag=tag)["image"]

    assert moved["imageId"]["imageDigest"] == digest_of(manifest("b"))


def test_the_same_manifest_under_the_same_tag_of_a_mutable_repository_already_exists(ecr: Any) -> None:
    name, text = repository(ecr), manifest("a")
    ecr.put_image(repositoryName=name, imageManifest=text, imageTag="v1")

    with pytest.raises(ecr.exceptions.ImageAlreadyExistsException):
        ecr.put_image(repositoryName=name, imageManifest=text, imageTag="v1")


def test_a_moved_tag_leaves_its_old_image_untagged(ecr: Any) -> None:
    name = repository(ecr)
    ecr.put_image(repositoryName=name, imageManifest=manifest("a"), imageTag="latest")

    ecr.put_image(repositoryName=name, imageManifest=manifest("b"), imageTag="latest")

    details = {d["imageDigest"]: d.get("imageTags", []) for d in ecr.describe_images(repositoryName=name)["imageDetails"]}
    assert details == {digest_of(manifest("a")): [], digest_of(manifest("b")): ["latest"]}


def test_a_manifest_list_naming_an_image_the_repository_lacks_is_refused(ecr: Any) -> None:
    name = repository(ecr)
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "1" * 64, "size": 2}]})

    with pytest.raises(ecr.exceptions.ReferencedImagesNotFoundException):
        ecr.put_image(repositoryName=name, imageManifest=index, imageTag="multi")


def test_image_details_carry_ecrs_fields(ecr: Any) -> None:
    name = repository(ecr)
    ecr.put_image(repositoryName=name, imageManifest=manifest("a"), imageTag="v1")

    [detail] = ecr.describe_images(repositoryName=name)["imageDetails"]

    assert detail["imageManifestMediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert detail["artifactMediaType"] == "application/vnd.oci.image.config.v1+json"
    assert detail["imageStatus"] == "ACTIVE" and "lastRecordedPullTime" not in detail


def test_an_archived_image_is_listed_only_when_asked_and_a_restore_passes_through_activating(ecr: Any) -> None:
    name = repository(ecr)
    ecr.put_image(repositoryName=name, imageManifest=manifest("a"), imageTag="v1")

    archived = ecr.update_image_storage_class(repositoryName=name, imageId={"imageTag": "v1"},
                                              targetStorageClass="ARCHIVE")
    shown = ecr.describe_images(repositoryName=name)["imageDetails"]
    every = ecr.describe_images(repositoryName=name, filter={"imageStatus": "ANY"})["imageDetails"]
    restoring = ecr.update_image_storage_class(repositoryName=name, imageId={"imageTag": "v1"},
                                               targetStorageClass="STANDARD")

    assert archived["imageStatus"] == "ARCHIVED" and shown == [] and every[0]["imageStatus"] == "ARCHIVED"
    assert restoring["imageStatus"] == "ACTIVATING"
    with pytest.raises(ecr.exceptions.ImageStorageClassUpdateNotSupportedException):
        ecr.update_image_storage_class(repositoryName=name, imageId={"imageTag": "v1"}, targetStorageClass="STANDARD")


def test_list_image_referrers_lists_the_manifests_naming_the_subject(ecr: Any) -> None:
    name, subject = repository(ecr), manifest("app")
    ecr.put_image(repositoryName=name, imageManifest=subject, imageTag="v1")
    signature = manifest("sig", artifactType="application/vnd.dev.cosign.artifact.sig.v1+json",
                         subject={"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                  "digest": digest_of(subject), "size": len(subject)},
                         annotations={"org.example": "yes"})
    ecr.put_image(repositoryName=name, imageManifest=signature)

    [referrer] = ecr.list_image_referrers(repositoryName=name, subjectId={"imageDigest": digest_of(subject)})[
        "referrers"]

    assert referrer == {"digest": digest_of(signature), "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
                        "size": len(signature.encode()), "annotations": {"org.example": "yes"},
                        "artifactStatus": "ACTIVE"}
    assert ecr.list_image_referrers(repositoryName=name, subjectId={"imageDigest": digest_of(subject)},
                                    filter={"artifactTypes": ["other"]})["referrers"] == []
