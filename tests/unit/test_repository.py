"""EcrRepository: secure defaults, lifecycle, permissions and validation, as CloudFormation sees them."""
from __future__ import annotations

import json

import pytest
from aws_cdk import CfnParameter, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from ecr_constructs import EcrRepository, PropsError
from ecr_spec.model.lifecycle import LifecycleRule
from ecr_spec.model.policy import PULL_ACTIONS, PUSH_ACTIONS, policy_chars

from .cdk_helpers import ENV, account_arn, new_stack, only_resource

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
        "give lifecycle_rules at least one rule, such as DEFAULT_LIFECYCLE_RULES",
        "Test/Repo: mutable_tags[0]: 'bad tag' is not a tag filter: 1 to 128 of letters, digits, '.', '_', '-' and "
        "'*' (ECR image tag mutability exclusion filter)",
        "Test/Repo: pull_accounts[0]: '12' is not a 12-digit account id",
    ]


def test_a_string_where_a_list_of_accounts_belongs_is_one_problem_naming_the_prop() -> None:
    with pytest.raises(PropsError) as caught:
        EcrRepository(new_stack(), "Repo", repository_name="team/app", pull_accounts="444444444444")
    assert caught.value.problems == [
        "Test/Repo: pull_accounts: '444444444444' must be a list, such as ['444444444444']"]


def test_a_star_account_points_to_the_organisation_prop_not_the_spec_key() -> None:
    with pytest.raises(PropsError) as caught:
        EcrRepository(new_stack(), "Repo", repository_name="team/app", push_accounts=["*"])
    assert caught.value.problems == [
        "Test/Repo: push_accounts[0]: '*' would let every AWS account in (cdk-nag AwsSolutions-ECR1); use "
        "pull_organization_id for organisation-wide access"]


def test_a_repository_name_that_is_a_number_is_a_type_error() -> None:
    with pytest.raises(PropsError) as caught:
        EcrRepository(new_stack(), "Repo", repository_name=5)  # type: ignore[arg-type]
    assert caught.value.problems == ['Test/Repo: repository_name: 5 must be a quoted string ("5")']


def test_values_that_are_tokens_are_not_validated() -> None:
    stack = new_stack()
    name = CfnParameter(stack, "Name").value_as_string
    account = CfnParameter(stack, "Account").value_as_string
    EcrRepository(stack, "Repo", repository_name=name, pull_accounts=[account])
    Template.from_stack(stack).has_resource_properties("AWS::ECR::Repository", {"RepositoryName": {"Ref": "Name"}})


def test_rules_the_l2_can_express_render_exactly_as_the_spec_policy() -> None:
    from ecr_spec.model.lifecycle import policy_text
    rules = [LifecycleRule(rule_priority=1, tag_status="tagged", tag_prefix_list=("release-",),
                           count_type="imageCountMoreThan", count_number=50, description="keep releases"),
             LifecycleRule(rule_priority=2, tag_status="tagged", tag_pattern_list=("pr-*",),
                           count_type="sinceImagePushed", count_unit="days", count_number=3),
             LifecycleRule(rule_priority=3, tag_status="untagged", count_type="sinceImagePushed", count_unit="days",
                           count_number=7),
             LifecycleRule(rule_priority=4, tag_status="any", count_type="imageCountMoreThan", count_number=90)]
    text = repository_of(lifecycle_rules=rules)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert json.loads(text) == json.loads(policy_text(rules))


# --- EcrRepository is the L2 Repository, with the logical ids it had when it wrapped one ------------------------

def _old_wrapped_logical_id(scope_ids: list[str], construct_id: str) -> str:
    """The logical id the pre-0.2 shape got: our Construct, holding the L2 ``Repository`` at 'Resource'."""
    from aws_cdk import Stack
    from aws_cdk import aws_ecr as ecr
    from constructs import Construct
    stack = new_stack()
    scope = stack
    for scope_id in scope_ids:
        scope = Construct(scope, scope_id)
    ecr.Repository(Construct(scope, construct_id), "Resource", repository_name="team/app")
    return next(iter(Template.from_stack(stack).find_resources("AWS::ECR::Repository")))


def _new_logical_id(scope_ids: list[str], construct_id: str) -> str:
    from constructs import Construct
    stack = new_stack()
    scope = stack
    for scope_id in scope_ids:
        scope = Construct(scope, scope_id)
    EcrRepository(scope, construct_id, repository_name="team/app")
    return next(iter(Template.from_stack(stack).find_resources("AWS::ECR::Repository")))


@pytest.mark.parametrize("scope_ids", [[], ["Platform"], ["Platform", "Default", "Team"]])
def test_the_repository_keeps_the_logical_id_it_had_as_a_wrapper_so_deploys_do_not_replace_it(scope_ids) -> None:
    # A changed logical id makes CloudFormation create a new repository and delete the old one (images lost).
    assert _new_logical_id(scope_ids, "team--app") == _old_wrapped_logical_id(scope_ids, "team--app")


def test_a_stack_that_allocates_logical_ids_its_own_way_still_gets_the_wrapped_logical_id() -> None:
    # The cheap path renames the id the stack would allocate; a stack with its own allocation gets the override.
    import aws_cdk as cdk

    class Prefixed(cdk.Stack):
        def _allocate_logical_id(self, cfn_element: cdk.CfnElement) -> str:
            return "Team" + super()._allocate_logical_id(cfn_element)

    stack = Prefixed(cdk.App(), "Test", env=ENV)
    EcrRepository(stack, "team--app", repository_name="team/app")
    [logical_id] = Template.from_stack(stack).find_resources("AWS::ECR::Repository")
    assert logical_id == _old_wrapped_logical_id([], "team--app")


def test_ecr_repository_is_an_aws_ecr_irepository_that_grants_and_builds_uris_itself() -> None:
    from aws_cdk import aws_ecr as ecr
    stack = new_stack()
    repository = EcrRepository(stack, "Repo", repository_name="team/app")
    assert isinstance(repository, ecr.Repository)
    uri = stack.resolve(repository.repository_uri_for_tag("v1"))
    assert "v1" in json.dumps(uri) and "Repo" in json.dumps(uri)


# --- aws-cdk LifecycleRule objects go through the same checks ---------------------------------------------------

def test_aws_cdk_lifecycle_rules_are_accepted_and_render_as_the_l2_would() -> None:
    from aws_cdk import Duration
    from aws_cdk import aws_ecr as ecr
    rules = [ecr.LifecycleRule(tag_prefix_list=["release-"], max_image_count=50),
             ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(7), rule_priority=1),
             ecr.LifecycleRule(max_image_count=90, description="keep 90")]
    text = repository_of(lifecycle_rules=rules)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert json.loads(text)["rules"] == [
        {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                          "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["release-"],
                                          "countType": "imageCountMoreThan", "countNumber": 50},
         "action": {"type": "expire"}},
        {"rulePriority": 3, "description": "keep 90", "selection": {"tagStatus": "any",
                                                                    "countType": "imageCountMoreThan",
                                                                    "countNumber": 90}, "action": {"type": "expire"}},
    ]


def test_an_aws_cdk_lifecycle_rule_is_checked_like_a_spec_rule() -> None:
    from aws_cdk import aws_ecr as ecr
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        EcrRepository(stack, "Repo", repository_name="team/app", lifecycle_rules=[
            ecr.LifecycleRule(tag_pattern_list=["a*b*c*d*e*"], max_image_count=5)])
    assert caught.value.problems == [
        "Test/Repo: lifecycle_rules[0].selection.tagPatternList[0]: 'a*b*c*d*e*' has 5 wildcards; ECR allows at most 4"]


def test_an_aws_cdk_lifecycle_rule_needs_exactly_one_of_age_and_count() -> None:
    from aws_cdk import aws_ecr as ecr
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        EcrRepository(stack, "Repo", repository_name="team/app", lifecycle_rules=[ecr.LifecycleRule()])
    assert caught.value.problems == [
        "Test/Repo: lifecycle_rules[0]: an aws-cdk LifecycleRule needs exactly one of max_image_age and max_image_count"]


# --- one validation path: the spec's checks and limits ----------------------------------------------------------

def test_props_break_the_same_limits_with_the_same_messages_as_the_spec() -> None:
    from ecr_spec.core.limits import MAX_MUTABLE_TAG_FILTERS
    stack = new_stack()
    tags = [f"t{i}" for i in range(MAX_MUTABLE_TAG_FILTERS + 1)]
    with pytest.raises(PropsError) as caught:
        EcrRepository(stack, "Repo", repository_name="team/app", mutable_tags=tags,
                      pull_accounts=["333333333333", "333333333333"])
    assert caught.value.problems == [
        f"Test/Repo: mutable_tags: {MAX_MUTABLE_TAG_FILTERS + 1} filters; ECR allows at most {MAX_MUTABLE_TAG_FILTERS}",
        "Test/Repo: pull_accounts[1]: '333333333333' is listed twice"]


def _accounts_that_fit_only_in(partition: str) -> list[str]:
    """The fewest pull accounts whose policy fits ECR's limit in ``partition`` but not in 'aws-cn'."""
    from ecr_spec.core.limits import MAX_REPOSITORY_POLICY_CHARS
    accounts: list[str] = []
    while True:
        accounts.append(f"{300000000000 + len(accounts):012d}")
        fits = policy_chars(owner_account="111111111111", pull_accounts=accounts, partition=partition)
        longer = policy_chars(owner_account="111111111111", pull_accounts=accounts, partition="aws-cn")
        if fits <= MAX_REPOSITORY_POLICY_CHARS < longer:
            return accounts


def test_the_policy_size_is_measured_for_the_stacks_own_partition() -> None:
    # ARNs in the China regions are arn:aws-cn:..., so the same grants make a longer policy there.
    import aws_cdk as cdk
    accounts = _accounts_that_fit_only_in("aws")
    EcrRepository(cdk.Stack(cdk.App(), "Virginia", env=cdk.Environment(account="111111111111", region="us-east-1")),
                  "Repo", repository_name="team/app", pull_accounts=accounts)
    beijing = cdk.Stack(cdk.App(), "Beijing", env=cdk.Environment(account="111111111111", region="cn-north-1"))
    with pytest.raises(PropsError) as caught:
        EcrRepository(beijing, "Repo", repository_name="team/app", pull_accounts=accounts)
    [line] = caught.value.problems
    assert line.startswith("Beijing/Repo: pull_accounts: the repository policy would have ")
    assert line.endswith("characters; ECR allows 10240: grant an organisation (pull_organization_id) instead of "
                         "many accounts")


def test_a_typed_rule_built_in_code_gets_the_spec_per_rule_checks() -> None:
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        EcrRepository(stack, "Repo", repository_name="team/app", lifecycle_rules=[
            LifecycleRule(rule_priority=1, tag_status="untagged", count_type="sinceImagePushed", count_number=7)])
    assert caught.value.problems == [
        "Test/Repo: lifecycle_rules[0].selection.countUnit: null: countType sinceImagePushed needs countUnit 'days'"]


def test_an_environment_agnostic_stack_still_gets_the_size_check_when_no_statement_names_its_account() -> None:
    # Only the service statements carry the owner account (aws:SourceAccount); account grants do not.
    import aws_cdk as cdk
    too_many = _accounts_that_fit_only_in("aws") + [f"{400000000000 + i:012d}" for i in range(50)]
    with pytest.raises(PropsError) as caught:
        EcrRepository(cdk.Stack(cdk.App(), "Agnostic"), "Repo", repository_name="team/app", pull_accounts=too_many)
    assert "pull_accounts: the repository policy would have " in caught.value.problems[0]
