"""RepositoryCreationTemplate (construct) and ``registry.creation_templates`` (spec key).

Property names and limits: the ``AWS::ECR::RepositoryCreationTemplate`` schema shipped with the pinned
aws-cdk-lib / cfn-lint; semantics: ECR user guide "Templates to control repositories created during a pull
through cache, create on push, or replication action" and API Reference CreateRepositoryCreationTemplate.
"""
from __future__ import annotations

import json

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from ecr_constructs import PropsError
from ecr_constructs.registry.creation_template import RepositoryCreationTemplate
from ecr_spec.model.lifecycle import keep_last_rule

from .cdk_helpers import new_stack, only_resource
from .spec_helpers import parsed, problems_of, spec


def template_props(**props: object) -> dict:
    stack = new_stack()
    RepositoryCreationTemplate(stack, "T", **{"prefix": "team", "applied_for": ["REPLICATION"], **props})
    return only_resource(Template.from_stack(stack), "AWS::ECR::RepositoryCreationTemplate")["Properties"]


def props_problems(**props: object) -> list[str]:
    with pytest.raises(PropsError) as caught:
        template_props(**props)
    return caught.value.problems


def test_a_template_makes_created_repositories_immutable_with_the_default_lifecycle_policy() -> None:
    props = template_props()
    assert (props["Prefix"], props["AppliedFor"], props["ImageTagMutability"]) == ("team", ["REPLICATION"], "IMMUTABLE")
    assert [r["selection"]["tagStatus"] for r in json.loads(props["LifecyclePolicy"])["rules"]] == ["untagged", "any"]


def test_mutable_tags_become_wildcard_exclusion_filters() -> None:
    props = template_props(mutable_tags=["latest", "dev-*"])
    assert props["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert props["ImageTagMutabilityExclusionFilters"] == [
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"},
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "dev-*"}]


def test_the_repository_policy_is_a_json_document() -> None:
    document = iam.PolicyDocument(statements=[iam.PolicyStatement(
        actions=["ecr:BatchGetImage"], principals=[iam.AccountPrincipal("333333333333")])])
    props = template_props(repository_policy=document)
    assert "ecr:BatchGetImage" in json.dumps(props["RepositoryPolicy"])


def test_a_kms_key_without_a_custom_role_is_refused() -> None:
    stack = new_stack()
    key = kms.Key(stack, "K")
    with pytest.raises(PropsError) as caught:
        RepositoryCreationTemplate(stack, "T", prefix="team", applied_for=["REPLICATION"], encryption_key=key)
    assert caught.value.problems == [
        "Test/T: encryption_key: a KMS key needs custom_role: ECR creates the repository with that role"]


def test_bad_props_are_all_reported_with_the_prop_name() -> None:
    assert props_problems(prefix="Team/", applied_for=["PULL"], mutable_tags=["bad tag"],
                          resource_tags={"team": "x"}) == [
        "Test/T: prefix: 'Team/' is not a template prefix: a repository namespace such as 'team' or 'team/app' "
        "(ECR assumes a trailing '/'), or 'ROOT' for every repository no other template matches",
        "Test/T: applied_for[0]: 'PULL' must be one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH",
        "Test/T: mutable_tags[0]: 'bad tag' is not a tag filter: 1 to 128 of letters, digits, '.', '_', '-' and '*' "
        "(ECR image tag mutability exclusion filter)",
        "Test/T: resource_tags: resource tags need custom_role: ECR tags the repository with that role"]


def test_a_single_string_for_applied_for_is_one_problem_asking_for_a_list() -> None:
    assert props_problems(applied_for="REPLICATION") == [
        "Test/T: applied_for: 'REPLICATION' must be a list, such as ['REPLICATION']"]


def test_lifecycle_rules_are_checked_by_the_repository_validator() -> None:
    problems = props_problems(lifecycle_rules=[keep_last_rule(1, 5), keep_last_rule(2, 6)])
    assert problems and all(p.startswith("Test/T: lifecycle_rules") for p in problems)


def test_the_spec_key_deploys_a_template_to_every_environment_with_the_spec_defaults() -> None:
    registry_spec = parsed(spec(registry={"creation_templates": [
        {"prefix": "ROOT", "applied_for": ["REPLICATION"], "mutable_tags": ["latest"]}]}))
    template = registry_spec.creation_templates[0]
    assert template.environments == ("dev", "prod")
    assert [r.count_number for r in template.lifecycle_rules] == [7, 30]  # defaults.lifecycle


def test_spec_templates_report_every_problem_with_its_path() -> None:
    raw = spec(registry={"creation_templates": [
        {"prefix": "team", "applied_for": ["REPLICATION", "REPLICATION"], "lifecycle": {"keep_last": 0}},
        {"prefix": "team", "applied_for": ["CREATE_ON_PUSH"], "resource_tags": {"a": "b"}, "replicate_to": []}]})
    assert problems_of(raw) == [
        "registry.creation_templates[0].applied_for[1]: 'REPLICATION' is listed twice",
        "registry.creation_templates[0].lifecycle.keep_last: 0 must be a positive number of images, or null",
        "registry.creation_templates[1].replicate_to: unknown key (allowed: applied_for, custom_role_arn, "
        "description, encryption, environments, kms_key_arn, lifecycle, mutable_tags, prefix, pull, push, "
        "resource_tags)",
        "registry.creation_templates[1].resource_tags: a template with resource tags needs custom_role_arn: ECR "
        "tags the repository with that role (user guide: repository creation template IAM role)"]


def test_two_templates_with_one_prefix_in_one_registry_are_refused() -> None:
    raw = spec(registry={"creation_templates": [{"prefix": "team", "applied_for": ["REPLICATION"]},
                                                {"prefix": "team", "applied_for": ["CREATE_ON_PUSH"]}]})
    assert problems_of(raw)[0] == ("registry.creation_templates[1].prefix: 'team' already has a template in "
                                   "111111111111/us-east-1 (registry.creation_templates[0]): ECR allows one "
                                   "template per prefix")
