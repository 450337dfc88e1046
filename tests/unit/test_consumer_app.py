"""Another team's CDK app imports ecr_constructs and grants an ECS container instance role pull."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from constructs import Construct

from ecr_constructs import EcrRepository
from ecr_spec.lifecycle import keep_last_rule
from ecr_spec.policy import PULL_ACTIONS

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
