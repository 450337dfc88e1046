"""The baseline: a plain aws-cdk-lib app building the same resources from the same generated spec, the way a
team would write it by hand (L2 Repository, L2 lifecycle rules, L2 grants, one output per repository).
No validation, no cdk-nag. Run by benchmarks/synth.py; reads the spec file named by context `ecr-spec`."""
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
        stack = cdk.Stack(app, f"ecr-{env_name}-{region}",
                          env=cdk.Environment(account=env["account"], region=region))
        for repo in spec["repositories"]:
            if env_name not in repo["environments"]:
                continue
            filters = [ecr.ImageTagMutabilityExclusionFilter.wildcard(t) for t in repo.get("mutable_tags", [])]
            r = ecr.Repository(
                stack, repo["name"].replace("/", "--"), repository_name=repo["name"], image_scan_on_push=True,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION if filters else ecr.TagMutability.IMMUTABLE,
                image_tag_mutability_exclusion_filters=filters or None, removal_policy=cdk.RemovalPolicy.RETAIN,
                lifecycle_rules=[
                    ecr.LifecycleRule(rule_priority=1, tag_status=ecr.TagStatus.UNTAGGED,
                                      max_image_age=cdk.Duration.days(lifecycle["untagged_expire_days"])),
                    ecr.LifecycleRule(rule_priority=2, tag_status=ecr.TagStatus.ANY,
                                      max_image_count=lifecycle["keep_last"]),
                ])
            pull = repo.get("pull", {})
            if pull.get("accounts"):
                r.grant_pull(iam.CompositePrincipal(*[iam.AccountPrincipal(a) for a in pull["accounts"]]))
            for service in pull.get("services", []):
                r.grant_pull(iam.ServicePrincipal(service).with_conditions(
                    {"StringEquals": {"aws:SourceAccount": env["account"]}}))
            cdk.CfnOutput(r, "Output", value=stack.to_json_string(
                {"name": r.repository_name, "arn": r.repository_arn, "uri": r.repository_uri}))
app.synth()
