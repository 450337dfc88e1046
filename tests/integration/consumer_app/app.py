#!/usr/bin/env python3
"""Another team's CDK app. It installed ``ecr-registry-as-code[app]`` from a wheel and passes our repositories
straight to the aws-cdk APIs that take an ``aws_ecr.IRepository``:

- an ECS Fargate service whose container image is ``ecs.ContainerImage.from_ecr_repository(EcrRepository(...))``;
- a CodeBuild project whose build image comes from one of our repositories (the ECR user guide's CodeBuild
  case: the repository policy lets ``codebuild.amazonaws.com`` pull, and the project pulls with its service role);
- a Lambda function from an image in another of our repositories.

The app runs cdk-nag's AwsSolutions checks. The acknowledgements below are for the consumer's own resources
and each says why; none is about our repositories.
"""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from ecr_constructs import EcrRepository
from ecr_spec import keep_last_rule, untagged_rule

IAM5 = "AwsSolutions::AwsSolutions-IAM5"
TOKEN_REASON = ("ecr:GetAuthorizationToken has no resource-level permissions: AWS documents Resource '*' for it "
                "(Amazon ECR User Guide, private registry authentication).")


def acknowledge(scope: Construct, rule: str, reason: str) -> None:
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def acknowledge_codebuild_grants(project: codebuild.PipelineProject) -> None:
    """What aws-cdk's CodeBuild L2 grants the project's own role: its log streams and report groups (each '*'
    scoped to this project's name) and the use of its own encryption key."""
    own = project.stack.resolve(project.node.default_child.logical_id)
    reason = "aws-cdk's CodeBuild L2 scopes this to the project's own {}."
    acknowledge(project, f"{IAM5}[Resource::arn:<AWS::Partition>:logs:us-east-1:111111111111:log-group:"
                f"/aws/codebuild/<{own}>:*]", reason.format("log group"))
    acknowledge(project, f"{IAM5}[Resource::arn:<AWS::Partition>:codebuild:us-east-1:111111111111:report-group/"
                f"<{own}>-*]", reason.format("report groups"))
    for action in ("kms:ReEncrypt*", "kms:GenerateDataKey*"):
        acknowledge(project, f"{IAM5}[Action::{action}]", reason.format("KMS key (key policy grant)"))


class ConsumerStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        api_images = EcrRepository(self, "ApiImages", repository_name="payments/api",
                                   lifecycle_rules=[untagged_rule(1, 7), keep_last_rule(2, 30)])
        build_images = EcrRepository(self, "BuildImages", repository_name="ci/build-image",
                                     pull_services=["codebuild.amazonaws.com"])
        function_images = EcrRepository(self, "FunctionImages", repository_name="payments/worker")

        vpc = ec2.Vpc(self, "Vpc", availability_zones=["us-east-1a", "us-east-1b"], nat_gateways=0,
                      subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
                      flow_logs={"all": ec2.FlowLogOptions()})
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
        task = ecs.FargateTaskDefinition(self, "ApiTask", cpu=256, memory_limit_mib=512)
        task.add_container("api", image=ecs.ContainerImage.from_ecr_repository(api_images, tag="v1"),
                           logging=ecs.LogDrivers.aws_logs(stream_prefix="api"))
        ecs.FargateService(self, "ApiService", cluster=cluster, task_definition=task, desired_count=1,
                           min_healthy_percent=100, circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
                           assign_public_ip=True, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
        acknowledge(task, f"{IAM5}[Resource::*]", TOKEN_REASON)

        project = codebuild.PipelineProject(
            self, "Build", encryption_key=kms.Key(self, "BuildKey", enable_key_rotation=True),
            environment=codebuild.BuildEnvironment(
                build_image=codebuild.LinuxBuildImage.from_ecr_repository(build_images, "v1")))
        acknowledge(project, "AwsSolutions::AwsSolutions-CB5", "The build image is the team's own, from its ECR repository: "
                    "that is what this project demonstrates.")
        acknowledge(project, f"{IAM5}[Resource::*]", TOKEN_REASON)
        acknowledge_codebuild_grants(project)

        worker_role = iam.Role(self, "WorkerRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        worker_logs = logs.LogGroup(self, "WorkerLogs", retention=logs.RetentionDays.ONE_MONTH)
        worker_logs.grant_write(worker_role)
        lambda_.DockerImageFunction(self, "Worker", role=worker_role, log_group=worker_logs,
                                    code=lambda_.DockerImageCode.from_ecr(function_images, tag_or_digest="v1"))

        cdk.CfnOutput(self, "ApiImage", value=api_images.repository_uri_for_tag("v1"))


# What `cdk synth` would cache in cdk.context.json after looking the zones up; synth here has no AWS credentials.
app = cdk.App(context={"availability-zones:account=111111111111:region=us-east-1": ["us-east-1a", "us-east-1b"]})
ConsumerStack(app, "Consumer", env=cdk.Environment(account="111111111111", region="us-east-1"))
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()
