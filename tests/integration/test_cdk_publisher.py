"""The real CDK CLI synthesizes a spec with a publisher: cfn-lint passes, cdk-nag finds nothing unacknowledged,
and a bad publisher stops synth with one line per problem."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cdk_app import ROOT, synth, templates

PUBLISHER_SPEC = {
    "environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                     "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]},
                     "staging": {"account": "333333333333", "regions": ["eu-west-1"]}},
    "publisher": {"environment": "dev"},
    "repositories": [{"name": "docker-in-aws/todobackend", "mutable_tags": ["latest"]},
                     {"name": "data/etl", "environments": ["dev", "prod"], "encryption": "KMS"}],
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publisher")
    spec_file = out / "spec.json"
    spec_file.write_text(json.dumps(PUBLISHER_SPEC))
    result = synth(out, f"ecr-spec={spec_file}")
    assert result.returncode == 0, result.stderr
    return out


def test_a_spec_with_a_publisher_passes_cfn_lint(published: Path) -> None:
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(published))],
                          capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_spec_with_a_publisher_has_no_unacknowledged_cdk_nag_finding(published: Path) -> None:
    report = json.loads((published / "cdk.out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []


def test_every_other_account_gets_one_publisher_role_and_the_ci_stack_the_project(published: Path) -> None:
    def count(stack: str, kind: str, role_name: str | None = None) -> int:
        resources = json.loads((published / "cdk.out" / f"{stack}.template.json").read_text())["Resources"]
        return sum(1 for r in resources.values() if r["Type"] == kind
                   and (role_name is None or r["Properties"].get("RoleName") == role_name))

    assert count("ecr-dev-us-east-1", "AWS::CodeBuild::Project") == 1
    assert [count(s, "AWS::IAM::Role", "ecr-image-publisher") for s in
            ("ecr-dev-us-east-1", "ecr-prod-us-east-1", "ecr-prod-eu-west-1", "ecr-staging-eu-west-1")] == [0, 1, 0, 1]


def test_the_source_asset_holds_what_pip_needs_and_no_tests_or_virtualenv(published: Path) -> None:
    manifest = json.loads((published / "cdk.out" / "ecr-dev-us-east-1.assets.json").read_text())
    (source,) = [f["source"]["path"] for f in manifest["files"].values() if f["source"].get("packaging") == "zip"]
    top = sorted(p.name for p in (published / "cdk.out" / source).iterdir())
    assert top == ["README.md", "ecr_spec", "image_pipeline", "pyproject.toml"]


def test_a_bad_publisher_stops_synth_with_one_line_per_problem(tmp_path: Path) -> None:
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["publisher"] = {"environment": "qa", "repositories": ["team/none"]}
    spec_file = tmp_path / "bad.json"
    spec_file.write_text(json.dumps(spec))
    result = synth(tmp_path, f"ecr-spec={spec_file}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "error: publisher.environment: 'qa' is not an environment of this spec (known: dev, prod)" in result.stderr
    assert "error: publisher.repositories[0]: 'team/none' is not a repository of this spec" in result.stderr
    assert templates(tmp_path) == []
