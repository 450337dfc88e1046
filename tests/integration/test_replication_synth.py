"""The real CDK CLI on a replication-heavy spec: 102 repositories sharing one destination set (cfn-lint E3032
fired on 102 filters in one rule), destinations listed in another order, a replica-only region, a prefix
opt-in and creation templates. cfn-lint and cdk-nag clean; the source stack deploys after its destinations."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .synth_helpers import cfn_lint, nag_violations, synthesized, template

EU = {"account": "222222222222", "region": "eu-west-1"}
WEST = {"account": "111111111111", "region": "us-west-2"}
SPEC = {
    "environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                     "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]}},
    "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
    "registry": {"creation_templates": [
        {"prefix": "ROOT", "applied_for": ["REPLICATION", "CREATE_ON_PUSH"], "mutable_tags": ["latest"],
         "pull": {"accounts": ["333333333333"]}},
        {"prefix": "cache/docker-hub", "applied_for": ["PULL_THROUGH_CACHE"], "environments": ["prod"],
         "custom_role_arn": "arn:aws:iam::222222222222:role/ecr-templates", "resource_tags": {"team": "platform"},
         "encryption": "KMS"}]},
    "repositories": [
        *({"name": f"team/svc{i:03d}", "environments": ["dev"], "replicate_to": [EU, WEST] if i % 2 else [WEST, EU]}
          for i in range(102)),
        {"name": "platform/base-images", "environments": ["dev"], "encryption": "KMS", "replicate_to": [EU],
         "replicate_by_prefix": True},
        {"name": "platform/base-images-nightly", "environments": ["dev"]},
    ],
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory, "replication", SPEC)


def test_cfn_lint_and_cdk_nag_pass_on_every_template(out: Path) -> None:
    lint = cfn_lint(out)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert nag_violations(out) == []


def test_rules_hold_at_most_100_filters_and_one_destination_set_in_any_order_is_one_group(out: Path) -> None:
    resources = template(out, "ecr-dev-us-east-1")["Resources"]
    [config] = [r["Properties"]["ReplicationConfiguration"] for r in resources.values()
                if r["Type"] == "AWS::ECR::ReplicationConfiguration"]
    assert [(len(rule["Destinations"]), len(rule["RepositoryFilters"])) for rule in config["Rules"]] == [
        (2, 100), (2, 2), (1, 1)]


def test_the_source_stack_depends_on_its_destination_stacks_in_the_cloud_assembly(out: Path) -> None:
    manifest = json.loads((out / "cdk.out" / "manifest.json").read_text())
    dependencies = set(manifest["artifacts"]["ecr-dev-us-east-1"]["dependencies"])
    assert {"ecr-prod-eu-west-1", "ecr-dev-us-west-2"} <= dependencies
