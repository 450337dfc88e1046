"""Lifecycle policies for the repository construct.

Rules are the typed ``LifecycleRule`` from ecr_spec, checked with the same rules the spec uses. Rules the
aws-cdk L2 can express (expire by count or by age since push) go through the L2's ``lifecycle_rules``. The L2
cannot express archive storage (``transition`` actions, ``sinceImagePulled``, ``sinceImageTransitioned``,
``storageClass``), so a policy that uses any of it is written as ECR's JSON into the L1 ``LifecyclePolicy``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from aws_cdk import Duration
from aws_cdk import aws_ecr as ecr

from ecr_spec.errors import Problems
from ecr_spec.lifecycle import DEFAULT_RULES as DEFAULT_LIFECYCLE_RULES
from ecr_spec.lifecycle import LifecycleRule, check_rules, policy_text

__all__ = ["DEFAULT_LIFECYCLE_RULES", "apply_lifecycle_policy", "check_lifecycle_rules", "l2_lifecycle_rules"]

_L2_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")


def check_lifecycle_rules(rules: Sequence[LifecycleRule], problems: Problems) -> None:
    check_rules([(f"lifecycle_rules[{i}]", rule) for i, rule in enumerate(rules)], "lifecycle_rules", problems)


@lru_cache(maxsize=None)
def _days(days: int) -> Duration:
    return Duration.days(days)  # one kernel round trip per distinct age, not per repository


def _l2_rule(rule: LifecycleRule) -> ecr.LifecycleRule:
    status = {"tagged": ecr.TagStatus.TAGGED, "untagged": ecr.TagStatus.UNTAGGED, "any": ecr.TagStatus.ANY}
    by_count = rule.count_type == "imageCountMoreThan"
    return ecr.LifecycleRule(
        rule_priority=rule.rule_priority, description=rule.description, tag_status=status[rule.tag_status],
        tag_prefix_list=list(rule.tag_prefix_list) or None, tag_pattern_list=list(rule.tag_pattern_list) or None,
        max_image_count=rule.count_number if by_count else None,
        max_image_age=None if by_count else _days(rule.count_number))


def l2_lifecycle_rules(rules: Sequence[LifecycleRule]) -> list[ecr.LifecycleRule] | None:
    """The rules as L2 ``LifecycleRule``s, or None when one of them needs archive storage (L1 only)."""
    if all(r.action == "expire" and r.count_type in _L2_COUNT_TYPES and r.storage_class is None for r in rules):
        return [_l2_rule(r) for r in rules]
    return None


def apply_lifecycle_policy(repository: ecr.Repository, rules: Sequence[LifecycleRule]) -> None:
    """Writes the policy to the L1 resource, for what the L2 lacks (see the module docstring)."""
    cfn = repository.node.default_child
    assert isinstance(cfn, ecr.CfnRepository)
    cfn.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=policy_text(rules))
