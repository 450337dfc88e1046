"""EcrRepository: secure defaults, lifecycle, permissions and validation, as CloudFormation sees them."""
from __future__ import annotations

import json

import pytest
from aws_cdk import CfnParameter, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from ecr_constructs import EcrRepository, PropsError
from ecr_spec.lifecycle import LifecycleRule
from ecr_spec.policy import PULL_ACTIONS, PUSH_ACTIONS, policy_chars

from .cdk_helpers import account_arn, new_stack, only_resource

ARCHIVE = LifecycleRule(rule_priority=1, tag_status="tagged", tag_pattern_list=("v*",), count_type="sinceImagePulled",
                        count_unit="days", count_number=30, action="transition", target_storage_class="archive")


def repository_of(**props) -> dict:
    stack = new_stack()
    EcrRepository(stack, "Repo", repository_name="team/app", **props)
    return only_resource(Template.from_stack(stack), "AWS::ECR::Repository")


def test_defaults_are_scan_on_push_immutable_tags_retain_and_a_lifecycle_policy() -> None:
    repository = repository_of()
    properties = repository["Properties"]
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert properties["ImageTagMutability"] == "IMMUTABLE"
    assert repository["DeletionPolicy"] == "Retain"
    rules = json.loads(properties["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]
    assert "RepositoryPolicyText" not in properties


def test_mutable_tags_become_exclusion_filters_on_an_immutable_repository() -> None:
    properties = repository_of(mutable_tags=["latest", "dev-*"])["Properties"]
    assert properties["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert [f["ImageTagMutabilityExclusionFilterValue"] for f in properties["ImageTagMutabilityExclusionFilters"]] == [
        "latest", "dev-*"]


def test_archive_transitions_which_the_l2_lacks_reach_the_template() -> None:
    text = repository_of(lifecycle_rules=[ARCHIVE])["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert json.loads(text)["rules"][0]["action"] == {"type": "transition", "targetStorageClass": "archive"}


def test_destroy_also_empties_the_repository() -> None:
    stack = new_stack()
    EcrRepository(stack, "Repo", repository_name="team/app", removal_policy=RemovalPolicy.DESTROY)
    template = Template.from_stack(stack)
    template.has_resource("AWS::ECR::Repository", {"DeletionPolicy": "Delete"})
    template.has_resource_properties("AWS::ECR::Repository", {"EmptyOnDelete": True})


def test_pull_accounts_share_one_statement_with_exactly_the_pull_actions_and_no_resource() -> None:
    policy = repository_of(pull_accounts=["333333333333", "444444444444"])["Properties"]["RepositoryPolicyText"]
    assert policy["Statement"] == [{"Action": list(PULL_ACTIONS), "Effect": "Allow",
                                    "Principal": {"AWS": [account_arn("333333333333"), account_arn("444444444444")]}}]


def test_push_accounts_get_pull_and_push_actions() -> None:
    policy = repository_of(push_accounts=["555555555555"])["Properties"]["RepositoryPolicyText"]
    assert policy["Statement"][0]["Action"] == list(PULL_ACTIONS + PUSH_ACTIONS)
    assert "ecr:GetAuthorizationToken" not in json.dumps(policy)


def test_a_service_principal_is_limited_to_this_account() -> None:
    policy = repository_of(pull_services=["codebuild.amazonaws.com"])["Properties"]["RepositoryPolicyText"]
    assert policy["Statement"] == [{"Action": list(PULL_ACTIONS), "Effect": "Allow",
                                    "Principal": {"Service": "codebuild.amazonaws.com"},
                                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]


def test_an_organisation_gets_star_limited_by_principal_org_id() -> None:
    policy = repository_of(pull_organization_id="o-abcdefghij")["Properties"]["RepositoryPolicyText"]
    assert policy["Statement"] == [{"Action": list(PULL_ACTIONS), "Effect": "Allow", "Principal": {"AWS": "*"},
                                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}}]


def test_a_customer_managed_key_encrypts_and_pull_accounts_may_decrypt() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    EcrRepository(stack, "Repo", repository_name="team/app", encryption_key=key, pull_accounts=["333333333333"])
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::ECR::Repository", {"EncryptionConfiguration": {
        "EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}}})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Action": "kms:Decrypt", "Principal": {"AWS": account_arn("333333333333")}})])}})


def test_grant_pull_gives_a_same_account_role_the_pull_actions_and_the_token() -> None:
    stack = new_stack()
    repository = EcrRepository(stack, "Repo", repository_name="team/app")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    repository.grant_pull(role)
    statements = only_resource(Template.from_stack(stack), "AWS::IAM::Policy")["Properties"]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == list(PULL_ACTIONS)
    assert statements[1] == {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}


def test_the_size_check_measures_the_policy_the_template_deploys() -> None:
    grants = dict(pull_accounts=["333333333333", "444444444444"], push_accounts=["555555555555"],
                  pull_services=["codebuild.amazonaws.com", "lambda.amazonaws.com"], pull_organization_id="o-abcdefghij")
    policy = repository_of(**grants)["Properties"]["RepositoryPolicyText"]
    deployed = json.dumps(policy, separators=(",", ":"))
    for account in ("333333333333", "444444444444", "555555555555"):
        deployed = deployed.replace(json.dumps(account_arn(account), separators=(",", ":")),
                                    f'"arn:aws:iam::{account}:root"')
    deployed = deployed.replace('{"Ref":"AWS::AccountId"}', '"111111111111"')
    expected = policy_chars(owner_account="111111111111", pull_accounts=grants["pull_accounts"],
                            push_accounts=grants["push_accounts"], services=grants["pull_services"],
                            organization_id="o-abcdefghij")
    assert len(deployed) == expected


def test_bad_props_are_all_reported_at_once_naming_the_prop_and_value() -> None:
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        EcrRepository(stack, "Repo", repository_name="Team/App", pull_accounts=["12"], mutable_tags=["bad tag"],
                      lifecycle_rules=[])
    assert caught.value.problems == [
        "Test/Repo: repository_name: 'Team/App' is not a valid ECR repository name: lowercase letters and digits, "
        "separated by single '.', '_', '-' or '/'",
        "Test/Repo: lifecycle_rules: a repository needs at least one lifecycle rule (Security Hub ECR.3); "
        "set untagged_expire_days, keep_last or rules",
        "Test/Repo: mutable_tags[0]: 'bad tag' is not a tag filter: 1 to 128 of letters, digits, '.', '_', '-' and "
        "'*' (ECR image tag mutability exclusion filter)",
        "Test/Repo: pull_accounts[0]: '12' is not a 12-digit account id",
    ]


def test_values_that_are_tokens_are_not_validated() -> None:
    stack = new_stack()
    name = CfnParameter(stack, "Name").value_as_string
    account = CfnParameter(stack, "Account").value_as_string
    EcrRepository(stack, "Repo", repository_name=name, pull_accounts=[account])
    Template.from_stack(stack).has_resource_properties("AWS::ECR::Repository", {"RepositoryName": {"Ref": "Name"}})


def test_rules_the_l2_can_express_render_exactly_as_the_spec_policy() -> None:
    from ecr_spec.lifecycle import policy_text
    rules = [LifecycleRule(rule_priority=1, tag_status="tagged", tag_prefix_list=("release-",),
                           count_type="imageCountMoreThan", count_number=50, description="keep releases"),
             LifecycleRule(rule_priority=2, tag_status="tagged", tag_pattern_list=("pr-*",),
                           count_type="sinceImagePushed", count_unit="days", count_number=3),
             LifecycleRule(rule_priority=3, tag_status="untagged", count_type="sinceImagePushed", count_unit="days",
                           count_number=7),
             LifecycleRule(rule_priority=4, tag_status="any", count_type="imageCountMoreThan", count_number=90)]
    text = repository_of(lifecycle_rules=rules)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert json.loads(text) == json.loads(policy_text(rules))
