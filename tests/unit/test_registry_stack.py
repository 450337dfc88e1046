"""RegistryStack: one stack per (environment, region) with the registry's own settings and outputs."""
from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_constructs import RegistryStack
from ecr_spec import RegistrySpec

from .cdk_helpers import account_arn, only_resource
from .spec_helpers import BASE, parsed, spec


def stacks_of(registry_spec: RegistrySpec) -> dict[str, RegistryStack]:
    app = cdk.App()
    return {
        target.stack_name: RegistryStack(app, target=target, repositories=registry_spec.repositories_in(target),
                                         replication_rules=registry_spec.replication_rules(target),
                                         replication_sources=registry_spec.replication_sources(target),
                                         scan_type=registry_spec.scan_type)
        for target in registry_spec.targets()
    }


def test_each_stack_has_a_concrete_environment_and_a_readable_name() -> None:
    stacks = stacks_of(parsed(BASE))
    prod = stacks["ecr-prod-eu-west-1"]
    assert (prod.stack_name, prod.account, prod.region) == ("ecr-prod-eu-west-1", "222222222222", "eu-west-1")


def test_each_stack_holds_only_its_environments_repositories() -> None:
    stacks = stacks_of(parsed(BASE))
    names = {name: sorted(r["Properties"]["RepositoryName"] for r in
                          Template.from_stack(stack).find_resources("AWS::ECR::Repository").values())
             for name, stack in stacks.items()}
    assert names == {"ecr-dev-us-east-1": ["docker-in-aws/todobackend", "platform/base-images"],
                     "ecr-prod-us-east-1": ["docker-in-aws/todobackend"],
                     "ecr-prod-eu-west-1": ["docker-in-aws/todobackend"]}


def test_replication_is_merged_into_the_source_registry_configuration() -> None:
    template = Template.from_stack(stacks_of(parsed(BASE))["ecr-dev-us-east-1"])
    config = only_resource(template, "AWS::ECR::ReplicationConfiguration")["Properties"]["ReplicationConfiguration"]
    assert config == {"Rules": [{"Destinations": [{"Region": "eu-west-1", "RegistryId": "222222222222"}],
                                 "RepositoryFilters": [{"Filter": "platform/base-images", "FilterType": "PREFIX_MATCH"}]}]}


def test_the_destination_registry_policy_lets_the_source_account_replicate() -> None:
    template = Template.from_stack(stacks_of(parsed(BASE))["ecr-prod-eu-west-1"])
    statement = only_resource(template, "AWS::ECR::RegistryPolicy")["Properties"]["PolicyText"]["Statement"][0]
    assert statement["Principal"] == {"AWS": account_arn("111111111111")}
    assert statement["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert "repository/*" in json.dumps(statement["Resource"])


def test_a_registry_that_nobody_replicates_into_has_no_registry_policy() -> None:
    template = Template.from_stack(stacks_of(parsed(BASE))["ecr-prod-us-east-1"])
    template.resource_count_is("AWS::ECR::RegistryPolicy", 0)
    template.resource_count_is("AWS::ECR::ReplicationConfiguration", 0)


def test_every_registry_scans_on_push() -> None:
    template = Template.from_stack(stacks_of(parsed(BASE))["ecr-prod-us-east-1"])
    template.has_resource_properties("AWS::ECR::RegistryScanningConfiguration", {
        "ScanType": "BASIC", "Rules": [{"ScanFrequency": "SCAN_ON_PUSH",
                                        "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]})


def test_each_repository_outputs_its_name_arn_and_uri() -> None:
    template = Template.from_stack(stacks_of(parsed(BASE))["ecr-prod-us-east-1"])
    outputs = template.find_outputs("*")
    assert len(outputs) == 1
    value = json.dumps(next(iter(outputs.values()))["Value"])
    for key in ('\\"name\\"', '\\"arn\\"', '\\"uri\\"', ".dkr.ecr."):
        assert key in value


def test_kms_repositories_share_one_rotating_customer_managed_key() -> None:
    raw = spec()
    for repository in raw["repositories"]:
        repository["encryption"] = "KMS"
    template = Template.from_stack(stacks_of(parsed(raw))["ecr-dev-us-east-1"])
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_logical_ids_stay_the_same_when_other_repositories_come_and_go() -> None:
    def logical_ids(raw: dict) -> dict[str, str]:
        template = Template.from_stack(stacks_of(parsed(raw))["ecr-dev-us-east-1"])
        return {r["Properties"]["RepositoryName"]: lid
                for lid, r in template.find_resources("AWS::ECR::Repository").items()}

    before = logical_ids(BASE)
    more = spec()
    more["repositories"].insert(0, {"name": "aaa/first", "environments": ["dev"]})
    fewer = spec()
    fewer["repositories"] = fewer["repositories"][1:]
    assert logical_ids(more)["docker-in-aws/todobackend"] == before["docker-in-aws/todobackend"]
    assert logical_ids(fewer)["platform/base-images"] == before["platform/base-images"]
    assert before["docker-in-aws/todobackend"] == "dockerinawstodobackend8ED29A97"
