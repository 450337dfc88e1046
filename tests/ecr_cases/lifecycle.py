"""Lifecycle policies from AWS's pages, each with repository contents and what ECR does to every image.

Pages (ECR user guide):

- EXAMPLES "Examples of lifecycle policies in Amazon ECR"
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html), one case per example,
  the policy exactly as the page prints it. Where the page gives no repository contents (the single-rule and
  archive examples), the case builds contents from the example's own sentence and its ``note`` says so.
- EVAL "Automate the cleanup of images by using lifecycle policies in Amazon ECR", section "Lifecycle policy
  evaluation rules" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html), one case per
  rule, quoted in ``note``.
- CHOICE: where the pages leave room, the reading docs/lifecycle.md records ("Ambiguities and the choices made").

An image is written ``Img(name, age_days, tags...)`` (its digest is ``sha256:<name>``, pushed ``age_days`` before
``NOW``); ``expected`` maps the name of every image the policy acts on to ``(action, rule priority)``; the others
stay.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}
EXPIRE = {"type": "expire"}


@dataclass(frozen=True)
class Img:
    """One image; ages in days before ``NOW`` (``None``: never)."""

    name: str
    age_days: float
    tags: tuple[str, ...] = ()
    pulled_days: float | None = None
    storage_class: str = "standard"  # standard | archive | activating (imageStatus ACTIVE | ARCHIVED | ACTIVATING)
    archived_days: float | None = None
    activated_days: float | None = None
    children: tuple[str, ...] = ()  # names of the manifests a manifest list references
    subject: str | None = None  # name of a reference artifact's subject

    @property
    def digest(self) -> str:
        return f"sha256:{self.name}"

    @staticmethod
    def at(days: float | None) -> datetime | None:
        return None if days is None else NOW - days * DAY


def img(name: str, age_days: float, *tags: str, **facts: Any) -> Img:
    return Img(name, age_days, tuple(tags), **facts)


def rule(priority: int, action: dict[str, Any] | None = None, description: str | None = None,
         **selection: Any) -> dict[str, Any]:
    """One rule in ECR's JSON; ``selection`` as the page writes it."""
    body: dict[str, Any] = {"rulePriority": priority}
    if description:
        body["description"] = description
    body["selection"] = selection
    body["action"] = action or EXPIRE
    return body


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # the page and heading
    policy: dict[str, Any]
    images: tuple[Img, ...]
    expected: dict[str, tuple[str, int]]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# EXAMPLES, "Combining archive and expire rules" (also used by the validation and CDK tests).
COMBINED_ARCHIVE_AND_EXPIRE = {"rules": [
    rule(1, ARCHIVE, "Archive images older than 30 days", tagStatus="any", countType="sinceImagePushed",
         countUnit="days", countNumber=30),
    rule(2, EXPIRE, "Expire images archived for more than 365 days", tagStatus="any", storageClass="archive",
         countType="sinceImageTransitioned", countUnit="days", countNumber=365)]}

_MULTIPLE_RULES_CONTENTS = (img("A", 10, "beta-1", "prod-1"), img("B", 9, "beta-2", "prod-2"), img("C", 8, "beta-3"))


def _multiple(first: str, second: str) -> dict[str, Any]:
    return {"rules": [rule(1, description="Rule 1", tagStatus="tagged", tagPatternList=[first],
                           countType="imageCountMoreThan", countNumber=1),
                      rule(2, description="Rule 2", tagStatus="tagged", tagPatternList=[second],
                           countType="imageCountMoreThan", countNumber=1)]}


def _one(selection_and_action: dict[str, Any]) -> dict[str, Any]:
    action = selection_and_action.pop("action", None)
    return {"rules": [rule(1, action, **selection_and_action)]}


EXAMPLE_CASES = (
    Case("filtering_on_image_age", "EXAMPLES, Filtering on image age",
         {"rules": [rule(1, description="Expire images older than 14 days", tagStatus="tagged",
                         tagPatternList=["prod*"], countType="sinceImagePushed", countUnit="days", countNumber=14)]},
         (img("old-prod", 15, "prod-1"), img("new-prod", 13, "prod-2"), img("old-dev", 30, "dev-1")),
         {"old-prod": ("expire", 1)}, "no contents on the page: one prod image each side of 14 days, an old dev one"),
    Case("filtering_on_last_pulled_time", "EXAMPLES, Filtering on last pulled time",
         {"rules": [rule(1, ARCHIVE, "Archive images not pulled in 90 days", tagStatus="any",
                         countType="sinceImagePulled", countUnit="days", countNumber=90)]},
         (img("stale", 200, "a", pulled_days=91), img("used", 200, "b", pulled_days=10), img("never-pulled", 100, "c")),
         {"stale": ("transition", 1), "never-pulled": ("transition", 1)},
         "no contents on the page; EVAL: a never pulled image counts from its push"),
    Case("filtering_on_archive_transition_time", "EXAMPLES, Filtering on archive transition time",
         {"rules": [rule(1, description="Expire images archived for more than 365 days", tagStatus="any",
                         storageClass="archive", countType="sinceImageTransitioned", countUnit="days",
                         countNumber=365)]},
         (img("long-archived", 900, "a", storage_class="archive", archived_days=366),
          img("lately-archived", 900, "b", storage_class="archive", archived_days=100), img("standard", 900, "c")),
         {"long-archived": ("expire", 1)}, "no contents on the page: archived images each side of 365 days"),
    Case("filtering_on_image_count", "EXAMPLES, Filtering on image count",
         {"rules": [rule(1, description="Keep only one untagged image, expire all others", tagStatus="untagged",
                         countType="imageCountMoreThan", countNumber=1)]},
         (img("u1", 1), img("u2", 2), img("u3", 3), img("t", 9, "v1")),
         {"u2": ("expire", 1), "u3": ("expire", 1)}, "no contents on the page: three untagged images, a tagged one"),
    Case("filtering_on_multiple_rules_example_a", "EXAMPLES, Filtering on multiple rules, Example A",
         _multiple("prod*", "beta*"), _MULTIPLE_RULES_CONTENTS, {"A": ("expire", 1)},
         "documented result: Image A is expired (B is seen by rule 1, so rule 2 skips it)"),
    Case("filtering_on_multiple_rules_example_b", "EXAMPLES, Filtering on multiple rules, Example B",
         _multiple("beta*", "prod*"), _MULTIPLE_RULES_CONTENTS, {"A": ("expire", 1), "B": ("expire", 1)},
         "documented result: Images A and B are expired"),
    Case("filtering_on_multiple_tags_in_a_single_rule_example_a",
         "EXAMPLES, Filtering on multiple tags in a single rule, Example A",
         {"rules": [rule(1, description="Rule 1", tagStatus="tagged", tagPatternList=["alpha*", "beta*"],
                         countType="sinceImagePushed", countNumber=5, countUnit="days")]},
         (img("A", 12, "alpha-1"), img("B", 11, "beta-1"), img("C", 10, "alpha-2", "beta-2"), img("D", 4, "alpha-3"),
          img("E", 3, "beta-3"), img("F", 2, "alpha-4", "beta-4")),
         {"C": ("expire", 1)}, "documented result: Image C is expired"),
    Case("filtering_on_multiple_tags_in_a_single_rule_example_b",
         "EXAMPLES, Filtering on multiple tags in a single rule, Example B",
         {"rules": [rule(1, description="Rule 1", tagStatus="tagged", tagPatternList=["alpha*", "beta*"],
                         countType="imageCountMoreThan", countNumber=1)]},
         (img("A", 10, "alpha-1", "beta-1", "gamma-1"), img("B", 9, "alpha-2", "beta-2"),
          img("C", 8, "alpha-3", "beta-3", "gamma-2")),
         {"A": ("expire", 1), "B": ("expire", 1)}, "documented result: Images A and B are expired"),
    Case("filtering_on_all_images_example_a", "EXAMPLES, Filtering on all images, Example A",
         {"rules": [rule(1, description="Rule 1", tagStatus="any", countType="imageCountMoreThan", countNumber=1)]},
         (img("A", 4, "alpha-1"), img("B", 3, "beta-1"), img("C", 2), img("D", 1, "alpha-2")),
         {"A": ("expire", 1), "B": ("expire", 1), "C": ("expire", 1)}, "documented result: Images A, B, and C"),
    Case("filtering_on_all_images_example_b", "EXAMPLES, Filtering on all images, Example B",
         {"rules": [rule(1, description="Rule 1", tagStatus="tagged", tagPatternList=["alpha*"],
                         countType="imageCountMoreThan", countNumber=1),
                    rule(2, description="Rule 2", tagStatus="untagged", countType="sinceImagePushed",
                         countUnit="days", countNumber=1),
                    rule(3, description="Rule 3", tagStatus="any", countType="imageCountMoreThan", countNumber=1)]},
         (img("A", 4, "alpha-1", "beta-1"), img("B", 3), img("C", 2, "alpha-2"), img("D", 1 + 1 / 24, "git hash"),
          img("E", 1)),
         {"A": ("expire", 1), "B": ("expire", 2), "D": ("expire", 3)},
         "documented result: Images A, B, and D; the page lists D and E both '1 day ago', oldest first, and rule 3 "
         "keeps E as the newest: so D is pushed an hour before E (CHOICE 8)"),
    Case("archiving_images_older_than_a_specified_number_of_days",
         "EXAMPLES, Archive examples, Archiving images older than a specified number of days",
         {"rules": [rule(1, ARCHIVE, "Archive production images older than 30 days", tagStatus="tagged",
                         tagPatternList=["prod*"], countType="sinceImagePushed", countUnit="days", countNumber=30)]},
         (img("old-prod", 31, "prod-1"), img("new-prod", 29, "prod-2"), img("old-dev", 60, "dev")),
         {"old-prod": ("transition", 1)}, "no contents on the page: prod images each side of 30 days, an old dev one"),
    Case("archiving_images_not_pulled_in_a_specified_number_of_days",
         "EXAMPLES, Archive examples, Archiving images not pulled in a specified number of days",
         {"rules": [rule(1, ARCHIVE, "Archive images not pulled in 90 days", tagStatus="any",
                         countType="sinceImagePulled", countUnit="days", countNumber=90)]},
         (img("restored", 400, "a", pulled_days=300, archived_days=200, activated_days=10),
          img("stale", 400, "b", pulled_days=120)),
         {"stale": ("transition", 1)},
         "no contents on the page: a restored image not pulled since its restore 10 days ago stays (EVAL)"),
    Case("combining_archive_and_expire_rules", "EXAMPLES, Archive examples, Combining archive and expire rules",
         COMBINED_ARCHIVE_AND_EXPIRE,
         (img("new", 2, "v4"), img("month-old", 40, "v3"),
          img("archived-long", 800, "v1", storage_class="archive", archived_days=400),
          img("archived-lately", 200, "v2", storage_class="archive", archived_days=100)),
         {"month-old": ("transition", 1), "archived-long": ("expire", 2)},
         "no contents on the page: a new image, a 40-day-old one, archived 400 and 100 days ago"),
)


def _rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


def _since(priority: int, days: int, count_type: str = "sinceImagePushed", action: dict[str, Any] | None = None,
           **selection: Any) -> dict[str, Any]:
    selection.setdefault("tagStatus", "any")
    return rule(priority, action, countType=count_type, countUnit="days", countNumber=days, **selection)


def _count(priority: int, number: int, action: dict[str, Any] | None = None, **selection: Any) -> dict[str, Any]:
    selection.setdefault("tagStatus", "any")
    return rule(priority, action, countType="imageCountMoreThan", countNumber=number, **selection)


EVALUATION_CASES = (
    Case("reference_artifacts_follow_their_subject_when_it_is_expired", "EVAL",
         _rules(_since(1, 30, tagStatus="tagged", tagPrefixList=["v"])),
         (img("app", 40, "v1"), img("signature", 1, subject="app")),
         {"app": ("expire", 1), "signature": ("expire", 1)},
         "\"lifecycle policies automatically expire or archive those artifacts ... of the deletion or archival of "
         "the subject image\" (CHOICE 10: in the same evaluation, with the subject's rule)"),
    Case("reference_artifacts_follow_their_subject_into_the_archive", "EVAL",
         _rules(_since(1, 30, action=ARCHIVE, tagStatus="tagged", tagPrefixList=["v"])),
         (img("app", 40, "v1"), img("sbom", 1, subject="app")),
         {"app": ("transition", 1), "sbom": ("transition", 1)}, "the same rule, archival"),
    Case("all_rules_are_evaluated_at_once_so_a_lower_rule_still_counts_images_a_higher_rule_keeps", "EVAL",
         _rules(_since(1, 7, tagStatus="untagged"), _count(2, 2)),
         (img("u1", 1), img("u2", 2), img("u3", 3), img("t", 4, "v1")), {"t": ("expire", 2)},
         "\"All rules are evaluated at the same time, regardless of rule priority. After all rules are evaluated, "
         "they are then applied based on rule priority.\""),
    Case("an_image_is_acted_on_by_at_most_one_rule_the_highest_priority_one", "EVAL",
         _rules(_since(1, 30, action=ARCHIVE, tagStatus="tagged", tagPrefixList=["v"]), _since(2, 10)),
         (img("old", 100, "v1"),), {"old": ("transition", 1)},
         "\"An image is expired or archived by exactly one or zero rules.\""),
    Case("an_image_matching_a_higher_rule_cannot_be_expired_by_a_lower_rule", "EVAL",
         _rules(_count(1, 5, tagStatus="tagged", tagPrefixList=["v"]), _since(2, 10)),
         (img("release", 100, "v1"), img("scratch", 100, "tmp")), {"scratch": ("expire", 2)},
         "\"An image that matches the tagging requirements of a rule cannot be expired or archived by a rule with a "
         "lower priority.\""),
    Case("rules_identify_images_marked_by_higher_rules_but_never_mark_them", "EVAL",
         _rules(_since(1, 30, tagStatus="tagged", tagPrefixList=["v"]), _count(2, 1)),
         (img("new", 1, "x"), img("mid", 2, "x"), img("old", 50, "v1")),
         {"old": ("expire", 1), "mid": ("expire", 2)},
         "\"Rules can never mark images that are marked by higher priority rules, but can still identify them as if "
         "they haven't been expired or archived.\""),
    Case("an_image_referenced_by_a_manifest_list_is_not_expired_while_the_list_stays", "EVAL",
         _rules(_since(1, 7, tagStatus="untagged")),
         (img("index", 30, "v1", children=("amd64", "arm64")), img("amd64", 30), img("arm64", 30), img("orphan", 30)),
         {"orphan": ("expire", 1)},
         "\"If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list "
         "being deleted or archived first.\""),
    Case("an_image_referenced_by_an_archived_manifest_list_can_be_expired", "EVAL",
         _rules(_since(1, 7, tagStatus="untagged")),
         (img("index", 300, "v1", children=("amd64",), storage_class="archive", archived_days=100), img("amd64", 300)),
         {"amd64": ("expire", 1)}, "the same rule: an archived list no longer holds its manifests"),
    Case("a_manifest_list_expired_in_this_evaluation_still_holds_its_manifests", "CHOICE 9a",
         _rules(_since(1, 7, tagStatus="untagged")),
         (img("index", 30, children=("amd64",)), img("amd64", 30)), {"index": ("expire", 1)},
         "\"deleted ... first\" means in an earlier evaluation"),
    Case("a_held_manifest_still_counts_toward_image_count_more_than", "CHOICE 9c",
         _rules(_count(1, 1)),
         (img("index", 1, "v2", children=("child",)), img("child", 2), img("other", 3, "v1")),
         {"other": ("expire", 1)}, "a held manifest is identified (counted) but never marked"),
    Case("image_count_orders_a_restored_image_by_its_restore_time", "EVAL",
         _rules(_count(1, 2)),
         (img("restored", 300, "v1", archived_days=200, activated_days=1), img("recent", 5, "v2"),
          img("older", 10, "v3")), {"older": ("expire", 1)},
         "\"If an image was archived and then restored at any point in the past, the image's last_activated_at is "
         "used instead of pushed_at_time.\""),
    Case("both_prefix_and_pattern_rules_may_be_used_in_one_policy", "EVAL",
         _rules(_since(1, 30, tagStatus="tagged", tagPrefixList=["release-"]),
                _since(2, 30, tagStatus="tagged", tagPatternList=["feature-*"])),
         (img("a", 40, "release-1"), img("b", 40, "feature-x")), {"a": ("expire", 1), "b": ("expire", 2)},
         "\"A lifecycle policy may contain multiple rules where different rules use both pattern and prefix lists.\""),
    Case("a_tag_pattern_with_a_trailing_wildcard_matches_tags_that_begin_with_it", "PROPS, Tag pattern list",
         _rules(_since(1, 30, tagStatus="tagged", tagPatternList=["prod*"])),
         tuple(img(t, 40, t) for t in ("prod", "prod1", "production-team1", "repo-production", "dev")),
         {"prod": ("expire", 1), "prod1": ("expire", 1), "production-team1": ("expire", 1)},
         "\"if a filter of prod* is applied, it would match image tags whose name begins with prod, such as prod, "
         "prod1, or production-team1\""),
    Case("a_tag_pattern_with_wildcards_on_both_sides_matches_tags_that_contain_it", "PROPS, Tag pattern list",
         _rules(_since(1, 30, tagStatus="tagged", tagPatternList=["*prod*"])),
         tuple(img(t, 40, t) for t in ("prod", "prod1", "production-team1", "repo-production", "dev")),
         {"prod": ("expire", 1), "prod1": ("expire", 1), "production-team1": ("expire", 1),
          "repo-production": ("expire", 1)},
         "\"if a filter of *prod* is applied, it would match image tags whose name contains prod such as "
         "repo-production or prod-team\""),
    Case("every_prefix_of_a_tag_prefix_list_must_match_one_of_the_images_tags", "EVAL",
         _rules(_since(1, 30, tagStatus="tagged", tagPrefixList=["prod", "beta"])),
         (img("both", 40, "prod-1", "beta-1"), img("prod-only", 40, "prod-2")), {"both": ("expire", 1)},
         "\"When using tagPrefixList, an image is successfully matched if all of the tags in the tagPrefixList value "
         "are matched against any of the image's tags.\""),
    Case("image_count_more_than_keeps_the_youngest_n_by_push_time", "EVAL",
         _rules(_count(1, 2, action=ARCHIVE)),
         (img("a", 1, "v1"), img("b", 2, "v2"), img("c", 3, "v3"), img("d", 4, "v4")),
         {"c": ("transition", 1), "d": ("transition", 1)},
         "\"images are sorted from youngest to oldest based on pushed_at_time and then all images greater than the "
         "specified count are expired or archived\""),
    Case("since_image_pushed_acts_on_images_pushed_more_than_n_days_ago", "EVAL",
         _rules(_since(1, 7)), (img("young", 6), img("old", 8)), {"old": ("expire", 1)},
         "\"all images whose pushed_at_time is older than the specified number of days\""),
    Case("an_image_exactly_n_days_old_is_not_older_than_n_days", "CHOICE 7",
         _rules(_since(1, 1, tagStatus="untagged")), (img("exact", 1),), {},
         "'older than N days' is strict (EXAMPLES, Filtering on all images, Example B keeps E)"),
    Case("since_image_pushed_measures_a_restored_image_from_its_push", "CHOICE 6",
         _rules(_since(1, 30, action=ARCHIVE)),
         (img("restored", 300, "v1", archived_days=200, activated_days=1),), {"restored": ("transition", 1)},
         "the sinceImagePushed bullet names pushed_at_time"),
    Case("since_image_pulled_measures_from_the_last_recorded_pull", "EVAL",
         _rules(_since(1, 30, "sinceImagePulled", ARCHIVE)),
         (img("pulled-lately", 200, "a", pulled_days=5), img("stale", 200, "b", pulled_days=60)),
         {"stale": ("transition", 1)}, "\"all images whose last_recorded_pulltime is older than ...\""),
    Case("since_image_pulled_counts_a_never_pulled_image_from_its_push", "EVAL",
         _rules(_since(1, 30, "sinceImagePulled", ARCHIVE)),
         (img("never-new", 10, "a"), img("never-old", 40, "b")), {"never-old": ("transition", 1)},
         "\"If an image was never pulled, the image's pushed_at_time is used instead\""),
    Case("since_image_pulled_counts_a_restored_image_not_pulled_since_from_its_restore", "EVAL",
         _rules(_since(1, 30, "sinceImagePulled", ARCHIVE)),
         (img("restored", 400, "a", pulled_days=300, archived_days=200, activated_days=5),
          img("restored-long-ago", 400, "b", archived_days=200, activated_days=50)),
         {"restored-long-ago": ("transition", 1)},
         "\"restored, but never pulled since the image was restored, the image's last_activated_at is used\""),
    Case("since_image_transitioned_expires_archived_images_by_their_archive_time", "EVAL",
         _rules(_since(1, 180, "sinceImageTransitioned", storageClass="archive")),
         (img("long", 400, "a", storage_class="archive", archived_days=200),
          img("recent", 400, "b", storage_class="archive", archived_days=95), img("standard", 400, "c")),
         {"long": ("expire", 1)}, "\"all archived images whose last_archived_at is older than ...\""),
    Case("a_rule_only_selects_images_of_its_storage_class", "PROPS, Storage class",
         _rules(_since(1, 30)),
         (img("archived", 400, "a", storage_class="archive", archived_days=100), img("standard", 400, "b")),
         {"standard": ("expire", 1)}, "\"The rule will only select images of this storage class\""),
    Case("an_archive_rule_does_not_shield_standard_images_from_lower_rules", "CHOICE 5",
         _rules(_since(1, 365, "sinceImageTransitioned", storageClass="archive"), _since(2, 30, action=ARCHIVE)),
         (img("standard-old", 40, "v1"), img("archived-old", 900, "v0", storage_class="archive", archived_days=400)),
         {"archived-old": ("expire", 1), "standard-old": ("transition", 2)},
         "a rule identifies only images of its own storage class"),
    Case("an_image_being_restored_is_left_alone", "CHOICE 11",
         _rules(_since(1, 30, action=ARCHIVE), _since(2, 90, "sinceImageTransitioned", storageClass="archive")),
         (img("restoring", 400, "v1", storage_class="activating", archived_days=300),), {},
         "an ACTIVATING image is in neither storage class yet"),
    Case("images_pushed_at_the_same_moment_are_ordered_by_digest", "CHOICE 8",
         _rules(_count(1, 1)), (img("b", 3, "v2"), img("a", 3, "v1")), {"a": ("expire", 1)},
         "an exact tie in push time: the greater digest counts as newer"),
)

CASES = EXAMPLE_CASES + EVALUATION_CASES
