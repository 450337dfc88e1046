"""The baseline: a plain aws-cdk-lib app building the same resources and outputs from the same generated spec, the
way a team would write it by hand (L2 Repository, L2 lifecycle rules, L2 grants, the L1 registry scanning
configuration, one output per repository). No validation, no cdk-nag. Run by benchmarks/synth.py; reads the spec
file named by context `ecr-spec`.

What it makes, per stack, is what the project's RegistryStack makes for the generated spec (synth.py checks it):
the stack description; per repository the name, scan on push, tag immutability with the `mutable_tags`
exclusions, retention, the lifecycle rules with their descriptions, one pull statement for the accounts and one
per service (limited by `aws:SourceAccount`), and one output `{"name", "arn", "uri", "dualstack_uri"}` with its
description; one `AWS::ECR::RegistryScanningConfiguration` (BASIC, scan on push of `*`)."""
from __future__ import annotations

import json
import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_ecr as ecr  # noqa: E402
from aws_cdk import aws_iam as iam  # noqa: E402

app = cdk.App()
spec = json.loads(open(app.node.try_get_context("ecr-spec")).read())
lifecycle = spec["defaults"]["lifecycle"]
for env_name, env in spec["environments"].items():
    for region in env["regions"]:
        stack = cdk.Stack(app, f"ecr-{env_name}-{region}", env=cdk.Environment(account=env["account"], region=region),
                          description=f"ECR repositories of {env_name} in {region}")
        ecr.CfnRegistryScanningConfiguration(stack, "Scanning", scan_type="BASIC", rules=[
            ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                scan_frequency="SCAN_ON_PUSH", repository_filters=[
                    ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(filter="*", filter_type="WILDCARD")])])
        for repo in spec["repositories"]:
            if env_name not in repo["environments"]:
                continue
            filters = [ecr.ImageTagMutabilityExclusionFilter.wildcard(t) for t in repo.get("mutable_tags", [])]
            days, keep = lifecycle["untagged_expire_days"], lifecycle["keep_last"]
            r = ecr.Repository(
                stack, repo["name"].replace("/", "--"), repository_name=repo["name"], image_scan_on_push=True,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION if filters else ecr.TagMutability.IMMUTABLE,
                image_tag_mutability_exclusion_filters=filters or None, removal_policy=cdk.RemovalPolicy.RETAIN,
                lifecycle_rules=[
                    ecr.LifecycleRule(rule_priority=1, tag_status=ecr.TagStatus.UNTAGGED,
                                      description=f"Expire untagged images after {days} days",
                                      max_image_age=cdk.Duration.days(days)),
                    ecr.LifecycleRule(rule_priority=2, tag_status=ecr.TagStatus.ANY,
                                      description=f"Keep only the newest {keep} images", max_image_count=keep),
                ])
            pull = repo.get("pull", {})
            if pull.get("accounts"):
                r.grant_pull(iam.CompositePrincipal(*[iam.AccountPrincipal(a) for a in pull["accounts"]]))
            for service in pull.get("services", []):
                r.grant_pull(iam.ServicePrincipal(service).with_conditions(
                    {"StringEquals": {"aws:SourceAccount": env["account"]}}))
            cdk.CfnOutput(r, "Output", description=f"ECR repository {repo['name']}: name, ARN and URIs",
                          value=stack.to_json_string({
                              "name": r.repository_name, "arn": r.repository_arn, "uri": r.repository_uri,
                              "dualstack_uri": f"{env['account']}.dkr-ecr.{region}.on.aws/{r.repository_name}"}))
app.synth()
