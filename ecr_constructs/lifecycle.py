"""Lifecycle policies for the repository construct.

The aws-cdk L2 ``LifecycleRule`` cannot express archive transitions (``transition`` actions,
``sinceImagePulled``, ``sinceImageTransitioned``) nor ``tagPatternList`` with ``storageClass``, so the
construct writes ECR's policy JSON into the L1 ``LifecyclePolicy`` property itself. Rules are the typed
``LifecycleRule`` from ecr_spec, checked with the same rules the spec uses.
"""
from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_ecr as ecr

from ecr_spec.errors import Problems
from ecr_spec.lifecycle import DEFAULT_RULES as DEFAULT_LIFECYCLE_RULES
from ecr_spec.lifecycle import LifecycleRule, check_rules, policy_text

__all__ = ["DEFAULT_LIFECYCLE_RULES", "apply_lifecycle_policy", "check_lifecycle_rules"]


def check_lifecycle_rules(rules: Sequence[LifecycleRule], problems: Problems) -> None:
    check_rules([(f"lifecycle_rules[{i}]", rule) for i, rule in enumerate(rules)], "lifecycle_rules", problems)


def apply_lifecycle_policy(repository: ecr.Repository, rules: Sequence[LifecycleRule]) -> None:
    """Sets the policy on the L1 resource (the L2 lacks archive transitions; see module docstring)."""
    cfn = repository.node.default_child
    assert isinstance(cfn, ecr.CfnRepository)
    cfn.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=policy_text(rules))
