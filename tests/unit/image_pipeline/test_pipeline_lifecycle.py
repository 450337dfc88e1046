"""The local lifecycle evaluator as image-pipeline imports it: ages, counts, archive (one per test).
The evaluation rules themselves, each with its page, are tested in tests/unit/test_lifecycle_evaluation_rules.py."""
from datetime import datetime, timedelta, timezone

from ecr_spec import LifecycleRule
import ecr_spec.model.lifecycle_evaluation
from ecr_spec.model import lifecycle_evaluation as lifecycle
from ecr_spec.model.lifecycle_evaluation import Image, evaluate

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def image(name, days_ago, *tags, pulled_days_ago=None, archived_days_ago=None):
    return Image(digest=f"sha256:{name}", tags=tuple(tags), pushed_at=NOW - timedelta(days=days_ago),
                 last_pulled_at=NOW - timedelta(days=pulled_days_ago) if pulled_days_ago is not None else None,
                 storage_class="archive" if archived_days_ago is not None else "standard",
                 archived_at=NOW - timedelta(days=archived_days_ago) if archived_days_ago is not None else None)


def rule(priority, tag_status, count_type, count_number, *, prefixes=(), patterns=(), action="expire",
         storage_class=None):
    unit = None if count_type == "imageCountMoreThan" else "days"
    return LifecycleRule(rule_priority=priority, tag_status=tag_status, count_type=count_type,
                         count_number=count_number, action=action, tag_prefix_list=tuple(prefixes),
                         tag_pattern_list=tuple(patterns), count_unit=unit,
                         target_storage_class="archive" if action == "transition" else None,
                         storage_class=storage_class)


def outcome(rules, images):
    return {v.image.digest[7:]: (v.action, v.rule_priority if v.action != "keep" else None)
            for v in evaluate(rules, images, NOW)}


def test_image_count_more_than_keeps_the_newest_n_and_expires_the_oldest_first():
    images = [image(n, age, f"v{age}") for n, age in (("a", 1), ("b", 2), ("c", 3), ("d", 4))]

    result = outcome([rule(1, "any", "imageCountMoreThan", 2)], images)

    assert result == {"a": ("keep", None), "b": ("keep", None), "c": ("expire", 1), "d": ("expire", 1)}


def test_since_image_pushed_expires_images_older_than_the_count_in_days():
    images = [image("young", 6), image("old", 8)]

    assert outcome([rule(1, "untagged", "sinceImagePushed", 7)], images) == {
        "young": ("keep", None), "old": ("expire", 1)}


def test_untagged_rules_ignore_tagged_images():
    images = [image("tagged", 30, "v1"), image("untagged", 30)]

    assert outcome([rule(1, "untagged", "sinceImagePushed", 7)], images) == {
        "tagged": ("keep", None), "untagged": ("expire", 1)}


def test_tag_prefix_list_needs_every_prefix_to_match_some_tag():
    images = [image("both", 10, "prod-1", "beta-1"), image("prod-only", 10, "prod-2")]

    result = outcome([rule(1, "tagged", "sinceImagePushed", 1, prefixes=("prod", "beta"))], images)

    assert result == {"both": ("expire", 1), "prod-only": ("keep", None)}


def test_tag_pattern_list_supports_wildcards_and_needs_every_pattern():
    images = [image("match", 10, "prod-2026-eu"), image("half", 10, "prod-2026-us"), image("none", 10, "dev")]

    result = outcome([rule(1, "tagged", "sinceImagePushed", 1, patterns=("prod*", "*-eu"))], images)

    assert result == {"match": ("expire", 1), "half": ("keep", None), "none": ("keep", None)}


def test_an_image_selected_by_a_higher_priority_rule_is_shielded_from_lower_ones():
    # ECR's documented example: rule 1 keeps one 'prod' image, rule 2 keeps one 'beta' image.
    images = [image("A", 10, "beta-1", "prod-1"), image("B", 9, "beta-2", "prod-2"), image("C", 8, "beta-3")]
    rules = [rule(1, "tagged", "imageCountMoreThan", 1, prefixes=("prod",)),
             rule(2, "tagged", "imageCountMoreThan", 1, prefixes=("beta",))]

    # Rule 2 counts A, B and C (so it would pick A and B) but B is seen by rule 1 and kept by it.
    assert outcome(rules, images) == {"A": ("expire", 1), "B": ("keep", None), "C": ("keep", None)}


def test_an_image_is_expired_by_at_most_one_rule_the_highest_priority_one():
    images = [image("old", 100, "v1")]
    rules = [rule(1, "tagged", "sinceImagePushed", 30, prefixes=("v",)),
             rule(2, "any", "sinceImagePushed", 10)]

    verdicts = evaluate(rules, images, NOW)

    assert [(v.action, v.rule_priority) for v in verdicts] == [("expire", 1)]


def test_rules_are_evaluated_together_so_lower_rules_still_count_shielded_images():
    # 3 untagged young images are shielded by rule 1; rule 2 (keep 2) still counts them, so the tagged
    # image, the oldest of all four beyond the newest two, is expired by rule 2.
    images = [image("u1", 1), image("u2", 2), image("u3", 3), image("t", 4, "v1")]
    rules = [rule(1, "untagged", "sinceImagePushed", 7), rule(2, "any", "imageCountMoreThan", 2)]

    assert outcome(rules, images) == {"u1": ("keep", None), "u2": ("keep", None), "u3": ("keep", None),
                                      "t": ("expire", 2)}


def test_the_usual_policy_expires_old_untagged_images_and_keeps_the_last_n():
    images = [image(f"t{i}", i, f"v{i}") for i in range(1, 5)] + [image("u-old", 8), image("u-new", 2)]
    rules = [rule(1, "untagged", "sinceImagePushed", 7), rule(2, "any", "imageCountMoreThan", 3)]

    result = outcome(rules, images)

    assert result["u-old"] == ("expire", 1)
    assert result["u-new"] == ("keep", None)
    assert result["t4"] == ("expire", 2) and result["t3"] == ("expire", 2)
    assert result["t1"] == ("keep", None) and result["t2"] == ("keep", None)


def test_since_image_pulled_transitions_images_not_pulled_for_n_days():
    images = [image("pulled-lately", 200, "a", pulled_days_ago=5), image("stale", 200, "b", pulled_days_ago=60),
              image("never-pulled", 100, "c")]
    rules = [rule(1, "any", "sinceImagePulled", 30, action="transition")]

    assert outcome(rules, images) == {"pulled-lately": ("keep", None), "stale": ("transition", 1),
                                      "never-pulled": ("transition", 1)}


def test_since_image_transitioned_expires_archived_images_only():
    images = [image("archived-long", 400, "a", archived_days_ago=200),
              image("archived-recent", 400, "b", archived_days_ago=10), image("standard", 400, "c")]
    rules = [rule(1, "any", "sinceImageTransitioned", 180, storage_class="archive")]

    assert outcome(rules, images) == {"archived-long": ("expire", 1), "archived-recent": ("keep", None),
                                      "standard": ("keep", None)}


def test_standard_rules_do_not_touch_archived_images():
    images = [image("archived", 400, "a", archived_days_ago=100), image("standard", 400, "b")]

    assert outcome([rule(1, "any", "sinceImagePushed", 30)], images) == {
        "archived": ("keep", None), "standard": ("expire", 1)}


def test_archive_then_expire_in_one_policy_by_priority():
    images = [image("new", 1, "v3"), image("mid", 40, "v2"), image("old", 400, "v1", archived_days_ago=120)]
    rules = [rule(1, "any", "sinceImagePushed", 30, action="transition"),
             rule(2, "any", "sinceImageTransitioned", 90, storage_class="archive")]

    assert outcome(rules, images) == {"new": ("keep", None), "mid": ("transition", 1), "old": ("expire", 2)}


def test_verdicts_come_newest_first_and_name_the_deciding_rule():
    images = [image("old", 50), image("new", 1)]
    verdicts = evaluate([rule(1, "untagged", "sinceImagePushed", 7)], images, NOW)

    assert [v.image.digest for v in verdicts] == ["sha256:new", "sha256:old"]
    assert verdicts[0].rule is not None and verdicts[0].action == "keep"  # seen, kept by rule 1


def test_image_pipeline_uses_the_one_evaluator_in_ecr_spec():
    assert lifecycle.evaluate is ecr_spec.model.lifecycle_evaluation.evaluate
    assert lifecycle.Image is ecr_spec.model.lifecycle_evaluation.Image
