"""The real CDK CLI synthesizes the app: cfn-lint passes, cdk-nag finds nothing, bad specs stop it cleanly."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .synth_helpers import ROOT, cfn_lint, example_spec, nag_violations, synth, synth_spec, synthesized, templates


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory, "example")


def test_the_example_spec_synthesizes_one_template_per_environment_and_region(example: Path) -> None:
    assert [p.name for p in templates(example)] == [
        "ecr-dev-us-east-1.template.json", "ecr-prod-eu-west-1.template.json", "ecr-prod-us-east-1.template.json"]


def test_cfn_lint_passes_on_every_template(example: Path) -> None:
    result = cfn_lint(example)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cdk_nag_finds_nothing_unacknowledged(example: Path) -> None:
    assert nag_violations(example) == []


def test_the_readme_spec_with_organisation_kms_push_and_archive_passes_cfn_lint_and_cdk_nag(tmp_path: Path) -> None:
    block = re.search(r"```json\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block
    result = synth_spec(tmp_path, block.group(1))
    assert result.returncode == 0, result.stderr
    assert nag_violations(tmp_path) == []
    assert '"aws:PrincipalOrgID": "o-a1b2c3d4e5"' in (tmp_path / "cdk.out" / "ecr-dev-us-east-1.template.json").read_text()
    lint = cfn_lint(tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_bad_spec_stops_synth_with_one_line_per_problem_and_writes_nothing(tmp_path: Path) -> None:
    spec = example_spec()
    spec["repositories"][0]["pull"]["accounts"] = ["12345"]
    spec["repositories"][1]["name"] = "Base"
    result = synth_spec(tmp_path, spec, "bad.json")
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


def test_an_unquoted_account_id_stops_the_synth_with_one_error_line_naming_the_field(tmp_path: Path) -> None:
    spec = example_spec()
    spec["environments"]["dev"]["account"] = int(spec["environments"]["dev"]["account"])
    result = synth_spec(tmp_path, spec, "unquoted.json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: environments.dev.account: {spec['environments']['dev']['account']} must be a quoted "
                      f"string (\"{spec['environments']['dev']['account']}\")"]
    assert templates(tmp_path) == []


def test_a_string_where_a_list_belongs_stops_the_synth_with_one_error_line_naming_the_field(tmp_path: Path) -> None:
    spec = example_spec()
    spec["repositories"][0]["pull"] = {"accounts": "444444444444"}
    result = synth_spec(tmp_path, spec, "string.json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: repositories[0].pull.accounts: '444444444444' must be a list, such as ['444444444444']"]
