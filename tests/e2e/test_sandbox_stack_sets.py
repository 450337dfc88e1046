"""The organization's StackSet in the sandbox, as far as moto goes (docs/organization.md, "In the sandbox").

moto implements AWS Organizations and the StackSet API (service-managed StackSets deploy to the accounts of an OU
and its child OUs through moto's CloudFormation), but not the ``AWS::CloudFormation::StackSet`` resource: `cdk
deploy` of the organization stack succeeds without creating the StackSet. So the test deploys every stack with the
CDK, then plays CloudFormation's part with what was deployed: it reads the StackSet resource from the organization
stack's template in moto and calls ``create_stack_set`` and ``create_stack_instances`` with its properties. Then
the OU's accounts have the repository (and the lifecycle policy the template gives it), the management account
does not, and `image-pipeline publish` pushes to the OU's environments the spec names, found through
``RegistrySpec.targets_for`` like every other repository.

moto assigns member account ids at random, so the spec is written after the accounts exist; names carry a run id
because moto keeps state while the sandbox runs. Run alone with the lock held, then stop the sandbox.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import ROOT, start_sandbox
from .test_fleet_fifty_registries import recorded_digest
from .test_pipeline_publish import make_context, run_cli, unique_tag

MANAGEMENT = "820000000000"
REGION = "us-east-1"


def client(info: Any, service: str, account: str, region: str = REGION) -> Any:
    import boto3

    return boto3.Session(profile_name=info.profile(account), region_name=region).client(service)


def organization_with_two_members(info: Any, run_id: str) -> tuple[str, list[str]]:
    """An organization of the management account (reused if the running sandbox has one), a new OU, two new
    accounts moved into it: (OU id, member account ids)."""
    organizations = client(info, "organizations", MANAGEMENT)
    try:
        organizations.create_organization(FeatureSet="ALL")
    except organizations.exceptions.AlreadyInOrganizationException:
        pass
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name=f"workloads-{run_id}")["OrganizationalUnit"]
    members = []
    for n in range(2):
        status = organizations.create_account(AccountName=f"member-{run_id}-{n}",
                                              Email=f"member-{run_id}-{n}@example.com")["CreateAccountStatus"]
        organizations.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=unit["Id"])
        members.append(status["AccountId"])
    return unit["Id"], members


def stack_set_spec(run_id: str, unit: str | None = None, members: tuple[str, ...] = ()) -> dict[str, Any]:
    environments: dict[str, Any] = {"management": {"account": MANAGEMENT, "regions": [REGION]}}
    for n, account in enumerate(members):
        environments[f"member{n}"] = {"account": account, "regions": [REGION], "organizational_unit": unit}
    spec: dict[str, Any] = {"environments": environments,
                            "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
                            "repositories": [{"name": f"management-{run_id}/tools", "environments": ["management"]}]}
    if unit:
        spec["organization"] = {"environment": "management", "stack_sets": [{
            "name": f"ecr-baseline-{run_id}", "organizational_units": [unit], "regions": [REGION],
            "max_concurrent": 2, "failure_tolerance": 1,
            "repositories": [{"name": f"baseline-{run_id}/app", "mutable_tags": ["latest"]}]}]}
    return spec


@pytest.fixture(scope="module")
def organization(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from ecr_sandbox import api

    run_id = uuid.uuid4().hex[:8]
    folder = tmp_path_factory.mktemp("stack-sets")
    saved = dict(os.environ)
    try:
        first = folder / "management.json"  # the management account's sandbox, to create the organization in
        first.write_text(json.dumps(stack_set_spec(run_id)))
        info: Any = start_sandbox(str(first))
        api.apply_env(info)
        unit, members = organization_with_two_members(info, run_id)
        spec_file = folder / "organization.json"
        spec_file.write_text(json.dumps(stack_set_spec(run_id, unit, tuple(members))))
        info = start_sandbox(str(spec_file))
        api.apply_env(info)
        api.bootstrap(info, ROOT)
        api.deploy(info, ROOT, spec_path=str(spec_file))
        yield {"info": info, "spec_file": spec_file, "run_id": run_id, "unit": unit, "members": members}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def deploy_stack_set_as_cloudformation_would(info: Any, run_id: str) -> dict[str, Any]:
    """The StackSet resource of the deployed organization stack, created through the StackSet API."""
    cloudformation = client(info, "cloudformation", MANAGEMENT)
    body = cloudformation.get_template(StackName=f"ecr-organization-management-{REGION}")["TemplateBody"]
    template = body if isinstance(body, dict) else json.loads(body)
    [resource] = [r["Properties"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::StackSet"]
    cloudformation.create_stack_set(StackSetName=resource["StackSetName"], TemplateBody=resource["TemplateBody"],
                                    PermissionModel=resource["PermissionModel"], CallAs=resource["CallAs"],
                                    AutoDeployment=resource["AutoDeployment"], Description=resource["Description"])
    for group in resource["StackInstancesGroup"]:
        cloudformation.create_stack_instances(StackSetName=resource["StackSetName"], Regions=group["Regions"],
                                              DeploymentTargets=group["DeploymentTargets"],
                                              OperationPreferences=resource["OperationPreferences"])
    return resource


@pytest.mark.restarts_sandbox  # changes the sandbox's registries: after every test that shares the session's
def test_the_stack_set_gives_the_ou_accounts_the_repository_and_publish_reaches_them(organization,
                                                                                     tmp_path) -> None:  # type: ignore[no-untyped-def]
    info, run_id, members = organization["info"], organization["run_id"], organization["members"]
    repository = f"baseline-{run_id}/app"

    resource = deploy_stack_set_as_cloudformation_would(info, run_id)

    assert resource["PermissionModel"] == "SERVICE_MANAGED" and resource["AutoDeployment"]["Enabled"] is True
    assert resource["StackInstancesGroup"][0]["DeploymentTargets"] == {"OrganizationalUnitIds": [organization["unit"]]}
    for account in members:
        ecr = client(info, "ecr", account)
        [found] = ecr.describe_repositories(repositoryNames=[repository])["repositories"]
        assert found["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
        rules = json.loads(ecr.get_lifecycle_policy(repositoryName=repository)["lifecyclePolicyText"])["rules"]
        assert [r["selection"]["countNumber"] for r in rules] == [7, 30]
    management = client(info, "ecr", MANAGEMENT)
    assert repository not in [r["repositoryName"] for r in management.describe_repositories()["repositories"]]

    tag = unique_tag()
    done = run_cli("--spec", str(organization["spec_file"]), "publish", repository, "--context",
                   str(make_context(tmp_path, info.base_image)), "--tag", tag, "--json")

    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout)["destinations"]
    assert sorted(r["account"] for r in rows) == sorted(members) and {r["status"] for r in rows} == {"pushed"}
    [digest] = {r["digest"] for r in rows}
    assert all(recorded_digest(info, account, REGION, tag, repository=repository) == digest for account in members)
