"""The sandbox's moto applies every ECR property of a CloudFormation template (moto alone drops some)."""

from __future__ import annotations

import json
import uuid

import boto3

# an account and region no environment of the spec uses, so registry-wide settings stay out of the deploy
ACCOUNT, REGION = "333333333333", "eu-west-1"
LIFECYCLE = {"rules": [{"rulePriority": 1, "description": "Expire untagged images after 7 days",
                        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                      "countUnit": "days", "countNumber": 7},
                        "action": {"type": "expire"}}]}
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]}


def _repository(name: str, **extra: object) -> dict:
    properties = {
        "RepositoryName": name,
        "ImageScanningConfiguration": {"ScanOnPush": True},
        "ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "ImageTagMutabilityExclusionFilters": [
            {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"}],
        "EncryptionConfiguration": {"EncryptionType": "AES256"},
        "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(LIFECYCLE)},
        **extra,
    }
    return {"Type": "AWS::ECR::Repository", "Properties": properties}


def _deploy(stack: str, resources: dict) -> boto3.session.Session:
    session = boto3.Session(profile_name=f"sandbox-{ACCOUNT}", region_name=REGION)
    cfn = session.client("cloudformation")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps({"Resources": resources}))
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    return session


def test_a_repository_made_by_cloudformation_has_its_lifecycle_and_repository_policy(sandbox):
    name = f"sandbox-tests/cfn-{uuid.uuid4().hex[:8]}"

    ecr = _deploy(f"cfn-{uuid.uuid4().hex[:8]}", {"Repo": _repository(name, RepositoryPolicyText=POLICY)}).client("ecr")

    assert json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]) == LIFECYCLE
    assert json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"]) == POLICY


def test_a_repository_made_by_cloudformation_has_its_scanning_mutability_and_encryption(sandbox):
    name = f"sandbox-tests/cfn-{uuid.uuid4().hex[:8]}"

    ecr = _deploy(f"cfn-{uuid.uuid4().hex[:8]}", {"Repo": _repository(name)}).client("ecr")

    found = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    assert found["imageScanningConfiguration"] == {"scanOnPush": True}
    assert found["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert found["imageTagMutabilityExclusionFilters"] == [{"filterType": "WILDCARD", "filter": "latest"}]
    assert found["encryptionConfiguration"] == {"encryptionType": "AES256"}


def test_registry_replication_and_scanning_made_by_cloudformation_read_back_through_the_ecr_api(sandbox):
    replication = {"Rules": [{"Destinations": [{"Region": "us-east-1", "RegistryId": "111111111111"}],
                              "RepositoryFilters": [{"Filter": "sandbox-tests/", "FilterType": "PREFIX_MATCH"}]}]}
    scanning = {"ScanType": "BASIC", "Rules": [
        {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]}

    ecr = _deploy(f"cfn-{uuid.uuid4().hex[:8]}", {
        "Replication": {"Type": "AWS::ECR::ReplicationConfiguration",
                        "Properties": {"ReplicationConfiguration": replication}},
        "Scanning": {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": scanning},
    }).client("ecr")

    assert ecr.describe_registry()["replicationConfiguration"] == {"rules": [{
        "destinations": [{"region": "us-east-1", "registryId": "111111111111"}],
        "repositoryFilters": [{"filter": "sandbox-tests/", "filterType": "PREFIX_MATCH"}]}]}
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"]["rules"] == [
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]


def test_a_change_set_that_is_gone_can_be_deleted_and_is_reported_not_found_as_the_cdk_cli_expects(sandbox):
    stack = f"cfn-{uuid.uuid4().hex[:8]}"
    cfn = _deploy(stack, {"Repo": _repository(f"sandbox-tests/cfn-{uuid.uuid4().hex[:8]}")}).client("cloudformation")

    cfn.delete_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set")

    try:
        cfn.describe_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set")
    except cfn.exceptions.ChangeSetNotFoundException:
        return
    raise AssertionError("describe_change_set found a change set that does not exist")
