"""Lifecycle policies for the repository construct.

Rules are the typed ``LifecycleRule`` from ecr_spec, checked with the same rules the spec uses (ECR's, per
storage class). A policy the aws-cdk L2 can express goes through the L2's ``lifecycle_rules``: only ``expire``
by ``imageCountMoreThan`` or ``sinceImagePushed``, no ``storageClass``, and at most one ``tagStatus: any`` rule
with the highest priority of the whole policy (``Repository.addLifecycleRule`` refuses a second ``any`` rule
and an ``any`` rule that is not last). Everything else -- archive transitions, ``sinceImagePulled``,
``sinceImageTransitioned``, ``storageClass``, and ECR's one-``any``-rule-per-storage-class policies such as
the user guide's "Combining archive and expire rules" -- is written as ECR's JSON into the L1
``LifecyclePolicy``, because the L2 cannot express it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from aws_cdk import Duration
from aws_cdk import aws_ecr as ecr

from ecr_spec.model import checks
from ecr_spec.core.errors import Problems
from ecr_spec.model.lifecycle import DEFAULT_RULES as DEFAULT_LIFECYCLE_RULES
from ecr_spec.model.lifecycle import LifecycleRule, policy_text

__all__ = ["DEFAULT_LIFECYCLE_RULES", "apply_lifecycle_policy", "check_lifecycle_rules", "l2_can_express",
           "l2_lifecycle_rules"]

_L2_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")


def check_lifecycle_rules(rules: Sequence[LifecycleRule], problems: Problems) -> None:
    """The spec's checks for rules built in code: each rule's own, then those across the policy."""
    checks.lifecycle_rules(rules, "lifecycle_rules", problems)


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


def l2_can_express(rules: Sequence[LifecycleRule]) -> bool:
    """Whether the aws-cdk L2 can render this policy (see the module docstring for what it cannot)."""
    if not all(r.action == "expire" and r.count_type in _L2_COUNT_TYPES and r.storage_class is None for r in rules):
        return False
    any_rules = [r for r in rules if r.tag_status == "any"]
    return not any_rules or (len(any_rules) == 1
                             and any_rules[0].rule_priority == max(r.rule_priority for r in rules))


def l2_lifecycle_rules(rules: Sequence[LifecycleRule]) -> list[ecr.LifecycleRule] | None:
    """The rules as L2 ``LifecycleRule``s, or None when the L2 cannot express the policy (then the L1 gets it
    through ``apply_lifecycle_policy``)."""
    return [_l2_rule(r) for r in rules] if l2_can_express(rules) else None


def apply_lifecycle_policy(repository: ecr.Repository, rules: Sequence[LifecycleRule]) -> None:
    """Writes the policy as ECR's JSON to the L1 ``CfnRepository.LifecyclePolicy``: the L2 cannot express it
    (see the module docstring)."""
    cfn = repository.node.default_child
    assert isinstance(cfn, ecr.CfnRepository)
    cfn.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=policy_text(rules))
