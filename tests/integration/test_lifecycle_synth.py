"""The real `cdk synth` of app.py on a spec holding the ECR user guide's "Combining archive and expire rules"
example ("Examples of lifecycle policies in Amazon ECR",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html): it synthesizes, the
template carries the documented policy, and cfn-lint and cdk-nag pass."""
from __future__ import annotations

import json
from pathlib import Path

from ..ecr_cases.lifecycle import COMBINED_ARCHIVE_AND_EXPIRE as COMBINED
from .synth_helpers import cfn_lint, example_spec, nag_violations, synth_spec, template


def test_app_synthesizes_the_aws_combined_archive_and_expire_example(tmp_path: Path) -> None:
    spec = example_spec()
    base = next(r for r in spec["repositories"] if r["name"] == "platform/base-images")
    base["lifecycle"] = {"rules": COMBINED["rules"]}  # defaults' shorthands stay inherited and give way

    result = synth_spec(tmp_path, spec)

    assert result.returncode == 0, result.stderr
    policies = [json.loads(r["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
                for r in template(tmp_path, "ecr-dev-us-east-1")["Resources"].values()
                if r["Type"] == "AWS::ECR::Repository" and r["Properties"]["RepositoryName"] == "platform/base-images"]
    assert policies == [COMBINED]
    assert nag_violations(tmp_path) == []
    lint = cfn_lint(tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
