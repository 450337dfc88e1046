"""The spec's ``organization`` section: repositories every account of an organizational unit gets, through a
CloudFormation StackSet with service-managed permissions; their publish targets; and one line per bad field.

Sources (each rule's page): AWS CloudFormation Template Reference, AWS::CloudFormation::StackSet and its resource
schema (StackSetName pattern, TemplateBody at most 51,200 bytes, Description 1..1,024 characters); API Reference,
DeploymentTargets (OU id pattern; "StackSets doesn't deploy stack instances to the organization management
account"), CreateStackInstances (at most 50 OUs per operation), StackSetOperationPreferences (MaxConcurrentCount >= 1, MaxConcurrentPercentage 1..100,
FailureToleranceCount >= 0, FailureTolerancePercentage 0..100; "MaxConcurrentCount is at most one more than the
FailureToleranceCount if you're using STRICT_FAILURE_TOLERANCE"); User Guide, "Prerequisites for using
CloudFormation StackSets" (no trusted access with AWS Organizations in the China regions).
"""
from __future__ import annotations

import copy
from typing import Any

from ecr_spec import Target

from .spec_helpers import parsed, problems_of, spec

OU = "ou-ab12-cdefgh34"
STACK_SET: dict[str, Any] = {"name": "ecr-baseline", "organizational_units": [OU], "regions": ["us-east-1", "eu-west-1"],
                             "repositories": [{"name": "platform/base", "mutable_tags": ["latest"]}]}


def org_spec(**stack_set: Any) -> dict[str, Any]:
    """The base spec with a management account (mgmt) holding one StackSet, prod in the StackSet's OU."""
    raw = spec()
    raw["environments"]["mgmt"] = {"account": "999999999999", "regions": ["us-east-1"]}
    raw["environments"]["prod"]["organizational_unit"] = OU
    body = copy.deepcopy(STACK_SET)
    for key, value in stack_set.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    raw["organization"] = {"environment": "mgmt", "stack_sets": [body]}
    return raw


def test_a_stack_set_holds_its_repositories_and_its_administrator_defaults_to_the_first_region() -> None:
    organization = parsed(org_spec()).organization
    assert organization is not None
    assert (organization.account, organization.region, organization.call_as) == ("999999999999", "us-east-1", "SELF")
    assert organization.stack_name == "ecr-organization-mgmt-us-east-1"
    [stack_set] = organization.stack_sets
    assert (stack_set.name, stack_set.organizational_units, stack_set.repositories) == (
        "ecr-baseline", (OU,), ("platform/base",))


def test_its_repositories_are_found_by_name_with_the_defaults_applied_like_every_other_repository() -> None:
    repository = parsed(org_spec()).repository("platform/base")
    assert repository.stack_set == "ecr-baseline"
    assert repository.mutable_tags == ("latest",)
    assert [r.count_number for r in repository.lifecycle_rules] == [7, 30]


def test_publish_targets_are_the_ou_environments_registries_in_the_stack_sets_regions() -> None:
    registry = parsed(org_spec(regions=["eu-west-1"]))
    assert registry.targets_for("platform/base") == (Target("prod", "222222222222", "eu-west-1"),)


def test_the_environments_own_stacks_do_not_declare_what_the_stack_set_delivers() -> None:
    registry = parsed(org_spec())
    prod = Target("prod", "222222222222", "us-east-1")
    assert "platform/base" not in [r.name for r in registry.repositories_in(prod)]
    assert [r.name for r in registry.delivered_in(prod)] == ["platform/base"]


def test_an_environment_outside_the_stack_sets_units_gets_nothing_from_it() -> None:
    registry = parsed(org_spec())
    assert registry.delivered_in(Target("dev", "111111111111", "us-east-1")) == ()


def test_counts_and_percentages_become_the_operation_preferences() -> None:
    organization = parsed(org_spec(max_concurrent="25%", failure_tolerance=3)).organization
    assert organization is not None
    preferences = organization.stack_sets[0].preferences
    assert (preferences.max_concurrent_percentage, preferences.failure_tolerance_count) == (25, 3)
    assert preferences.max_concurrent_count is None and preferences.failure_tolerance_percentage is None


def test_a_bad_stack_set_name_unit_and_region_are_one_line_each() -> None:
    assert problems_of(org_spec(name="1-baseline", organizational_units=["ou-x"], regions=["eu-wset-1"])) == [
        "organization.stack_sets[0].name: '1-baseline' is not a StackSet name: a letter, then letters, digits or "
        "'-', at most 128 characters",
        "organization.stack_sets[0].organizational_units[0]: 'ou-x' is not an organizational unit id such as "
        "'ou-ab12-cdefgh34' (or a root id such as 'r-ab12')",
        "organization.stack_sets[0].regions[0]: 'eu-wset-1' is not an AWS region with Amazon ECR (did you mean "
        "'eu-west-1'?)",
    ]


def test_a_china_region_is_refused_because_trusted_access_is_not_available_there() -> None:
    assert problems_of(org_spec(regions=["cn-north-1"])) == [
        "organization.stack_sets[0].regions[0]: 'cn-north-1': StackSets cannot use AWS Organizations (trusted access) "
        "in the China regions"]


def test_more_accounts_at_a_time_than_strict_failure_tolerance_allows_names_both_fixes() -> None:
    assert problems_of(org_spec(max_concurrent=10, failure_tolerance=2)) == [
        "organization.stack_sets[0].max_concurrent: 10 accounts at a time with failure_tolerance 2: "
        "STRICT_FAILURE_TOLERANCE (the default concurrency_mode) runs at most 3; set failure_tolerance to 9, or "
        "concurrency_mode to SOFT_FAILURE_TOLERANCE"]


def test_soft_failure_tolerance_takes_any_number_of_accounts_at_a_time() -> None:
    organization = parsed(org_spec(max_concurrent=10, concurrency_mode="SOFT_FAILURE_TOLERANCE")).organization
    assert organization is not None and organization.stack_sets[0].preferences.max_concurrent_count == 10


def test_counts_and_percentages_out_of_range_name_the_allowed_range() -> None:
    assert problems_of(org_spec(max_concurrent="0%", failure_tolerance=-1)) == [
        "organization.stack_sets[0].max_concurrent: '0%' must be a number of accounts (at least 1) or a percentage "
        "from '1%' to '100%'",
        "organization.stack_sets[0].failure_tolerance: -1 must be at least 0"]


def test_keys_a_template_for_every_account_cannot_hold_are_refused_with_the_reason() -> None:
    repositories = [{"name": "platform/base", "environments": ["prod"],
                     "replicate_to": [{"account": "111111111111", "region": "us-east-1"}]}]
    assert problems_of(org_spec(repositories=repositories)) == [
        "organization.stack_sets[0].repositories[0].environments: not for a StackSet's repository: a StackSet's "
        "repositories go to every account of its organizational_units",
        "organization.stack_sets[0].repositories[0].replicate_to: not for a StackSet's repository: replication is a "
        "registry's own configuration, declared by its environment's stack"]


def test_a_name_used_by_another_repository_is_refused_naming_the_first() -> None:
    assert problems_of(org_spec(repositories=[{"name": "platform/base-images"}])) == [
        "organization.stack_sets[0].repositories[0].name: 'platform/base-images' is already defined at "
        "repositories[1]"]


def test_the_management_account_in_a_targeted_unit_is_refused_because_stack_sets_skip_it() -> None:
    raw = org_spec()
    raw["environments"]["mgmt"]["organizational_unit"] = OU
    assert problems_of(raw) == [
        "environments.mgmt.organizational_unit: 'ou-ab12-cdefgh34': 999999999999 is the management account "
        "(organization.environment mgmt, call_as SELF), and StackSets never deploy to the management account: "
        "declare its repositories in repositories instead"]


def test_a_delegated_administrator_may_itself_be_in_a_targeted_unit() -> None:
    raw = org_spec()
    raw["environments"]["mgmt"]["organizational_unit"] = OU
    raw["organization"]["call_as"] = "DELEGATED_ADMIN"
    assert Target("mgmt", "999999999999", "us-east-1") in parsed(raw).targets_for("platform/base")


def test_two_environments_of_one_account_in_different_units_is_one_line() -> None:
    raw = org_spec()
    raw["environments"]["prod-eu"] = {"account": "222222222222", "regions": ["eu-central-1"],
                                      "organizational_unit": "ou-ab12-zzzzzzzz"}
    assert problems_of(raw) == [
        "environments.prod-eu.organizational_unit: 'ou-ab12-zzzzzzzz', but environments.prod (the same account "
        "222222222222) is in 'ou-ab12-cdefgh34': an account belongs to one organizational unit"]


def test_an_administrator_that_is_no_environment_lists_the_known_ones() -> None:
    raw = org_spec()
    raw["organization"]["environment"] = "root"
    assert problems_of(raw) == [
        "organization.environment: 'root' is not an environment of this spec (known: dev, prod, mgmt)"]


def test_a_stack_set_without_units_regions_or_repositories_says_each_is_missing() -> None:
    assert problems_of(org_spec(organizational_units=None, regions=None, repositories=None)) == [
        "organization.stack_sets[0].organizational_units: missing: list at least one",
        "organization.stack_sets[0].regions: missing: list at least one",
        "organization.stack_sets[0].repositories: missing: list the repositories every account of the "
        "organizational units gets"]


def test_an_empty_list_of_units_is_one_line() -> None:
    assert problems_of(org_spec(organizational_units=[])) == [
        "organization.stack_sets[0].organizational_units: [] is empty: list at least one"]


def test_more_than_50_units_point_to_their_parent() -> None:
    units = [f"ou-ab12-{n:08d}" for n in range(51)]
    assert problems_of(org_spec(organizational_units=units)) == [
        "organization.stack_sets[0].organizational_units: 51 organizational units; CloudFormation creates stack "
        "instances for at most 50 at once: target their parent OU"]
