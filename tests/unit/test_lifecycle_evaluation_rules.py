"""One test per lifecycle policy evaluation rule, as the ECR user guide states them on "Automate the cleanup of
images by using lifecycle policies in Amazon ECR", section "Lifecycle policy evaluation rules"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html), quoted in each docstring,
plus the choices docs/lifecycle.md records where the page is ambiguous (marked "Choice").
The rules that constrain the policy text itself (unique prefixes and one untagged rule per storage class, one
tag list per rule, lists only with 'tagged', four wildcards, countUnit only with since* types) are checked at
validation: tests/unit/test_spec_lifecycle.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ecr_spec import LifecycleRule
from ecr_spec.lifecycle_evaluation import Image, evaluate, image_from_detail, preview_results, preview_summary

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def image(name: str, days_ago: float, *tags: str, **fields: Any) -> Image:
    return Image(digest=f"sha256:{name}", tags=tags, pushed_at=NOW - days_ago * DAY, **fields)


def rule(priority: int, tag_status: str, count_type: str, count_number: int, *, prefixes: tuple[str, ...] = (),
         patterns: tuple[str, ...] = (), action: str = "expire", storage_class: str | None = None) -> LifecycleRule:
    return LifecycleRule(rule_priority=priority, tag_status=tag_status, count_type=count_type,
                         count_number=count_number, action=action, tag_prefix_list=prefixes,
                         tag_pattern_list=patterns, count_unit=None if count_type == "imageCountMoreThan" else "days",
                         target_storage_class="archive" if action == "transition" else None,
                         storage_class=storage_class)


def acted(rules: list[LifecycleRule], images: list[Image]) -> dict[str, tuple[str, int | None]]:
    return {v.image.digest[7:]: (v.action, v.rule_priority) for v in evaluate(rules, images, NOW)
            if v.action != "keep"}


def test_reference_artifacts_follow_their_subject_when_it_is_expired() -> None:
    """"When reference artifacts are present in a repository, Amazon ECR lifecycle policies automatically expire
    or archive those artifacts ... of the deletion or archival of the subject image." (Choice: reported in the
    same evaluation, with the subject's rule.)"""
    images = [image("app", 40, "v1"), image("signature", 1, subject="sha256:app")]

    assert acted([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("v",))], images) == {
        "app": ("expire", 1), "signature": ("expire", 1)}


def test_reference_artifacts_follow_their_subject_into_the_archive() -> None:
    """Same rule, archival: the artifact is archived with its subject."""
    images = [image("app", 40, "v1"), image("sbom", 1, subject="sha256:app")]

    assert acted([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("v",), action="transition")], images) == {
        "app": ("transition", 1), "sbom": ("transition", 1)}


def test_all_rules_are_evaluated_at_once_so_a_lower_rule_still_counts_images_a_higher_rule_keeps() -> None:
    """"All rules are evaluated at the same time, regardless of rule priority. After all rules are evaluated,
    they are then applied based on rule priority." Rule 2 (keep 2) counts the three young untagged images rule
    1 keeps, so the tagged image, fourth newest, is expired by rule 2."""
    images = [image("u1", 1), image("u2", 2), image("u3", 3), image("t", 4, "v1")]

    assert acted([rule(1, "untagged", "sinceImagePushed", 7), rule(2, "any", "imageCountMoreThan", 2)], images) == {
        "t": ("expire", 2)}


def test_an_image_is_acted_on_by_at_most_one_rule_the_highest_priority_one() -> None:
    """"An image is expired or archived by exactly one or zero rules." Two rules mark the image; the preview
    names rule 1 and shows the image once."""
    verdicts = evaluate([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("v",), action="transition"),
                         rule(2, "any", "sinceImagePushed", 10)], [image("old", 100, "v1")], NOW)

    assert [(v.action, v.rule_priority) for v in verdicts] == [("transition", 1)]


def test_an_image_matching_a_higher_rule_cannot_be_expired_by_a_lower_rule() -> None:
    """"An image that matches the tagging requirements of a rule cannot be expired or archived by a rule with a
    lower priority." Rule 1 keeps the newest 5 'v' images; rule 2 would expire everything older than 10 days."""
    images = [image("release", 100, "v1"), image("scratch", 100, "tmp")]

    assert acted([rule(1, "tagged", "imageCountMoreThan", 5, prefixes=("v",)),
                  rule(2, "any", "sinceImagePushed", 10)], images) == {"scratch": ("expire", 2)}


def test_rules_identify_images_marked_by_higher_rules_but_never_mark_them() -> None:
    """"Rules can never mark images that are marked by higher priority rules, but can still identify them as if
    they haven't been expired or archived." Rule 1 expires 'old'; rule 2 (keep 1) still counts it, so it marks
    'mid' and the preview shows 'old' under rule 1 only."""
    images = [image("new", 1, "x"), image("mid", 2, "x"), image("old", 50, "v1")]

    assert acted([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("v",)),
                  rule(2, "any", "imageCountMoreThan", 1)], images) == {"old": ("expire", 1), "mid": ("expire", 2)}


def test_an_image_referenced_by_a_manifest_list_is_not_expired_while_the_list_stays() -> None:
    """"If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list
    being deleted or archived first." The untagged platform manifests of a tagged index stay."""
    images = [image("index", 30, "v1", manifests=("sha256:amd64", "sha256:arm64")),
              image("amd64", 30), image("arm64", 30), image("orphan", 30)]

    assert acted([rule(1, "untagged", "sinceImagePushed", 7)], images) == {"orphan": ("expire", 1)}


def test_an_image_referenced_by_an_archived_manifest_list_can_be_expired() -> None:
    """Same rule: once the list is archived the manifests it references are no longer held."""
    images = [image("index", 300, "v1", manifests=("sha256:amd64",), storage_class="archive",
                    archived_at=NOW - 100 * DAY), image("amd64", 300)]

    assert acted([rule(1, "untagged", "sinceImagePushed", 7)], images) == {"amd64": ("expire", 1)}


def test_a_manifest_list_expired_in_this_evaluation_still_holds_its_manifests() -> None:
    """Choice: "deleted ... first" means in an earlier evaluation, so the list and its manifests do not go in
    the same one; the manifests follow in a later evaluation."""
    images = [image("index", 30, manifests=("sha256:amd64",)), image("amd64", 30)]

    assert acted([rule(1, "untagged", "sinceImagePushed", 7)], images) == {"index": ("expire", 1)}


def test_a_held_manifest_still_counts_toward_image_count_more_than() -> None:
    """Choice: a manifest held by its list is identified (counted) like any image but never marked, so a count
    rule does not mark another image in its place."""
    images = [image("index", 1, "v2", manifests=("sha256:child",)), image("child", 2), image("other", 3, "v1")]

    assert acted([rule(1, "any", "imageCountMoreThan", 1)], images) == {"other": ("expire", 1)}


def test_image_count_orders_a_restored_image_by_its_restore_time() -> None:
    """"Expiration is always ordered by pushed_at_time ... If an image was archived and then restored at any
    point in the past, the image's last_activated_at is used instead of pushed_at_time." A 300-day-old image
    restored yesterday counts as the newest."""
    images = [image("restored", 300, "v1", archived_at=NOW - 200 * DAY, activated_at=NOW - DAY),
              image("recent", 5, "v2"), image("older", 10, "v3")]

    assert acted([rule(1, "any", "imageCountMoreThan", 2)], images) == {"older": ("expire", 1)}


def test_both_prefix_and_pattern_rules_may_be_used_in_one_policy() -> None:
    """"A lifecycle policy may contain multiple rules where different rules use both pattern and prefix lists.\""""
    images = [image("a", 40, "release-1"), image("b", 40, "feature-x")]

    assert acted([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("release-",)),
                  rule(2, "tagged", "sinceImagePushed", 30, patterns=("feature-*",))], images) == {
        "a": ("expire", 1), "b": ("expire", 2)}


def test_a_tag_pattern_matches_with_wildcards() -> None:
    """"if a filter of prod* is applied, it would match ... prod, prod1, or production-team1. Similarly, if a
    filter of *prod* is applied, it would match ... repo-production or prod-team.\""""
    images = [image(t, 40, t) for t in ("prod", "prod1", "production-team1", "repo-production", "dev")]

    assert set(acted([rule(1, "tagged", "sinceImagePushed", 30, patterns=("prod*",))], images)) == {
        "prod", "prod1", "production-team1"}
    assert set(acted([rule(1, "tagged", "sinceImagePushed", 30, patterns=("*prod*",))], images)) == {
        "prod", "prod1", "production-team1", "repo-production"}


def test_every_prefix_of_a_tag_prefix_list_must_match_one_of_the_images_tags() -> None:
    """"When using tagPrefixList, an image is successfully matched if all of the ... filters in the tagPrefixList
    value are matched against any of the image's tags.\""""
    images = [image("both", 40, "prod-1", "beta-1"), image("prod-only", 40, "prod-2")]

    assert acted([rule(1, "tagged", "sinceImagePushed", 30, prefixes=("prod", "beta"))], images) == {
        "both": ("expire", 1)}


def test_image_count_more_than_keeps_the_youngest_n_by_push_time() -> None:
    """"With countType = imageCountMoreThan, images are sorted from youngest to oldest based on pushed_at_time and
    then all images greater than the specified count are expired or archived.\""""
    images = [image(n, age, f"v{age}") for n, age in (("a", 1), ("b", 2), ("c", 3), ("d", 4))]

    assert acted([rule(1, "any", "imageCountMoreThan", 2, action="transition")], images) == {
        "c": ("transition", 1), "d": ("transition", 1)}


def test_since_image_pushed_acts_on_images_pushed_more_than_n_days_ago() -> None:
    """"With countType = sinceImagePushed, all images whose pushed_at_time is older than the specified number of
    days based on countNumber are expired or archived.\""""
    assert acted([rule(1, "any", "sinceImagePushed", 7)], [image("young", 6), image("old", 8)]) == {
        "old": ("expire", 1)}


def test_an_image_exactly_n_days_old_is_not_older_than_n_days() -> None:
    """Choice: "older than N days" is strict; an image pushed exactly N days ago stays (the examples page's
    "Filtering on all images" Example B keeps image E, pushed 1 day ago, under a 1-day rule)."""
    assert acted([rule(1, "untagged", "sinceImagePushed", 1)], [image("exact", 1)]) == {}


def test_since_image_pushed_measures_a_restored_image_from_its_push() -> None:
    """Choice: the sinceImagePushed rule names pushed_at_time; only ordering and pull age switch to
    last_activated_at. A restored 300-day-old image is archived again by a 30-day push rule."""
    images = [image("restored", 300, "v1", archived_at=NOW - 200 * DAY, activated_at=NOW - DAY)]

    assert acted([rule(1, "any", "sinceImagePushed", 30, action="transition")], images) == {
        "restored": ("transition", 1)}


def test_since_image_pulled_measures_from_the_last_recorded_pull() -> None:
    """"With countType = sinceImagePulled, all images whose last_recorded_pulltime is older than the specified
    number of days based on countNumber are archived.\""""
    images = [image("pulled-lately", 200, "a", last_pulled_at=NOW - 5 * DAY),
              image("stale", 200, "b", last_pulled_at=NOW - 60 * DAY)]

    assert acted([rule(1, "any", "sinceImagePulled", 30, action="transition")], images) == {
        "stale": ("transition", 1)}


def test_since_image_pulled_counts_a_never_pulled_image_from_its_push() -> None:
    """"If an image was never pulled, the image's pushed_at_time is used instead of the last_recorded_pulltime.\""""
    images = [image("never-new", 10, "a"), image("never-old", 40, "b")]

    assert acted([rule(1, "any", "sinceImagePulled", 30, action="transition")], images) == {
        "never-old": ("transition", 1)}


def test_since_image_pulled_counts_a_restored_image_not_pulled_since_from_its_restore() -> None:
    """"If an image was archived and then restored at any point in the past, but never pulled since the image was
    restored, the image's last_activated_at is used instead of the last_recorded_pulltime.\""""
    images = [image("restored", 400, "a", last_pulled_at=NOW - 300 * DAY, archived_at=NOW - 200 * DAY,
                    activated_at=NOW - 5 * DAY),
              image("restored-long-ago", 400, "b", archived_at=NOW - 200 * DAY, activated_at=NOW - 50 * DAY)]

    assert acted([rule(1, "any", "sinceImagePulled", 30, action="transition")], images) == {
        "restored-long-ago": ("transition", 1)}


def test_since_image_transitioned_expires_archived_images_by_their_archive_time() -> None:
    """"With countType = sinceImageTransitioned, all archived images whose last_archived_at is older than the
    specified number of days based on countNumber are expired.\""""
    images = [image("long", 400, "a", storage_class="archive", archived_at=NOW - 200 * DAY),
              image("recent", 400, "b", storage_class="archive", archived_at=NOW - 95 * DAY),
              image("standard", 400, "c")]

    assert acted([rule(1, "any", "sinceImageTransitioned", 180, storage_class="archive")], images) == {
        "long": ("expire", 1)}


def test_a_rule_only_selects_images_of_its_storage_class() -> None:
    """Properties page, "Storage class": "The rule will only select images of this storage class" (standard
    when omitted): a push-age rule leaves archived images alone."""
    images = [image("archived", 400, "a", storage_class="archive", archived_at=NOW - 100 * DAY),
              image("standard", 400, "b")]

    assert acted([rule(1, "any", "sinceImagePushed", 30)], images) == {"standard": ("expire", 1)}


def test_an_archive_rule_does_not_shield_standard_images_from_lower_rules() -> None:
    """Choice: "matches the tagging requirements of a rule" is read within the rule's storage class, since the
    rule only selects images of that class; otherwise an archive-expiry rule at priority 1 would stop every
    standard rule below it."""
    images = [image("standard-old", 40, "v1"),
              image("archived-old", 900, "v0", storage_class="archive", archived_at=NOW - 400 * DAY)]

    assert acted([rule(1, "any", "sinceImageTransitioned", 365, storage_class="archive"),
                  rule(2, "any", "sinceImagePushed", 30, action="transition")], images) == {
        "archived-old": ("expire", 1), "standard-old": ("transition", 2)}


def test_an_image_being_restored_is_left_alone() -> None:
    """Choice: an ACTIVATING image (restore under way) is in neither storage class yet: no rule selects it."""
    detail = {"imageDigest": "sha256:restoring", "imageTags": ["v1"], "imagePushedAt": NOW - 400 * DAY,
              "imageStatus": "ACTIVATING", "lastArchivedAt": NOW - 300 * DAY}

    assert acted([rule(1, "any", "sinceImagePushed", 30, action="transition"),
                  rule(2, "any", "sinceImageTransitioned", 90, storage_class="archive")],
                 [image_from_detail(detail)]) == {}


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


def test_images_pushed_at_the_same_moment_are_ordered_by_digest() -> None:
    """Choice: an exact tie in push time is broken by digest (the higher digest counts as newer), so a
    preview is the same on every run."""
    images = [image("b", 3, "v2"), image("a", 3, "v1")]

    assert acted([rule(1, "any", "imageCountMoreThan", 1)], images) == {"a": ("expire", 1)}


def test_preview_results_omit_the_tags_of_an_untagged_image() -> None:
    """ECR does not serialize an empty imageTags list (as moto notes for DescribeImages)."""
    verdicts = evaluate([rule(1, "untagged", "sinceImagePushed", 7)], [image("u", 9)], NOW)

    assert "imageTags" not in preview_results(verdicts)[0]
