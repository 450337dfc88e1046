"""Every example on the ECR user guide page "Examples of lifecycle policies in Amazon ECR"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html), one test per
example: the policy exactly as the page prints it passes our validation, and the evaluator gives the page's
result on the page's repository contents. Where the page gives no repository contents (the single-rule and
archive examples), the test builds contents from the example's own sentence and says so.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from ecr_spec import parse_policy_text
from ecr_spec.lifecycle_evaluation import Image, evaluate

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def rule(priority: int, selection: dict[str, Any], action: dict[str, Any] | None = None,
         description: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"rulePriority": priority}
    if description:
        body["description"] = description
    body["selection"] = selection
    body["action"] = action or {"type": "expire"}
    return body


ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}


def image(name: str, tags: list[str], pushed: timedelta, **fields: Any) -> Image:
    return Image(digest=f"sha256:{name}", tags=tuple(tags), pushed_at=NOW - pushed, **fields)


def outcome(policy: dict[str, Any], images: list[Image]) -> dict[str, str]:
    """Checks the policy like `cdk synth` does, then evaluates it: {image name: action} for images acted on."""
    rules = parse_policy_text(json.dumps(policy))
    return {v.image.digest[7:]: v.action for v in evaluate(rules, images, NOW) if v.action != "keep"}


def test_filtering_on_image_age() -> None:
    """Heading "Filtering on image age": expires images tagged prod* older than 14 days.
    The page gives no repository contents: one prod image on each side of 14 days, one older non-prod image."""
    policy = {"rules": [rule(1, {"tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "sinceImagePushed",
                                 "countUnit": "days", "countNumber": 14}, description="Expire images older than 14 days")]}
    images = [image("old-prod", ["prod-1"], 15 * DAY), image("new-prod", ["prod-2"], 13 * DAY),
              image("old-dev", ["dev-1"], 30 * DAY)]

    assert outcome(policy, images) == {"old-prod": "expire"}


def test_filtering_on_last_pulled_time() -> None:
    """Heading "Filtering on last pulled time": archives images not pulled in 90 days.
    No contents on the page: one pulled 91 days ago, one pulled 10 days ago, one never pulled since its push
    100 days ago (the evaluation rules page: never pulled counts from the push)."""
    policy = {"rules": [rule(1, {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                                 "countNumber": 90}, ARCHIVE, "Archive images not pulled in 90 days")]}
    images = [image("stale", ["a"], 200 * DAY, last_pulled_at=NOW - 91 * DAY),
              image("used", ["b"], 200 * DAY, last_pulled_at=NOW - 10 * DAY), image("never-pulled", ["c"], 100 * DAY)]

    assert outcome(policy, images) == {"stale": "transition", "never-pulled": "transition"}


def test_filtering_on_archive_transition_time() -> None:
    """Heading "Filtering on archive transition time": expires images archived for more than 365 days.
    No contents on the page: two archived images on each side of 365 days and an old standard image."""
    policy = {"rules": [rule(1, {"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
                                 "countUnit": "days", "countNumber": 365}, description="Expire images archived for "
                                                                                       "more than 365 days")]}
    images = [image("long-archived", ["a"], 900 * DAY, storage_class="archive", archived_at=NOW - 366 * DAY),
              image("lately-archived", ["b"], 900 * DAY, storage_class="archive", archived_at=NOW - 100 * DAY),
              image("standard", ["c"], 900 * DAY)]

    assert outcome(policy, images) == {"long-archived": "expire"}


def test_filtering_on_image_count() -> None:
    """Heading "Filtering on image count": keeps only one untagged image and expires all others.
    No contents on the page: three untagged images and a tagged one."""
    policy = {"rules": [rule(1, {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
                             description="Keep only one untagged image, expire all others")]}
    images = [image("u1", [], 1 * DAY), image("u2", [], 2 * DAY), image("u3", [], 3 * DAY), image("t", ["v1"], 9 * DAY)]

    assert outcome(policy, images) == {"u2": "expire", "u3": "expire"}


MULTIPLE_RULES_CONTENTS = [image("A", ["beta-1", "prod-1"], 10 * DAY), image("B", ["beta-2", "prod-2"], 9 * DAY),
                           image("C", ["beta-3"], 8 * DAY)]


def test_filtering_on_multiple_rules_example_a() -> None:
    """Heading "Filtering on multiple rules", "Example A": rule 1 prod*, rule 2 beta*, keep one each.
    Documented result: Image A is expired (B is seen by rule 1, so rule 2 skips it)."""
    policy = {"rules": [
        rule(1, {"tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "imageCountMoreThan",
                 "countNumber": 1}, description="Rule 1"),
        rule(2, {"tagStatus": "tagged", "tagPatternList": ["beta*"], "countType": "imageCountMoreThan",
                 "countNumber": 1}, description="Rule 2")]}

    assert outcome(policy, MULTIPLE_RULES_CONTENTS) == {"A": "expire"}


def test_filtering_on_multiple_rules_example_b() -> None:
    """Heading "Filtering on multiple rules", "Example B": the same repository, beta* first.
    Documented result: Images A and B are expired."""
    policy = {"rules": [
        rule(1, {"tagStatus": "tagged", "tagPatternList": ["beta*"], "countType": "imageCountMoreThan",
                 "countNumber": 1}, description="Rule 1"),
        rule(2, {"tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "imageCountMoreThan",
                 "countNumber": 1}, description="Rule 2")]}

    assert outcome(policy, MULTIPLE_RULES_CONTENTS) == {"A": "expire", "B": "expire"}


def test_filtering_on_multiple_tags_in_a_single_rule_example_a() -> None:
    """Heading "Filtering on multiple tags in a single rule", "Example A": alpha* and beta*, older than 5 days.
    Documented result: Image C is expired."""
    policy = {"rules": [rule(1, {"tagStatus": "tagged", "tagPatternList": ["alpha*", "beta*"],
                                 "countType": "sinceImagePushed", "countNumber": 5, "countUnit": "days"},
                             description="Rule 1")]}
    images = [image("A", ["alpha-1"], 12 * DAY), image("B", ["beta-1"], 11 * DAY),
              image("C", ["alpha-2", "beta-2"], 10 * DAY), image("D", ["alpha-3"], 4 * DAY),
              image("E", ["beta-3"], 3 * DAY), image("F", ["alpha-4", "beta-4"], 2 * DAY)]

    assert outcome(policy, images) == {"C": "expire"}


def test_filtering_on_multiple_tags_in_a_single_rule_example_b() -> None:
    """Heading "Filtering on multiple tags in a single rule", "Example B": tags are not exclusive.
    Documented result: Images A and B are expired."""
    policy = {"rules": [rule(1, {"tagStatus": "tagged", "tagPatternList": ["alpha*", "beta*"],
                                 "countType": "imageCountMoreThan", "countNumber": 1}, description="Rule 1")]}
    images = [image("A", ["alpha-1", "beta-1", "gamma-1"], 10 * DAY), image("B", ["alpha-2", "beta-2"], 9 * DAY),
              image("C", ["alpha-3", "beta-3", "gamma-2"], 8 * DAY)]

    assert outcome(policy, images) == {"A": "expire", "B": "expire"}


def test_filtering_on_all_images_example_a() -> None:
    """Heading "Filtering on all images", "Example A": one any rule keeping one image.
    Documented result: Images A, B, and C are expired."""
    policy = {"rules": [rule(1, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                             description="Rule 1")]}
    images = [image("A", ["alpha-1"], 4 * DAY), image("B", ["beta-1"], 3 * DAY), image("C", [], 2 * DAY),
              image("D", ["alpha-2"], 1 * DAY)]

    assert outcome(policy, images) == {"A": "expire", "B": "expire", "C": "expire"}


def test_filtering_on_all_images_example_b() -> None:
    """Heading "Filtering on all images", "Example B": tagged alpha*, untagged older than 1 day, any keep 1.
    Documented result: Images A, B, and D are expired. The page lists D and E both as "Pushed: 1 day ago",
    oldest first, and rule 3 keeps E as the newest: so E was pushed after D (here: D one hour earlier)."""
    policy = {"rules": [
        rule(1, {"tagStatus": "tagged", "tagPatternList": ["alpha*"], "countType": "imageCountMoreThan",
                 "countNumber": 1}, description="Rule 1"),
        rule(2, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
             description="Rule 2"),
        rule(3, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}, description="Rule 3")]}
    images = [image("A", ["alpha-1", "beta-1"], 4 * DAY), image("B", [], 3 * DAY), image("C", ["alpha-2"], 2 * DAY),
              image("D", ["git hash"], DAY + timedelta(hours=1)), image("E", [], DAY)]

    assert outcome(policy, images) == {"A": "expire", "B": "expire", "D": "expire"}


def test_archiving_images_older_than_a_specified_number_of_days() -> None:
    """Heading "Archive examples", "Archiving images older than a specified number of days": archives prod*
    images older than 30 days. No contents on the page: prod images on each side of 30 days, an old dev image."""
    policy = {"rules": [rule(1, {"tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "sinceImagePushed",
                                 "countUnit": "days", "countNumber": 30}, ARCHIVE,
                             "Archive production images older than 30 days")]}
    images = [image("old-prod", ["prod-1"], 31 * DAY), image("new-prod", ["prod-2"], 29 * DAY),
              image("old-dev", ["dev"], 60 * DAY)]

    assert outcome(policy, images) == {"old-prod": "transition"}


def test_archiving_images_not_pulled_in_a_specified_number_of_days() -> None:
    """Heading "Archive examples", "Archiving images not pulled in a specified number of days" (90).
    No contents on the page: a restored image not pulled since its restore 10 days ago stays (evaluation rules
    page: its last_activated_at counts), one pulled 120 days ago is archived."""
    policy = {"rules": [rule(1, {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                                 "countNumber": 90}, ARCHIVE, "Archive images not pulled in 90 days")]}
    images = [image("restored", ["a"], 400 * DAY, last_pulled_at=NOW - 300 * DAY, archived_at=NOW - 200 * DAY,
                    activated_at=NOW - 10 * DAY),
              image("stale", ["b"], 400 * DAY, last_pulled_at=NOW - 120 * DAY)]

    assert outcome(policy, images) == {"stale": "transition"}


def test_combining_archive_and_expire_rules() -> None:
    """Heading "Archive examples", "Combining archive and expire rules": archive images older than 30 days,
    expire images archived for more than 365 days; two tagStatus any rules, one per storage class.
    No contents on the page: a new image, a 40-day-old one, one archived 400 days ago, one archived 100 days ago."""
    policy = {"rules": [
        rule(1, {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
             ARCHIVE, "Archive images older than 30 days"),
        rule(2, {"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
                 "countUnit": "days", "countNumber": 365}, description="Expire images archived for more than 365 days")]}
    images = [image("new", ["v4"], 2 * DAY), image("month-old", ["v3"], 40 * DAY),
              image("archived-long", ["v1"], 800 * DAY, storage_class="archive", archived_at=NOW - 400 * DAY),
              image("archived-lately", ["v2"], 200 * DAY, storage_class="archive", archived_at=NOW - 100 * DAY)]

    assert outcome(policy, images) == {"month-old": "transition", "archived-long": "expire"}
