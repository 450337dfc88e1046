"""The organization's StackSets: one ``AWS::CloudFormation::StackSet`` per spec StackSet in the administrator's stack,
service-managed, deploying automatically to the OUs' accounts, its template declaring each repository as a
registry's stack does.

Sources: AWS CloudFormation Template Reference, AWS::CloudFormation::StackSet
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html):
PermissionModel SERVICE_MANAGED, AutoDeployment (required with service-managed permissions, API CreateStackSet),
StackInstancesGroup DeploymentTargets.OrganizationalUnitIds and Regions, OperationPreferences, CallAs, TemplateBody
at most 51,200 bytes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, RegistryStack, build_registry
from ecr_constructs.stacks.stack_set import RepositoryStackSet
from ecr_constructs.stacks.stack_set_template import RepositoryStackSetTemplate
from ecr_spec import Target

from .spec_helpers import parsed
from .test_spec_organization import OU, org_spec


def organization_template(raw: dict[str, Any]) -> dict[str, Any]:
    app = cdk.App()
    build_registry(app, raw)
    return Template.from_stack(app.node.find_child("ecr-organization-mgmt-us-east-1")).to_json()  # type: ignore[arg-type]


def stack_set_of(raw: dict[str, Any]) -> dict[str, Any]:
    resources = organization_template(raw)["Resources"]
    [stack_set] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudFormation::StackSet"]
    return stack_set


def test_the_administrator_gets_a_service_managed_stack_set_that_deploys_to_new_accounts_of_the_units() -> None:
    stack_set = stack_set_of(org_spec())
    assert stack_set["StackSetName"] == "ecr-baseline"
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED" and stack_set["CallAs"] == "SELF"
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["StackInstancesGroup"] == [
        {"DeploymentTargets": {"OrganizationalUnitIds": [OU]}, "Regions": ["us-east-1", "eu-west-1"]}]


def test_concurrency_and_failure_tolerance_come_from_the_spec_in_the_regions_order() -> None:
    stack_set = stack_set_of(org_spec(max_concurrent="50%", failure_tolerance="10%",
                                      concurrency_mode="SOFT_FAILURE_TOLERANCE", region_concurrency="PARALLEL"))
    assert stack_set["OperationPreferences"] == {
        "MaxConcurrentPercentage": 50, "FailureTolerancePercentage": 10, "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        "RegionConcurrencyType": "PARALLEL", "RegionOrder": ["us-east-1", "eu-west-1"]}


def test_the_template_declares_each_repository_as_a_registry_stack_does_with_the_same_logical_id() -> None:
    registry = parsed(org_spec())
    repository = registry.repository("platform/base")
    body = json.loads(stack_set_of(org_spec())["TemplateBody"])
    own = Template.from_stack(RegistryStack(cdk.App(), target=Target("prod", "222222222222", "us-east-1"),
                                            repositories=[repository])).to_json()["Resources"]
    [(logical_id, declared)] = [(k, r) for k, r in body["Resources"].items() if r["Type"] == "AWS::ECR::Repository"]
    declared_by_registry = own[logical_id]
    declared_by_registry.pop("Metadata", None)
    assert declared == declared_by_registry


def test_the_template_asks_for_no_cdk_bootstrap_and_carries_no_cdk_metadata() -> None:
    body = json.loads(stack_set_of(org_spec())["TemplateBody"])
    assert "Parameters" not in body and "Rules" not in body and "Conditions" not in body
    assert all("Metadata" not in r and r["Type"] != "AWS::CDK::Metadata" for r in body["Resources"].values())


def test_each_instance_outputs_its_own_repositorys_arn_and_no_dual_stack_uri() -> None:
    body = json.loads(stack_set_of(org_spec())["TemplateBody"])
    [output] = body["Outputs"].values()
    [logical_id] = [k for k, r in body["Resources"].items() if r["Type"] == "AWS::ECR::Repository"]
    parts = output["Value"]["Fn::Join"][1]
    assert {"Fn::GetAtt": [logical_id, "Arn"]} in parts  # the instance's own repository, in its account and region
    assert "dualstack_uri" not in json.dumps(parts)


def test_a_template_larger_than_template_body_allows_names_the_size_and_the_fix() -> None:
    repositories = [{"name": f"platform/base-{n:03d}", "pull": {"accounts": ["333333333333"]}} for n in range(60)]
    with pytest.raises(PropsError) as caught:
        organization_template(org_spec(repositories=repositories))
    [line] = caught.value.problems
    assert line.startswith("ecr-organization-mgmt-us-east-1/ecr-baseline: repositories: the StackSet's template is ")
    assert line.endswith("bytes; TemplateBody holds at most 51,200 (AWS::CloudFormation::StackSet): move some "
                         "repositories to another StackSet (organization.stack_sets)")


def test_bad_props_are_all_reported_at_once_naming_the_prop() -> None:
    with pytest.raises(PropsError) as caught:
        RepositoryStackSet(cdk.Stack(cdk.App(), "Admin"), "Baseline", stack_set_name="base_line",
                           organizational_units=["ou-1"], regions=["cn-north-1"], repositories=[], call_as="ME")
    assert caught.value.problems == [
        "Admin/Baseline: stack_set_name: 'base_line' is not a StackSet name: a letter, then letters, digits or '-', "
        "at most 128 characters",
        "Admin/Baseline: organizational_units[0]: 'ou-1' is not an organizational unit id such as 'ou-ab12-cdefgh34' "
        "(or a root id such as 'r-ab12')",
        "Admin/Baseline: regions[0]: 'cn-north-1': StackSets cannot use AWS Organizations (trusted access) in the "
        "China regions",
        "Admin/Baseline: call_as: 'ME' must be SELF or DELEGATED_ADMIN",
        "Admin/Baseline: repositories: [] is empty: a StackSet needs at least one repository"]


def test_a_description_longer_than_cloudformation_allows_is_a_props_problem() -> None:
    description = "x" * 1_025
    with pytest.raises(PropsError) as caught:
        RepositoryStackSet(cdk.Stack(cdk.App(), "Admin"), "Baseline", stack_set_name="baseline",
                           organizational_units=[OU], regions=["us-east-1"],
                           repositories=[parsed(org_spec()).repository("platform/base")], description=description)
    assert caught.value.problems == [
        f"Admin/Baseline: description: {description!r} must be text of 1 to 1024 characters"]


def test_cdk_nag_finds_nothing_in_the_template_of_every_account(tmp_path: Path) -> None:
    from cdk_nag import AwsSolutionsChecks

    raw = org_spec(repositories=[{"name": "platform/base", "encryption": "KMS",
                                  "pull": {"organization_id": "o-a1b2c3d4e5", "services": ["lambda.amazonaws.com"]}}])
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    RepositoryStackSetTemplate(app, "Template", repositories=[parsed(raw).repository("platform/base")])
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []
