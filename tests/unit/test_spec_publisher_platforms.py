"""The spec's ``publisher.platforms``: the platforms CodeBuild builds natively (linux/amd64 on x86-64, linux/arm64
on Graviton), each bad entry reported on its own line with its index."""
from __future__ import annotations

from .spec_helpers import parsed, problems_of, spec


def test_without_platforms_the_publisher_builds_one_image_per_build() -> None:
    assert parsed(spec(publisher={"environment": "dev"})).publisher.platforms == ()


def test_platforms_are_kept_in_the_order_given() -> None:
    publisher = parsed(spec(publisher={"environment": "dev", "platforms": ["linux/arm64", "linux/amd64"]})).publisher
    assert publisher.platforms == ("linux/arm64", "linux/amd64")


def test_one_platform_alone_is_allowed() -> None:
    assert parsed(spec(publisher={"environment": "dev", "platforms": ["linux/arm64"]})).publisher.platforms == (
        "linux/arm64",)


def test_each_platform_codebuild_cannot_build_natively_is_one_error_line_naming_its_index() -> None:
    raw = spec(publisher={"environment": "dev", "platforms": ["linux/amd64", "linux/sparc", "linux/arm/v7", 64]})
    assert problems_of(raw) == [
        f"publisher.platforms[{i}]: {shown} is not a platform CodeBuild builds natively: use linux/amd64 "
        "(x86-64, LINUX_CONTAINER) or linux/arm64 (Graviton, ARM_CONTAINER)"
        for i, shown in ((1, "'linux/sparc'"), (2, "'linux/arm/v7'"), (3, "64"))]


def test_a_platform_listed_twice_is_an_error() -> None:
    assert problems_of(spec(publisher={"environment": "dev", "platforms": ["linux/arm64", "linux/arm64"]})) == [
        "publisher.platforms[1]: 'linux/arm64' is listed twice"]


def test_platforms_must_be_a_non_empty_list() -> None:
    assert problems_of(spec(publisher={"environment": "dev", "platforms": "linux/arm64"})) == [
        "publisher.platforms: 'linux/arm64' must be a list, such as ['linux/arm64']"]
    assert problems_of(spec(publisher={"environment": "dev", "platforms": []})) == [
        "publisher.platforms: [] is empty: list linux/amd64 and/or linux/arm64, or leave it out for one image per "
        "build on x86-64"]


def test_null_platforms_is_the_same_as_none_given() -> None:
    assert parsed(spec(publisher={"environment": "dev", "platforms": None})).publisher.platforms == ()
