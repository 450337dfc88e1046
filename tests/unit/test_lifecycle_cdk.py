"""Lifecycle policies through EcrRepository: the aws-cdk L2 where it can express them, the L1 property for what
it cannot (per-storage-class `any` rules, archive). Source of the policy: ECR user guide, "Examples of
lifecycle policies in Amazon ECR", heading "Combining archive and expire rules"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html)."""
from __future__ import annotations

import json

from aws_cdk.assertions import Template

from ecr_constructs import EcrRepository
from ecr_constructs.repository.lifecycle import l2_can_express
from ecr_spec import parse_policy_text
from ecr_spec.model.lifecycle import keep_last_rule, untagged_rule

from ..ecr_cases.lifecycle import COMBINED_ARCHIVE_AND_EXPIRE as COMBINED
from .cdk_helpers import new_stack, only_resource

def policy_of(rules) -> dict:
    stack = new_stack()
    EcrRepository(stack, "Repo", repository_name="team/app", lifecycle_rules=rules)
    properties = only_resource(Template.from_stack(stack), "AWS::ECR::Repository")["Properties"]
    return json.loads(properties["LifecyclePolicy"]["LifecyclePolicyText"])


def test_the_aws_combined_archive_and_expire_example_synthesizes_to_the_documented_policy() -> None:
    assert policy_of(parse_policy_text(json.dumps(COMBINED))) == COMBINED


def test_a_policy_the_l2_can_express_goes_through_the_l2() -> None:
    rules = [untagged_rule(1, 7), keep_last_rule(2, 30)]
    assert l2_can_express(rules)
    assert [r["selection"]["tagStatus"] for r in policy_of(rules)["rules"]] == ["untagged", "any"]


def test_an_any_rule_per_storage_class_goes_to_the_l1_because_the_l2_refuses_a_non_last_any_rule() -> None:
    assert not l2_can_express(parse_policy_text(json.dumps(COMBINED)))
