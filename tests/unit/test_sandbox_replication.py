"""The sandbox's ECR replication: PREFIX_MATCH destinations and replicas created with the REPLICATION creation
template, against moto's ECR (in process) with the sandbox's template API and CloudFormation resource.

Sources: ECR API Reference RepositoryFilter (PREFIX_MATCH), CreateRepositoryCreationTemplate (prefix: ECR assumes
a trailing '/'; ROOT for repositories no other template matches); user guide "Templates to control repositories
created during a pull through cache, create on push, or replication action" (applied only at creation; without a
template ECR uses mutable tags, AES-256 and no policies).
"""
from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from ecr_sandbox import moto_cfn
from ecr_sandbox.replication import create_replica, destinations

LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "description": "expire untagged", "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
    "action": {"type": "expire"}}]})


@pytest.fixture
def ecr() -> Iterator[Any]:
    moto_cfn.install()
    with mock_aws():
        yield boto3.client("ecr", region_name="eu-west-1")


def deploy_template(properties: dict[str, Any]) -> None:
    body = {"Resources": {"Template": {"Type": "AWS::ECR::RepositoryCreationTemplate", "Properties": properties}}}
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(StackName="t", TemplateBody=json.dumps(body))


def test_a_prefix_filter_matches_every_name_that_starts_with_it() -> None:
    config = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": "222222222222"}],
                         "repositoryFilters": [{"filter": "team/app", "filterType": "PREFIX_MATCH"}]}]}
    assert destinations(config, "team/app-worker") == [("222222222222", "eu-west-1")]
    assert destinations(config, "team/ap") == []


def test_a_cloudformation_template_shows_in_describe_repository_creation_templates(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "IMMUTABLE"})
    [template] = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert (template["prefix"], template["appliedFor"], template["imageTagMutability"]) == (
        "team", ["REPLICATION"], "IMMUTABLE")


def test_a_replica_gets_the_matching_template_mutability_exclusions_and_lifecycle_policy(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                     "ImageTagMutabilityExclusionFilters": [{"ImageTagMutabilityExclusionFilterType": "WILDCARD",
                                                             "ImageTagMutabilityExclusionFilterValue": "latest"}],
                     "LifecyclePolicy": LIFECYCLE})
    create_replica(ecr, "team/app")
    [repository] = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repository["imageTagMutabilityExclusionFilters"] == [{"filterType": "WILDCARD", "filter": "latest"}]
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="team/app")["lifecyclePolicyText"]) == json.loads(LIFECYCLE)


def test_a_replica_without_a_matching_template_gets_ecr_defaults(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["PULL_THROUGH_CACHE"], "ImageTagMutability": "IMMUTABLE"})
    create_replica(ecr, "team/app")
    assert ecr.describe_repositories(repositoryNames=["team/app"])["repositories"][0]["imageTagMutability"] == "MUTABLE"
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.get_lifecycle_policy(repositoryName="team/app")


def test_an_existing_repository_keeps_its_settings(ecr: Any) -> None:
    ecr.create_repository(repositoryName="team/app", imageTagMutability="IMMUTABLE")
    deploy_template({"Prefix": "ROOT", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "MUTABLE",
                     "RepositoryPolicy": json.dumps({"Version": "2012-10-17", "Statement": []})})
    assert create_replica(ecr, "team/app") is None
    assert ecr.describe_repositories()["repositories"][0]["imageTagMutability"] == "IMMUTABLE"
