"""The real CDK CLI synthesizes the app: cfn-lint passes, cdk-nag finds nothing, bad specs stop it cleanly."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def synth(out: Path, *context: str) -> subprocess.CompletedProcess[str]:
    """`cdk synth` with no AWS credentials or config at all: synth must need none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(out / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(out / "no-credentials"),
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1")
    args = [str(CDK), "synth", "--quiet", "--no-notices", "-o", str(out / "cdk.out")]
    for item in context:
        args += ["-c", item]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def templates(out: Path) -> list[Path]:
    return sorted((out / "cdk.out").glob("*.template.json"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example")
    result = synth(out)
    assert result.returncode == 0, result.stderr
    return out


def test_the_example_spec_synthesizes_one_template_per_environment_and_region(example: Path) -> None:
    assert [p.name for p in templates(example)] == [
        "ecr-dev-us-east-1.template.json", "ecr-prod-eu-west-1.template.json", "ecr-prod-us-east-1.template.json"]


def test_cfn_lint_passes_on_every_template(example: Path) -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(example))],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cdk_nag_finds_nothing_unacknowledged(example: Path) -> None:
    report = json.loads((example / "cdk.out" / "validation-report.json").read_text())
    violations = [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])]
    assert violations == []


def test_the_readme_spec_with_organisation_kms_push_and_archive_passes_cfn_lint_and_cdk_nag(tmp_path: Path) -> None:
    block = re.search(r"```json\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(block.group(1))
    result = synth(tmp_path, f"ecr-spec={spec_file}")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []
    assert '"aws:PrincipalOrgID": "o-a1b2c3d4e5"' in (tmp_path / "cdk.out" / "ecr-dev-us-east-1.template.json").read_text()
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(tmp_path))],
                          capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_bad_spec_stops_synth_with_one_line_per_problem_and_writes_nothing(tmp_path: Path) -> None:
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["repositories"][0]["pull"]["accounts"] = ["12345"]
    spec["repositories"][1]["name"] = "Base"
    spec_file = tmp_path / "bad.json"
    spec_file.write_text(json.dumps(spec))
    result = synth(tmp_path, f"ecr-spec={spec_file}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "error: repositories[0].pull.accounts[0]: '12345' is not a 12-digit account id" in result.stderr
    assert "error: repositories[1].name: 'Base' is not a valid ECR repository name" in result.stderr
    assert templates(tmp_path) == []


def test_a_spec_file_that_is_not_json_is_one_clear_line(tmp_path: Path) -> None:
    spec_file = tmp_path / "broken.json"
    spec_file.write_text("{not json")
    result = synth(tmp_path, f"ecr-spec={spec_file}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"error: ecr-spec: {spec_file} is not valid JSON" in result.stderr
