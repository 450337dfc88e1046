"""The replication plan rendered by the constructs and the app: rules, replicas, stack order.

Limits: Amazon ECR API Reference ReplicationConfiguration / ReplicationRule; cfn-lint E3032 on
``RepositoryFilters`` over 100 items (AWS::ECR::ReplicationConfiguration schema).
"""
from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, RegistryReplication, build_registry
from ecr_spec import Registry, ReplicationRule

from .cdk_helpers import new_stack, only_resource
from .spec_helpers import BASE, parsed, spec

EU = {"account": "222222222222", "region": "eu-west-1"}


def stacks(raw: dict) -> dict[str, cdk.Stack]:
    return {s.stack_name: s for s in build_registry(cdk.App(), parsed(raw))}


def test_102_repositories_with_one_destination_set_render_two_rules_of_at_most_100_filters() -> None:
    raw = spec(repositories=[{"name": f"svc{i:03d}", "environments": ["dev"], "replicate_to": [EU]}
                             for i in range(102)])
    config = only_resource(Template.from_stack(stacks(raw)["ecr-dev-us-east-1"]),
                           "AWS::ECR::ReplicationConfiguration")["Properties"]["ReplicationConfiguration"]
    assert [len(rule["RepositoryFilters"]) for rule in config["Rules"]] == [100, 2]


def test_the_construct_refuses_a_rule_with_more_than_100_filters() -> None:
    rule = ReplicationRule((Registry("222222222222", "eu-west-1"),), tuple(f"svc{i}" for i in range(101)))
    with pytest.raises(PropsError) as caught:
        RegistryReplication(new_stack(), "Replication", rules=[rule])
    assert caught.value.problems == ["Test/Replication: rules[0].repositories: 101 filters; ECR allows 100 per rule "
                                     "(ecr_spec.plan.replication.plan_rules splits them)"]


def test_the_replica_is_declared_in_the_destination_stack_with_the_spec_immutability_and_lifecycle() -> None:
    template = Template.from_stack(stacks(BASE)["ecr-prod-eu-west-1"])
    replicas = [r for r in template.find_resources("AWS::ECR::Repository").values()
                if r["Properties"]["RepositoryName"] == "platform/base-images"]
    assert len(replicas) == 1
    props = replicas[0]["Properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE"
    rules = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [(r["selection"]["tagStatus"], r["selection"]["countNumber"]) for r in rules] == [("untagged", 7), ("any", 30)]


def test_the_source_stack_deploys_after_the_stack_that_declares_its_replicas() -> None:
    built = stacks(BASE)
    assert built["ecr-prod-eu-west-1"] in built["ecr-dev-us-east-1"].dependencies


def test_a_replica_only_region_gets_a_stack_holding_just_the_replicas() -> None:
    raw = spec(repositories=[{"name": "app", "environments": ["dev"],
                              "replicate_to": [{"account": "111111111111", "region": "us-west-2"}]}])
    template = Template.from_stack(stacks(raw)["ecr-dev-us-west-2"])
    names = [r["Properties"]["RepositoryName"] for r in template.find_resources("AWS::ECR::Repository").values()]
    assert names == ["app"]
    template.resource_count_is("AWS::ECR::ReplicationConfiguration", 0)


def test_spec_creation_templates_are_rendered_in_each_registry_of_their_environments() -> None:
    raw = spec(registry={"creation_templates": [{"prefix": "ROOT", "applied_for": ["REPLICATION"],
                                                 "environments": ["prod"], "pull": {"accounts": ["333333333333"]}}]})
    built = stacks(raw)
    Template.from_stack(built["ecr-dev-us-east-1"]).resource_count_is("AWS::ECR::RepositoryCreationTemplate", 0)
    props = only_resource(Template.from_stack(built["ecr-prod-eu-west-1"]),
                          "AWS::ECR::RepositoryCreationTemplate")["Properties"]
    assert props["Prefix"] == "ROOT" and "333333333333" in json.dumps(props["RepositoryPolicy"])


def test_a_replica_of_a_repository_with_its_own_key_uses_the_destination_stack_key() -> None:
    raw = spec(repositories=[{"name": "app", "environments": ["dev"], "encryption": "KMS", "replicate_to": [EU],
                              "kms_key_arn": "arn:aws:kms:us-east-1:111111111111:key/abc"}])
    template = Template.from_stack(stacks(raw)["ecr-prod-eu-west-1"])
    template.resource_count_is("AWS::KMS::Key", 1)  # a key of another account and region cannot encrypt it
    encryption = only_resource(template, "AWS::ECR::Repository")["Properties"]["EncryptionConfiguration"]
    assert encryption["EncryptionType"] == "KMS" and "abc" not in json.dumps(encryption)
