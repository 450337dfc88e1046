"""The real CDK CLI on a replication-heavy spec: 102 repositories sharing one destination set (cfn-lint E3032
fired on 102 filters in one rule), destinations listed in another order, a replica-only region, a prefix
opt-in and creation templates. cfn-lint and cdk-nag clean; the source stack deploys after its destinations."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cdk_app import synth, templates

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
    folder = tmp_path_factory.mktemp("replication")
    (folder / "spec.json").write_text(json.dumps(SPEC))
    result = synth(folder, f"ecr-spec={folder / 'spec.json'}")
    assert result.returncode == 0, result.stderr
    return folder


def test_cfn_lint_and_cdk_nag_pass_on_every_template(out: Path) -> None:
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(out))],
                          capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    report = json.loads((out / "cdk.out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []


def test_rules_hold_at_most_100_filters_and_one_destination_set_in_any_order_is_one_group(out: Path) -> None:
    template = json.loads((out / "cdk.out" / "ecr-dev-us-east-1.template.json").read_text())
    [config] = [r["Properties"]["ReplicationConfiguration"] for r in template["Resources"].values()
                if r["Type"] == "AWS::ECR::ReplicationConfiguration"]
    assert [(len(rule["Destinations"]), len(rule["RepositoryFilters"])) for rule in config["Rules"]] == [
        (2, 100), (2, 2), (1, 1)]


def test_the_source_stack_depends_on_its_destination_stacks_in_the_cloud_assembly(out: Path) -> None:
    manifest = json.loads((out / "cdk.out" / "manifest.json").read_text())
    dependencies = set(manifest["artifacts"]["ecr-dev-us-east-1"]["dependencies"])
    assert {"ecr-prod-eu-west-1", "ecr-dev-us-west-2"} <= dependencies
