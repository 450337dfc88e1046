"""The real CDK CLI synthesizes docs/organization.md's spec: the per-account stacks next to the organization's
stack, whose StackSet template (TemplateBody) and stack pass cfn-lint, and cdk-nag finds nothing."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .synth_helpers import CFN_LINT, ROOT, cfn_lint, nag_violations, synthesized, template, templates

ORGANIZATION_STACK = "ecr-organization-management-us-east-1"


def docs_spec() -> dict:
    block = re.search(r"```json\n(.*?)```", (ROOT / "docs" / "organization.md").read_text(), re.S)
    assert block
    return json.loads(block.group(1))


@pytest.fixture(scope="module")
def synthesized_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory, "organization", docs_spec())


def test_the_per_account_stacks_and_the_organization_stack_are_synthesized(synthesized_docs: Path) -> None:
    assert [p.name.removesuffix(".template.json") for p in templates(synthesized_docs)] == [
        "ecr-management-us-east-1", ORGANIZATION_STACK, "ecr-payments-eu-west-1", "ecr-payments-us-east-1",
        "ecr-search-eu-west-1"]


def test_cfn_lint_passes_on_every_stack_and_on_the_stack_sets_template(synthesized_docs: Path) -> None:
    result = cfn_lint(synthesized_docs)
    assert result.returncode == 0, result.stdout + result.stderr
    [stack_set] = [r for r in template(synthesized_docs, ORGANIZATION_STACK)["Resources"].values()
                   if r["Type"] == "AWS::CloudFormation::StackSet"]
    body = synthesized_docs / "stack-set.template.json"
    body.write_text(stack_set["Properties"]["TemplateBody"])
    lint = subprocess.run([str(CFN_LINT), str(body)], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_cdk_nag_finds_nothing_unacknowledged(synthesized_docs: Path) -> None:
    assert nag_violations(synthesized_docs) == []


def test_the_stack_set_repositories_are_not_declared_by_the_accounts_own_stacks(synthesized_docs: Path) -> None:
    names = [r["Properties"]["RepositoryName"] for r in template(synthesized_docs, "ecr-payments-us-east-1")
             ["Resources"].values() if r["Type"] == "AWS::ECR::Repository"]
    assert names == ["payments/api"]
