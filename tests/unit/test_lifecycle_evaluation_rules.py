"""The product evaluator's own interface (``ecr_spec.model.lifecycle_evaluation``): an ImageDetail as an ``Image``, and
the preview's API shapes. What a policy does to images, one case per evaluation rule of the ECR user guide and per
example of its examples page, is in ``tests/ecr_cases/lifecycle.py``, held for this evaluator by
``test_ecr_cases_spec.py`` and for the sandbox's by ``test_ecr_cases_sandbox.py``. The rules that constrain the
policy text itself are checked at validation: tests/unit/test_spec_lifecycle.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ecr_spec import LifecycleRule
from ecr_spec.model.lifecycle_evaluation import Image, evaluate, image_from_detail, preview_results, preview_summary

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def image(name: str, days_ago: float, *tags: str, **fields: Any) -> Image:
    return Image(digest=f"sha256:{name}", tags=tags, pushed_at=NOW - days_ago * DAY, **fields)


def rule(priority: int, tag_status: str, count_type: str, count_number: int, *, action: str = "expire",
         storage_class: str | None = None) -> LifecycleRule:
    return LifecycleRule(rule_priority=priority, tag_status=tag_status, count_type=count_type,
                         count_number=count_number, action=action,
                         count_unit=None if count_type == "imageCountMoreThan" else "days",
                         target_storage_class="archive" if action == "transition" else None,
                         storage_class=storage_class)


def test_an_image_detail_from_describe_images_becomes_an_image() -> None:
    """API reference, ImageDetail: lastRecordedPullTime, imageStatus, lastArchivedAt, lastActivatedAt."""
    detail = {"imageDigest": "sha256:x", "imageTags": ["v1"], "imagePushedAt": NOW - 9 * DAY,
              "lastRecordedPullTime": NOW - 2 * DAY, "imageStatus": "ARCHIVED", "lastArchivedAt": NOW - DAY,
              "lastActivatedAt": NOW - 5 * DAY, "subjectManifestDigest": "sha256:s"}

    assert image_from_detail(detail, ["sha256:c"]) == Image(
        "sha256:x", ("v1",), NOW - 9 * DAY, NOW - 2 * DAY, "archive", NOW - DAY, NOW - 5 * DAY, ("sha256:c",),
        "sha256:s")


def test_preview_results_and_summary_have_the_api_shapes() -> None:
    """API reference: LifecyclePolicyPreviewResult (action type EXPIRE | TRANSITION, targetStorageClass only for
    TRANSITION, appliedRulePriority, storageClass) and LifecyclePolicyPreviewSummary."""
    verdicts = evaluate([rule(1, "any", "sinceImagePushed", 30, action="transition"),
                         rule(2, "any", "sinceImageTransitioned", 90, storage_class="archive")],
                        [image("new", 1, "v3"), image("mid", 40, "v2"),
                         image("old", 400, "v1", storage_class="archive", archived_at=NOW - 100 * DAY)], NOW)

    assert preview_results(verdicts) == [
        {"imageTags": ["v2"], "imageDigest": "sha256:mid", "imagePushedAt": NOW - 40 * DAY,
         "action": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}, "appliedRulePriority": 1,
         "storageClass": "STANDARD"},
        {"imageTags": ["v1"], "imageDigest": "sha256:old", "imagePushedAt": NOW - 400 * DAY,
         "action": {"type": "EXPIRE"}, "appliedRulePriority": 2, "storageClass": "ARCHIVE"}]
    assert preview_summary(verdicts) == {"expiringImageTotalCount": 1, "transitioningImageTotalCounts": [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}]}


def test_preview_results_omit_the_tags_of_an_untagged_image() -> None:
    """ECR does not serialize an empty imageTags list (as moto notes for DescribeImages)."""
    verdicts = evaluate([rule(1, "untagged", "sinceImagePushed", 7)], [image("u", 9)], NOW)

    assert "imageTags" not in preview_results(verdicts)[0]
