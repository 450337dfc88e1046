"""Another team's CDK app imports ecr_constructs and passes our repository wherever aws-cdk takes an
``aws_ecr.IRepository``: ECS, Lambda, CodeBuild and plain grants. (tests/integration/test_consumer_wheel.py does
the same from an installed wheel with the real CDK CLI.)"""
from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template
from constructs import Construct

from ecr_constructs import EcrRepository
from ecr_spec.model.lifecycle import keep_last_rule
from ecr_spec.model.policy import PULL_ACTIONS

from .cdk_helpers import ENV


class ServiceStack(cdk.Stack):
    """What a consumer writes: its own stack, our repository construct, its own ECS instance role."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=ENV)
        repository = EcrRepository(self, "Images", repository_name="payments/api",
                                   lifecycle_rules=[keep_last_rule(1, 20)])
        self.instance_role = iam.Role(self, "EcsInstanceRole",
                                      assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                                      managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                                          "service-role/AmazonEC2ContainerServiceforEC2Role")])
        repository.grant_pull(self.instance_role)
        cdk.CfnOutput(self, "ImageUri", value=repository.repository_uri_for_tag("v1"))


def test_an_ecs_instance_role_in_another_app_can_pull_from_the_repository() -> None:
    template = Template.from_stack(ServiceStack(cdk.App(), "Payments"))
    template.has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("EcsInstanceRole")}],
        "PolicyDocument": {"Statement": [
            {"Action": list(PULL_ACTIONS), "Effect": "Allow",
             "Resource": {"Fn::GetAtt": [Match.string_like_regexp("Images"), "Arn"]}},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
        ]},
    })


def test_the_consumer_keeps_its_own_lifecycle_rules() -> None:
    template = Template.from_stack(ServiceStack(cdk.App(), "Payments"))
    template.has_resource_properties("AWS::ECR::Repository", {"LifecyclePolicy": {
        "LifecyclePolicyText": Match.string_like_regexp('"countNumber":20')}})


def _stack_with(use) -> tuple[Template, str]:
    stack = cdk.Stack(cdk.App(), "Consumer", env=ENV)
    repository = EcrRepository(stack, "Images", repository_name="payments/api")
    use(stack, repository)
    template = Template.from_stack(stack)
    return template, next(iter(template.find_resources("AWS::ECR::Repository")))


def test_ecs_takes_our_repository_as_the_container_image() -> None:
    def use(stack, repository):
        task = ecs.FargateTaskDefinition(stack, "Task")
        task.add_container("app", image=ecs.ContainerImage.from_ecr_repository(repository, tag="v1"))
    template, repository_id = _stack_with(use)
    [task] = template.find_resources("AWS::ECS::TaskDefinition").values()
    assert f'"Ref": "{repository_id}"' in json.dumps(task["Properties"]["ContainerDefinitions"][0]["Image"])


def test_lambda_takes_our_repository_as_the_function_image() -> None:
    def use(stack, repository):
        lambda_.DockerImageFunction(stack, "Fn", code=lambda_.DockerImageCode.from_ecr(repository, tag_or_digest="v1"))
    template, repository_id = _stack_with(use)
    [function] = template.find_resources("AWS::Lambda::Function").values()
    assert f'"Ref": "{repository_id}"' in json.dumps(function["Properties"]["Code"]["ImageUri"])


def test_codebuild_takes_our_repository_as_the_build_image() -> None:
    def use(stack, repository):
        codebuild.PipelineProject(stack, "Build", environment=codebuild.BuildEnvironment(
            build_image=codebuild.LinuxBuildImage.from_ecr_repository(repository, "v1")))
    template, repository_id = _stack_with(use)
    [project] = template.find_resources("AWS::CodeBuild::Project").values()
    assert f'"Ref": "{repository_id}"' in json.dumps(project["Properties"]["Environment"]["Image"])
    assert project["Properties"]["Environment"]["ImagePullCredentialsType"] == "SERVICE_ROLE"


def test_the_readme_constructs_example_synthesizes_with_our_repositories_in_ecs_codebuild_and_lambda() -> None:
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Using the constructs in your own CDK app"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    template = Template.from_stack(namespace["ServiceStack"](cdk.App(), "Readme", env=ENV))
    template.resource_count_is("AWS::ECR::Repository", 3)
    for kind in ("AWS::ECS::TaskDefinition", "AWS::CodeBuild::Project", "AWS::Lambda::Function"):
        template.resource_count_is(kind, 1)
