"""Deciding per destination: unchanged, push some tags, or an immutable-tag conflict."""
import pytest

from image_pipeline.core.errors import ImmutableTagError
from image_pipeline.ecr.remote import RemoteImage, Wanted, config_digest, local_digests, plan, remote_images
from image_pipeline.ecr.targets import Destination
from .pipeline_fakes import IMAGE_ID, FakeECR, manifest

URI = "111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app"
DEST = Destination("dev", "111111111111", "us-east-1", "team/app", URI, "IMMUTABLE_WITH_EXCLUSION", ("latest",))
OTHER = "sha256:" + "e" * 64


def test_all_tags_at_this_image_is_unchanged_with_the_registry_digest():
    remote = {t: RemoteImage(t, "sha256:m", IMAGE_ID) for t in ("v1", "latest")}

    assert plan(DEST, ("v1", "latest"), Wanted.image(IMAGE_ID, []), remote).digest == "sha256:m"


def test_a_manifest_digest_from_repo_digests_counts_as_the_same_image():
    remote = {"v1": RemoteImage("v1", "sha256:m", None)}

    assert plan(DEST, ("v1",), Wanted.image(IMAGE_ID, [f"{URI}@sha256:m"]), remote).digest == "sha256:m"


def test_missing_tags_are_pushed():
    remote = {"latest": RemoteImage("latest", "sha256:m", IMAGE_ID)}

    decided = plan(DEST, ("v1", "latest"), Wanted.image(IMAGE_ID, []), remote)

    assert decided.push == ("v1",) and decided.digest is None


def test_an_immutable_tag_elsewhere_raises_with_both_digests():
    remote = {"v1": RemoteImage("v1", OTHER, "sha256:other-config")}

    with pytest.raises(ImmutableTagError) as caught:
        plan(DEST, ("v1",), Wanted.image(IMAGE_ID, []), remote)
    assert str(caught.value).startswith(f"tag 'v1' of immutable repository {URI} already points at {OTHER}; "
                                        f"this image is {IMAGE_ID} (image id)")


def test_a_mutable_tag_elsewhere_is_pushed_over():
    remote = {"latest": RemoteImage("latest", OTHER, "sha256:other-config")}

    assert plan(DEST, ("latest",), Wanted.image(IMAGE_ID, []), remote).push == ("latest",)


def test_local_digests_only_count_this_repository():
    assert local_digests([f"{URI}@sha256:a", f"{URI}x@sha256:b", "other/app@sha256:c"], URI) == {"sha256:a"}


def test_config_digest_reads_the_manifest_and_tolerates_indexes():
    assert config_digest(manifest(IMAGE_ID)) == IMAGE_ID
    assert config_digest('{"manifests": []}') is None
    assert config_digest("not json") is None


def test_remote_images_asks_one_tag_per_call_and_keeps_the_requested_tag():
    ecr = FakeECR("111111111111", "us-east-1")
    digest = ecr.put("team/app", "v1", IMAGE_ID)

    found = remote_images(ecr, "team/app", ("v1", "v2"))

    assert found == {"v1": RemoteImage("v1", digest, IMAGE_ID)}
