#!/usr/bin/env python3
"""A service team's CDK app with only our wheel installed: its whole registry from a spec (``build_registry``, the
spec's ``publisher`` included), a repository of its own (``EcrRepository``) and a ``PublisherProject`` for it,
both publishers installing the distribution this app runs with. No cdk-nag: it runs on any supported aws-cdk-lib.

Used by tests/integration: synthesized from the wheel (test_consumer_wheel.py), on the lowest supported aws-cdk-lib
(test_cdk_floor.py), and type-checked with mypy and pyright (test_consumer_types.py).
"""
from __future__ import annotations

import aws_cdk as cdk

from ecr_constructs import EcrRepository, PublisherProject, RegistryStack, build_registry, exit_on_spec_errors
from ecr_spec import keep_last_rule, untagged_rule

SPEC = {
    "environments": {
        "dev": {"account": "111111111111", "regions": ["us-east-1"]},
        "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]},
    },
    "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
    "repositories": [
        {"name": "payments/api", "mutable_tags": ["latest"], "pull": {"accounts": ["333333333333"]}},
        {"name": "platform/base", "environments": ["dev"],
         "replicate_to": [{"account": "222222222222", "region": "eu-west-1"}]},
    ],
    "publisher": {"environment": "dev", "repositories": ["payments/api"]},
}


class ServiceStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str, *, env: cdk.Environment) -> None:
        super().__init__(scope, construct_id, env=env)
        images = EcrRepository(self, "Images", repository_name="team/service",
                               lifecycle_rules=[untagged_rule(1, 7), keep_last_rule(2, 30)])
        self.publisher = PublisherProject(
            self, "Publisher", repositories=[images],
            registry_spec={"environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]}},
                           "repositories": [{"name": "team/service"}]})


app = cdk.App()
with exit_on_spec_errors():
    stacks: list[RegistryStack] = build_registry(app, SPEC)
ServiceStack(app, "Service", env=cdk.Environment(account="111111111111", region="us-east-1"))
app.synth()
