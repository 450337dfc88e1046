"""The real `cdk synth` of app.py on a spec holding the ECR user guide's "Combining archive and expire rules"
example ("Examples of lifecycle policies in Amazon ECR",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html): it synthesizes, the
template carries the documented policy, and cfn-lint and cdk-nag pass."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_cdk_app import ROOT, synth, templates

COMBINED = {"rules": [
    {"rulePriority": 1, "description": "Archive images older than 30 days",
     "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
     "action": {"type": "transition", "targetStorageClass": "archive"}},
    {"rulePriority": 2, "description": "Expire images archived for more than 365 days",
     "selection": {"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
                   "countUnit": "days", "countNumber": 365},
     "action": {"type": "expire"}}]}


def test_app_synthesizes_the_aws_combined_archive_and_expire_example(tmp_path: Path) -> None:
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    base = next(r for r in spec["repositories"] if r["name"] == "platform/base-images")
    base["lifecycle"] = {"rules": COMBINED["rules"]}  # defaults' shorthands stay inherited and give way
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))

    result = synth(tmp_path, f"ecr-spec={spec_file}")

    assert result.returncode == 0, result.stderr
    template = json.loads((tmp_path / "cdk.out" / "ecr-dev-us-east-1.template.json").read_text())
    policies = [json.loads(r["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
                for r in template["Resources"].values()
                if r["Type"] == "AWS::ECR::Repository" and r["Properties"]["RepositoryName"] == "platform/base-images"]
    assert policies == [COMBINED]
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(tmp_path))],
                          capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr
