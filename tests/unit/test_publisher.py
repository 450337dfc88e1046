"""PublisherProject and PublisherRole in the synthesized templates: the buildspec, privileged Docker, and
exactly the IAM each role gets.

Permissions follow the ECR user guide ("Private registry authentication": ecr:GetAuthorizationToken takes no
resource, so Resource "*"; "Pushing an image": the push actions on the repository) and the CodeBuild user
guide ("Docker images sample": privileged mode to run the Docker daemon)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, RegistryStack
from ecr_constructs.publisher.project import PUBLISH_ACTIONS, PUBLISHER_REQUIREMENTS, PublisherProject
from ecr_constructs.stacks.publisher import add_publisher
from ecr_spec import RegistrySpec

from .cdk_helpers import account_arn, new_stack, only_resource
from .spec_helpers import parsed, spec

ROOT = Path(__file__).resolve().parents[2]
PUSH_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
             "ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload", "ecr:PutImage"]
PUBLISHED = "docker-in-aws/todobackend"
# The publisher's resources of every stack as they were before PublisherProject had ``platforms`` (regenerate with
# ``python -m tests.unit.test_publisher`` only when aws-cdk-lib's pin in requirements.txt moves, and say so).
SNAPSHOT = Path(__file__).parent / "snapshots" / "publisher_single_platform.json"


def templates(registry_spec: RegistrySpec) -> dict[str, Template]:
    app = cdk.App()
    stacks = {t: RegistryStack(app, target=t, repositories=registry_spec.repositories_in(t),
                               replication_rules=registry_spec.replication_rules(t),
                               replication_sources=registry_spec.replication_sources(t)) for t in registry_spec.targets()}
    add_publisher(stacks, registry_spec)
    return {t.stack_name: Template.from_stack(s) for t, s in stacks.items()}


@pytest.fixture(scope="module")
def synthesized() -> dict[str, Template]:
    return templates(parsed(spec(publisher={"environment": "dev", "repositories": [PUBLISHED]})))


def publisher_resources(synthesized: dict[str, Template]) -> dict[str, Any]:
    """Every stack's ``Publisher*`` resources, the source asset's hash (it follows the checkout's files) blanked."""
    text = json.dumps({name: {k: v for k, v in t.to_json()["Resources"].items() if k.startswith("Publisher")}
                       for name, t in synthesized.items()}, indent=1, sort_keys=True)
    return json.loads(re.sub(r"[0-9a-f]{64}", "<asset-hash>", text))


def statements(template: Template, role_name: str) -> list[dict[str, Any]]:
    roles = template.find_resources("AWS::IAM::Role", {"Properties": {"RoleName": role_name}})
    assert len(roles) == 1
    role_id = next(iter(roles))
    policies = [*template.find_resources("AWS::IAM::Policy").values(),
                *template.find_resources("AWS::IAM::ManagedPolicy").values()]  # the CDK's overflow policies too
    found = [s for p in policies if {"Ref": role_id} in p["Properties"].get("Roles", [])
             for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert found
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def resources_of(statements_: list[dict[str, Any]], action: str) -> list[Any]:
    """Every resource the action is allowed on, over all statements."""
    found: list[Any] = []
    for statement in statements_:
        if action in actions(statement):
            resource = statement["Resource"]
            found += resource if isinstance(resource, list) else [resource]
    return found


def project_of(template: Template) -> dict[str, Any]:
    return only_resource(template, "AWS::CodeBuild::Project")["Properties"]


def test_the_project_lives_in_the_ci_stack_only_and_runs_docker_privileged(synthesized) -> None:
    counts = {name: len(t.find_resources("AWS::CodeBuild::Project")) for name, t in synthesized.items()}
    assert counts == {"ecr-dev-us-east-1": 1, "ecr-prod-us-east-1": 0, "ecr-prod-eu-west-1": 0}
    environment = project_of(synthesized["ecr-dev-us-east-1"])["Environment"]
    assert environment["PrivilegedMode"] is True and environment["Image"] == "aws/codebuild/standard:7.0"


def test_the_buildspec_installs_the_project_then_publishes_the_repository_with_the_embedded_spec(synthesized) -> None:
    project = project_of(synthesized["ecr-dev-us-east-1"])
    buildspec = json.loads(project["Source"]["BuildSpec"])
    assert buildspec["version"] == "0.2"
    install = buildspec["phases"]["install"]["commands"]
    assert install[0].startswith('aws s3 cp --only-show-errors "$PUBLISHER_SOURCE" ')
    assert install[1].startswith("python3 -m pip install") and all(r in install[1] for r in PUBLISHER_REQUIREMENTS)
    assert "image-pipeline --spec /tmp/ecr-publisher-spec.json publish \"$IMAGE_REPOSITORY\"" in \
        buildspec["phases"]["build"]["commands"][0]
    embedded = json.loads(buildspec["env"]["variables"]["ECR_PUBLISHER_SPEC"])
    assert embedded["repositories"] == [{"name": PUBLISHED, "environments": ["dev", "prod"]}]
    assert embedded["environments"]["prod"]["publish_role_arn"] == "arn:aws:iam::222222222222:role/ecr-image-publisher"
    variables = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert variables["IMAGE_REPOSITORY"] == PUBLISHED and variables["IMAGE_CONTEXT"] == "."


def test_the_build_role_gets_the_authorization_token_on_star_and_nothing_else_there(synthesized) -> None:
    build = statements(synthesized["ecr-dev-us-east-1"], "ecr-image-publisher-build")
    assert resources_of(build, "ecr:GetAuthorizationToken") == ["*"]
    assert [actions(s) for s in build if s["Resource"] == "*"] == [["ecr:GetAuthorizationToken"]]


def test_the_build_role_pushes_only_to_the_published_repository_of_its_own_account(synthesized) -> None:
    template = synthesized["ecr-dev-us-east-1"]
    build = statements(template, "ecr-image-publisher-build")
    published_id = next(k for k, v in template.find_resources("AWS::ECR::Repository").items()
                        if v["Properties"]["RepositoryName"] == PUBLISHED)
    arn = {"Fn::GetAtt": [published_id, "Arn"]}
    for action in PUSH_PULL + ["ecr:DescribeRepositories"]:
        assert resources_of(build, action) == [arn], action


def test_the_build_role_may_assume_the_publisher_role_of_every_other_account(synthesized) -> None:
    build = statements(synthesized["ecr-dev-us-east-1"], "ecr-image-publisher-build")
    assert resources_of(build, "sts:AssumeRole") == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::222222222222:role/ecr-image-publisher"]]}]


def test_one_publisher_role_per_other_account_in_its_first_region_stack(synthesized) -> None:
    counts = {name: len(t.find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "ecr-image-publisher"}}))
              for name, t in synthesized.items()}
    assert counts == {"ecr-dev-us-east-1": 0, "ecr-prod-us-east-1": 1, "ecr-prod-eu-west-1": 0}


def test_the_publisher_role_trusts_the_ci_account_only_through_the_build_role(synthesized) -> None:
    role = synthesized["ecr-prod-us-east-1"].find_resources(
        "AWS::IAM::Role", {"Properties": {"RoleName": "ecr-image-publisher"}})
    trust = next(iter(role.values()))["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"AWS": account_arn("111111111111")},
        "Condition": {"ArnEquals": {"aws:PrincipalArn": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:role/ecr-image-publisher-build"]]}}}}]


def test_the_publisher_role_pushes_to_its_accounts_repository_in_both_regions_and_nowhere_else(synthesized) -> None:
    template = synthesized["ecr-prod-us-east-1"]
    role = statements(template, "ecr-image-publisher")
    local_id = next(iter(template.find_resources("AWS::ECR::Repository")))
    other_region = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                      ":ecr:eu-west-1:222222222222:repository/docker-in-aws/todobackend"]]}
    for action in PUSH_PULL + ["ecr:DescribeRepositories"]:
        assert resources_of(role, action) == [{"Fn::GetAtt": [local_id, "Arn"]}, other_region], action
    assert [actions(s) for s in role if s["Resource"] == "*"] == [["ecr:GetAuthorizationToken"]]


def test_an_unpublished_repository_gets_no_permissions() -> None:
    synthesized = templates(parsed(spec(publisher={"environment": "dev", "repositories": ["platform/base-images"]})))
    template = synthesized["ecr-dev-us-east-1"]
    build = statements(template, "ecr-image-publisher-build")
    todo_id = next(k for k, v in template.find_resources("AWS::ECR::Repository").items()
                   if v["Properties"]["RepositoryName"] == PUBLISHED)
    assert todo_id not in json.dumps(build)
    assert statements(synthesized["ecr-prod-us-east-1"], "ecr-image-publisher") == [
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}]


def test_a_pip_requirement_as_package_is_installed_as_given_without_an_s3_download() -> None:
    stack = new_stack()
    repo = ecr.Repository(stack, "Repo", repository_name="team/app")
    PublisherProject(stack, "Publisher", registry_spec={"environments": {}, "repositories": [{"name": "team/app"}]},
                     repositories=[repo], package="ecr-registry-as-code==0.1.0")
    project = only_resource(Template.from_stack(stack), "AWS::CodeBuild::Project")["Properties"]
    install = json.loads(project["Source"]["BuildSpec"])["phases"]["install"]["commands"]
    assert install == ["python3 -m pip install --quiet --disable-pip-version-check ecr-registry-as-code==0.1.0 "
                       + " ".join(PUBLISHER_REQUIREMENTS)]
    assert "s3:" not in json.dumps(Template.from_stack(stack).find_resources("AWS::IAM::Policy"))


def test_a_default_repository_outside_the_spec_is_a_props_error() -> None:
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        PublisherProject(stack, "Publisher", registry_spec={"repositories": [{"name": "team/app"}]},
                         repositories=[], repository="team/other", package="x")
    assert str(caught.value) == ("Test/Publisher: repository: 'team/other' is not a repository of registry_spec "
                                 "(team/app)")


def test_the_installed_requirements_are_the_pins_of_requirements_txt() -> None:
    pins = {line.split("==")[0].lower(): line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    assert all(pins[r.split("==")[0].lower()] == r for r in PUBLISHER_REQUIREMENTS)


def test_the_publish_actions_are_what_the_l2_grant_pull_push_grants_plus_describe_repositories() -> None:
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    ecr.Repository(stack, "Repo").grant_pull_push(role)
    granted = {a for s in only_resource(Template.from_stack(stack), "AWS::IAM::Policy")["Properties"]
               ["PolicyDocument"]["Statement"] for a in actions(s)}
    assert set(PUBLISH_ACTIONS) == (granted - {"ecr:GetAuthorizationToken"}) | {"ecr:DescribeRepositories"}


def resolved_chars(statement: dict[str, Any], arn_of: dict[str, str]) -> int:
    """The statement's size as IAM counts it (no whitespace), with the template's ARNs resolved."""
    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return arn_of[value["Fn::GetAtt"][0]]
        if isinstance(value, dict) and "Fn::Join" in value:
            return value["Fn::Join"][0].join(resolve(part) for part in value["Fn::Join"][1])
        if isinstance(value, dict) and value.get("Ref") == "AWS::Partition":
            return "aws"
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return [resolve(v) for v in value] if isinstance(value, list) else value
    return len(json.dumps(resolve(statement), separators=(",", ":")))


def test_many_repositories_share_statements_instead_of_getting_their_own() -> None:
    raw = spec(publisher={"environment": "dev"})
    raw["repositories"] = [{"name": f"team/app-{i}"} for i in range(120)]
    build = statements(templates(parsed(raw))["ecr-dev-us-east-1"], "ecr-image-publisher-build")
    publish = [s for s in build if "ecr:PutImage" in actions(s)]
    assert len(publish) == 2 and len(resources_of(build, "ecr:PutImage")) == 120  # about 75 ARNs per statement


def test_each_publish_statement_fits_one_managed_policy_even_with_the_longest_names() -> None:
    """IAM quotas: a managed policy holds at most 6,144 characters (whitespace excluded)."""
    names = [("n" * 250) + f"-{i:03d}" for i in range(60)]
    raw = spec(publisher={"environment": "dev"})
    raw["repositories"] = [{"name": name} for name in names]
    template = templates(parsed(raw))["ecr-dev-us-east-1"]
    arn_of = {k: f"arn:aws:ecr:us-east-1:111111111111:repository/{v['Properties']['RepositoryName']}"
              for k, v in template.find_resources("AWS::ECR::Repository").items()}
    publish = [s for s in statements(template, "ecr-image-publisher-build") if "ecr:PutImage" in actions(s)]
    assert sum(len(s["Resource"]) for s in publish) == 60
    assert max(resolved_chars(s, arn_of) for s in publish) <= 6_144


def test_the_spec_publishers_package_is_what_the_build_installs() -> None:
    raw = spec(publisher={"environment": "dev", "repositories": [PUBLISHED], "package": "ecr-registry-as-code==0.2.0"})
    project = only_resource(templates(parsed(raw))["ecr-dev-us-east-1"], "AWS::CodeBuild::Project")["Properties"]
    install = json.loads(project["Source"]["BuildSpec"])["phases"]["install"]["commands"]
    assert install == ["python3 -m pip install --quiet --disable-pip-version-check ecr-registry-as-code==0.2.0 "
                       + " ".join(PUBLISHER_REQUIREMENTS)]


def test_without_platforms_the_publisher_resources_and_their_logical_ids_are_those_of_the_snapshot(synthesized) -> None:
    assert publisher_resources(synthesized) == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":  # rewrites the snapshot
    SNAPSHOT.write_text(json.dumps(publisher_resources(
        templates(parsed(spec(publisher={"environment": "dev", "repositories": [PUBLISHED]})))), indent=1,
        sort_keys=True) + "\n")
