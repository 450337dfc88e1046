"""Lifecycle rules in ECR's own JSON, each check with its message.

Sources (ECR user guide): PROPS = "Lifecycle policy properties in Amazon ECR"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html); EVAL = "Automate the
cleanup of images by using lifecycle policies in Amazon ECR", section "Lifecycle policy evaluation rules"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html); EXAMPLES = "Examples of
lifecycle policies in Amazon ECR"; ARCHIVE = "Archiving an image"; API = the ECR API reference shapes.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from ecr_spec import SpecError, parse_policy_text

from ..ecr_cases.lifecycle import COMBINED_ARCHIVE_AND_EXPIRE
from .spec_helpers import parsed, problems_of, with_repository


def rule(priority: int = 1, action: dict[str, Any] | None = None, **selection: Any) -> dict[str, Any]:
    body = {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 5}
    body.update(selection)
    for key in [k for k, v in body.items() if v is None]:
        del body[key]
    return {"rulePriority": priority, "selection": body, "action": action or {"type": "expire"}}


def rules_problems(*rules: dict[str, Any], shorthands: bool = False) -> list[str]:
    lifecycle: dict[str, Any] = {"rules": list(rules)}
    if not shorthands:
        lifecycle.update(untagged_expire_days=None, keep_last=None)
    return problems_of(with_repository(1, lifecycle=lifecycle))


P = "repositories[1].lifecycle.rules"


def test_explicit_rules_come_before_the_shorthands() -> None:
    raw = with_repository(1, lifecycle={"rules": [rule(1, tagPrefixList=["release-"], countNumber=50)]})
    rules = parsed(raw).repository("platform/base-images").lifecycle_rules
    assert [(r.rule_priority, r.tag_status) for r in rules] == [(1, "tagged"), (2, "untagged"), (3, "any")]


def test_an_archive_transition_is_accepted_and_rendered_in_ecr_json() -> None:
    archive = {"rulePriority": 1, "description": "archive old releases",
               "selection": {"tagStatus": "tagged", "tagPatternList": ["v*"], "countType": "sinceImagePulled",
                             "countUnit": "days", "countNumber": 60},
               "action": {"type": "transition", "targetStorageClass": "archive"}}
    expire = {"rulePriority": 2, "selection": {"tagStatus": "any", "storageClass": "archive",
                                               "countType": "sinceImageTransitioned", "countUnit": "days",
                                               "countNumber": 180}, "action": {"type": "expire"}}
    raw = with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None, "rules": [archive, expire]})
    text = parsed(raw).repository("platform/base-images").lifecycle_policy_text
    assert json.loads(text) == {"rules": [archive, expire]}


def test_priorities_must_be_unique() -> None:
    assert rules_problems(rule(1), rule(1, tagPrefixList=["w"])) == [f"{P}[1].rulePriority: 1 is already used by {P}[0]"]


def test_a_priority_must_be_a_positive_integer() -> None:
    assert rules_problems(rule(0)) == [f"{P}[0].rulePriority: 0 must be a positive integer"]


def test_the_any_rule_must_have_the_highest_priority() -> None:
    """PROPS, "Rule priority": a rule with tagStatus any must have the highest rulePriority (per storage class)."""
    problems = rules_problems(rule(1, tagStatus="any", tagPrefixList=None), rule(2))
    assert problems == [f"{P}[0].rulePriority: 1: the rule with tagStatus 'any' must have the highest rulePriority "
                        "of the rules selecting storageClass 'standard' (another has 2)"]


def test_only_one_any_rule_per_storage_class_is_allowed() -> None:
    """PROPS, "Rule priority": two rules cannot both have the highest priority of one storage class."""
    problems = rules_problems(rule(1, tagStatus="any", tagPrefixList=None), rule(2, tagStatus="any", tagPrefixList=None))
    assert problems == [f"{P}[1]: only one rule selecting storageClass 'standard' may have tagStatus 'any' "
                        f"({P}[0] has it already)"]


def test_an_any_rule_for_each_storage_class_is_accepted() -> None:
    """EXAMPLES, "Combining archive and expire rules": one any rule for standard (priority 1, not the highest of
    the policy) and one for archive."""
    standard_any = rule(1, tagStatus="any", tagPrefixList=None, countType="sinceImagePushed", countUnit="days",
                        countNumber=30, action={"type": "transition", "targetStorageClass": "archive"})
    archive_any = rule(2, tagStatus="any", tagPrefixList=None, storageClass="archive",
                       countType="sinceImageTransitioned", countUnit="days", countNumber=365)
    raw = with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None,
                                        "rules": [standard_any, archive_any]})
    assert json.loads(parsed(raw).repository("platform/base-images").lifecycle_policy_text) == {
        "rules": [standard_any, archive_any]}


def test_only_one_rule_per_storage_class_may_select_untagged_images() -> None:
    """EVAL: only one rule selecting a specific storage class is allowed to select untagged images."""
    untagged = dict(tagStatus="untagged", tagPrefixList=None)
    assert rules_problems(rule(1, **untagged), rule(2, **untagged)) == [
        f"{P}[1]: only one rule selecting storageClass 'standard' may select untagged images ({P}[0] does already)"]


def test_an_untagged_rule_for_each_storage_class_is_accepted() -> None:
    """EVAL: the untagged limit is per storage class."""
    standard = rule(1, tagStatus="untagged", tagPrefixList=None, countType="sinceImagePushed", countUnit="days",
                    countNumber=7)
    archived = rule(2, tagStatus="untagged", tagPrefixList=None, storageClass="archive",
                    countType="sinceImageTransitioned", countUnit="days", countNumber=90)
    assert rules_problems(standard, archived, rule(3, tagPrefixList=None)) == [
        f"{P}[2].selection: tagStatus 'tagged' needs a non-empty tagPrefixList or tagPatternList"]


def test_rules_of_one_storage_class_need_a_unique_set_of_tag_prefixes() -> None:
    """EVAL: the set of all rules selecting a specific storage class must contain a unique set of prefixes."""
    assert rules_problems(rule(1, tagPrefixList=["a", "b"]), rule(2, tagPrefixList=["b", "a"], countNumber=9)) == [
        f"{P}[1].selection.tagPrefixList: ['b', 'a']: the same tag prefixes as {P}[0]; the rules selecting "
        "storageClass 'standard' need a unique set of prefixes"]


def test_the_same_prefixes_may_be_used_in_each_storage_class() -> None:
    """EVAL: prefix sets are unique per storage class, so an archive rule may repeat a standard rule's prefixes."""
    archived = rule(2, storageClass="archive", countType="sinceImageTransitioned", countUnit="days", countNumber=90)
    raw = with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None, "rules": [rule(1), archived]})
    assert len(parsed(raw).repository("platform/base-images").lifecycle_rules) == 2


def test_since_image_transitioned_needs_storage_class_archive() -> None:
    """PROPS, "Storage class": required, and only 'archive', with sinceImageTransitioned."""
    assert rules_problems(rule(1, countType="sinceImageTransitioned", countUnit="days", countNumber=100)) == [
        f"{P}[0].selection.storageClass: null: countType sinceImageTransitioned needs storageClass 'archive'"]


def test_storage_class_archive_is_only_allowed_with_since_image_transitioned() -> None:
    """PROPS, "Storage class": with imageCountMoreThan, sinceImagePushed or sinceImagePulled only 'standard'."""
    assert rules_problems(rule(1, storageClass="archive")) == [
        f"{P}[0].selection.storageClass: 'archive' is only allowed with countType sinceImageTransitioned "
        "(countType imageCountMoreThan selects 'standard' images)"]


def test_storage_class_standard_may_be_written_out() -> None:
    """PROPS, "Storage class": 'standard' is the default and may be given explicitly."""
    raw = with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None,
                                        "rules": [rule(1, storageClass="standard")]})
    assert parsed(raw).repository("platform/base-images").lifecycle_rules[0].storage_class == "standard"


def test_an_unknown_storage_class_is_refused() -> None:
    """PROPS, "Storage class" and the policy template: standard | archive."""
    assert rules_problems(rule(1, storageClass="glacier")) == [
        f"{P}[0].selection.storageClass: 'glacier' must be one of standard, archive"]


def test_since_image_transitioned_can_only_expire() -> None:
    """EXAMPLES, "Filtering on archive transition time": sinceImageTransitioned must be used with expire."""
    assert rules_problems(rule(1, storageClass="archive", countType="sinceImageTransitioned", countUnit="days",
                               countNumber=100, action={"type": "transition", "targetStorageClass": "archive"})) == [
        f"{P}[0].selection.countType: sinceImageTransitioned selects archived images: its action must be 'expire'"]


def test_a_rule_needs_an_action() -> None:
    """PROPS, "Action": type is required."""
    bad = rule(1)
    del bad["action"]
    assert rules_problems(bad) == [f"{P}[0].action: null must be an object such as {{\"type\": \"expire\"}}"]


def test_an_expire_action_takes_no_target_storage_class() -> None:
    """PROPS, "Action": targetStorageClass belongs to transition (our choice: refused with expire)."""
    assert rules_problems(rule(1, action={"type": "expire", "targetStorageClass": "archive"})) == [
        f"{P}[0].action.targetStorageClass: 'archive' is only allowed with action type 'transition'"]


def test_a_transition_target_other_than_archive_is_refused() -> None:
    """PROPS, "Action": archive is the only supported targetStorageClass."""
    assert rules_problems(rule(1, action={"type": "transition", "targetStorageClass": "standard"})) == [
        f"{P}[0].action.targetStorageClass: 'standard': a transition needs targetStorageClass 'archive'"]


def test_any_takes_no_tag_lists() -> None:
    """EVAL: tagPatternList and tagPrefixList may only be used if tagStatus is tagged."""
    assert rules_problems(rule(1, tagStatus="any")) == [
        f"{P}[0].selection: tagStatus 'any' takes no tagPrefixList or tagPatternList (they are only used with 'tagged')"]


def test_count_number_zero_is_refused() -> None:
    """PROPS, "Count number": 0 is not an accepted value."""
    assert rules_problems(rule(1, countNumber=0)) == [f"{P}[0].selection.countNumber: 0 must be a positive integer"]


def test_count_unit_must_be_days() -> None:
    """PROPS, "Count unit": days."""
    assert rules_problems(rule(1, countType="sinceImagePushed", countUnit="hours")) == [
        f"{P}[0].selection.countUnit: 'hours': countType sinceImagePushed needs countUnit 'days'"]


def test_ninety_days_in_archive_is_enough_to_expire() -> None:
    """ARCHIVE: the minimum storage duration is 90 days, so 90 itself is accepted."""
    raw = with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None, "rules": [
        rule(1, tagStatus="any", tagPrefixList=None, storageClass="archive", countType="sinceImageTransitioned",
             countUnit="days", countNumber=90)]})
    assert parsed(raw).repository("platform/base-images").lifecycle_rules[0].count_number == 90


def test_the_policy_text_has_at_most_30720_characters() -> None:
    """API: LifecyclePolicyText is 100..30,720 characters."""
    long = [dict(rule(i, tagPrefixList=[f"t{i}-"]), description="d" * 650) for i in range(1, 50)]
    assert rules_problems(*long)[-1].startswith("repositories[1].lifecycle: the policy text has ")


def test_tagged_needs_a_prefix_or_pattern_list() -> None:
    assert rules_problems(rule(1, tagPrefixList=[])) == [
        f"{P}[0].selection: tagStatus 'tagged' needs a non-empty tagPrefixList or tagPatternList"]


def test_tagged_takes_prefixes_or_patterns_not_both() -> None:
    assert rules_problems(rule(1, tagPatternList=["v*"])) == [
        f"{P}[0].selection: tagStatus 'tagged' takes tagPrefixList or tagPatternList, not both"]


def test_untagged_takes_no_tag_lists() -> None:
    """PROPS, "Tag status": with untagged, omit both tagPrefixList and tagPatternList."""
    assert rules_problems(rule(1, tagStatus="untagged")) == [
        f"{P}[0].selection: tagStatus 'untagged' takes no tagPrefixList or tagPatternList (they are only used "
        "with 'tagged')"]


def test_a_pattern_has_at_most_four_wildcards() -> None:
    assert rules_problems(rule(1, tagPrefixList=None, tagPatternList=["*a*b*c*d*"])) == [
        f"{P}[0].selection.tagPatternList[0]: '*a*b*c*d*' has 5 wildcards; ECR allows at most 4"]


def test_an_unknown_count_type_is_refused() -> None:
    assert rules_problems(rule(1, countType="imageCountLessThan")) == [
        f"{P}[0].selection.countType: 'imageCountLessThan' must be one of imageCountMoreThan, sinceImagePushed, "
        "sinceImagePulled, sinceImageTransitioned"]


def test_since_types_need_count_unit_days() -> None:
    assert rules_problems(rule(1, countType="sinceImagePushed")) == [
        f"{P}[0].selection.countUnit: null: countType sinceImagePushed needs countUnit 'days'"]


def test_image_count_takes_no_count_unit() -> None:
    assert rules_problems(rule(1, countUnit="days")) == [
        f"{P}[0].selection.countUnit: 'days' is not allowed with countType imageCountMoreThan"]


def test_count_number_must_be_a_positive_integer() -> None:
    assert rules_problems(rule(1, countNumber=-3)) == [f"{P}[0].selection.countNumber: -3 must be a positive integer"]


def test_an_unknown_action_is_refused() -> None:
    assert rules_problems(rule(1, action={"type": "delete"})) == [
        f"{P}[0].action.type: 'delete' must be one of expire, transition"]


def test_a_transition_needs_the_archive_storage_class() -> None:
    assert rules_problems(rule(1, action={"type": "transition"})) == [
        f"{P}[0].action.targetStorageClass: null: a transition needs targetStorageClass 'archive'"]


def test_since_image_pulled_can_only_transition() -> None:
    assert rules_problems(rule(1, countType="sinceImagePulled", countUnit="days")) == [
        f"{P}[0].selection.countType: sinceImagePulled can only transition images to archive, not expire them"]


def test_archived_images_cannot_be_expired_within_90_days() -> None:
    assert rules_problems(rule(1, countType="sinceImageTransitioned", countUnit="days", countNumber=30,
                               storageClass="archive")) == [
        f"{P}[0].selection.countNumber: 30: an archived image cannot be expired within 90 days of archiving"]


def test_unknown_keys_inside_a_rule_are_named() -> None:
    bad = rule(1)
    bad["selection"]["countNumbr"] = 3
    assert rules_problems(bad) == [
        f"{P}[0].selection.countNumbr: unknown key (allowed: countNumber, countType, countUnit, storageClass, "
        "tagPatternList, tagPrefixList, tagStatus)"]


def test_a_repository_needs_at_least_one_rule() -> None:
    assert problems_of(with_repository(1, lifecycle={"untagged_expire_days": None, "keep_last": None})) == [
        "repositories[1].lifecycle: a repository needs at least one lifecycle rule (Security Hub ECR.3); "
        "set untagged_expire_days, keep_last or rules"]


def test_at_most_fifty_rules() -> None:
    many = [rule(i, tagPrefixList=[f"t{i}-"]) for i in range(1, 52)]
    assert "repositories[1].lifecycle: 51 rules; ECR allows at most 50" in rules_problems(*many)


def test_an_explicit_untagged_rule_replaces_the_inherited_shorthand() -> None:
    raw = with_repository(1, lifecycle={"rules": [rule(1, tagStatus="untagged", tagPrefixList=None,
                                                       countType="sinceImagePushed", countUnit="days", countNumber=3)]})
    rules = parsed(raw).repository("platform/base-images").lifecycle_rules
    assert [(r.tag_status, r.count_number) for r in rules] == [("untagged", 3), ("any", 30)]


def test_a_policy_read_back_from_ecr_parses_into_typed_rules() -> None:
    text = json.dumps({"rules": [rule(2, tagStatus="any", tagPrefixList=None), rule(1)]})
    assert [r.rule_priority for r in parse_policy_text(text)] == [1, 2]


def test_a_broken_policy_read_back_is_one_clear_error() -> None:
    with pytest.raises(SpecError, match=r"rules\[0\].rulePriority: 'x' must be a positive integer"):
        parse_policy_text(json.dumps({"rules": [rule("x")]}))  # type: ignore[arg-type]


COMBINED = COMBINED_ARCHIVE_AND_EXPIRE["rules"]


def test_the_aws_combined_example_pasted_under_inherited_shorthands_is_the_whole_policy() -> None:
    """EXAMPLES, "Combining archive and expire rules", pasted into a repository whose defaults set
    untagged_expire_days and keep_last: its standard `any` rule already covers untagged images, so both inherited
    shorthands give way and the policy is exactly the documented one."""
    raw = with_repository(1, lifecycle={"rules": COMBINED})
    assert json.loads(parsed(raw).repository("platform/base-images").lifecycle_policy_text) == {"rules": COMBINED}


def test_an_archive_any_rule_does_not_displace_the_standard_shorthands() -> None:
    """The shorthands are standard-storage rules; an explicit archive-class rule leaves them in place."""
    raw = with_repository(1, lifecycle={"rules": [COMBINED[1]]})
    rules = parsed(raw).repository("platform/base-images").lifecycle_rules
    assert [(r.rule_priority, r.tag_status, r.storage_class) for r in rules] == [
        (1, "untagged", None), (2, "any", "archive"), (3, "any", None)]


def test_own_untagged_expire_days_next_to_an_explicit_standard_any_rule_is_one_clear_line() -> None:
    """PROPS, "Rule priority": the standard `any` rule must be the last standard rule, so no shorthand can follow."""
    assert problems_of(with_repository(1, lifecycle={"rules": COMBINED, "untagged_expire_days": 3})) == [
        "repositories[1].lifecycle.untagged_expire_days: cannot be combined with an explicit standard-storage rule "
        "with tagStatus 'any' (it must stay the last standard rule); write an 'untagged' rule instead"]
