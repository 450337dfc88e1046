"""A spec that uses every registry-level feature synthesizes with the real CDK CLI, cfn-lint clean and cdk-nag
clean: enhanced scanning with both frequencies, a pull through cache rule for every upstream kind ECR documents
(CreatePullThroughCacheRuleRequest.upstreamRegistryUrl in the ECR API model), ECR-to-ECR with a role and an
upstream prefix, managed signing with and without filters, dual-stack URIs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cdk_app import ROOT, synth, templates


def _secret(account: str, region: str, name: str) -> str:
    return f"arn:aws:secretsmanager:{region}:{account}:secret:ecr-pullthroughcache/{name}-AbCdEf"


SPEC = {
    "environments": {
        "dev": {"account": "111111111111", "regions": ["us-east-1"]},
        "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]},
    },
    "registry": {
        "scan_type": "ENHANCED",
        "scanning_rules": [{"frequency": "CONTINUOUS_SCAN", "filters": ["payments/*", "*-prod"]},
                           {"frequency": "SCAN_ON_PUSH", "filters": ["*"]}],
        "pull_through_cache": [
            {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"},
            {"ecr_repository_prefix": "k8s", "upstream_registry_url": "registry.k8s.io"},
            {"ecr_repository_prefix": "quay", "upstream_registry_url": "quay.io"},
            {"ecr_repository_prefix": "docker-hub", "upstream_registry_url": "registry-1.docker.io",
             "credential_arn": _secret("111111111111", "us-east-1", "docker-hub"), "environments": ["dev"]},
            {"ecr_repository_prefix": "ghcr", "upstream_registry_url": "ghcr.io",
             "credential_arn": _secret("111111111111", "us-east-1", "ghcr"), "environments": ["dev"]},
            {"ecr_repository_prefix": "gitlab", "upstream_registry_url": "registry.gitlab.com",
             "credential_arn": _secret("111111111111", "us-east-1", "gitlab"), "environments": ["dev"]},
            {"ecr_repository_prefix": "azure", "upstream_registry_url": "example.azurecr.io",
             "credential_arn": _secret("111111111111", "us-east-1", "azure"), "environments": ["dev"]},
            {"ecr_repository_prefix": "from-dev", "upstream_registry_url": "111111111111.dkr.ecr.us-east-1.amazonaws.com",
             "custom_role_arn": "arn:aws:iam::222222222222:role/ecr-pull-through-cache",
             "upstream_repository_prefix": "platform", "environments": ["prod"]},
        ],
        "signing": [
            {"signing_profile_arn": "arn:aws:signer:us-east-1:111111111111:/signing-profiles/release_images",
             "filters": ["payments/*"], "environments": ["dev"]},
            {"signing_profile_arn": "arn:aws:signer:eu-west-1:222222222222:/signing-profiles/everything",
             "environments": ["prod"]},
        ],
    },
    "repositories": [{"name": "payments/api"}, {"name": "platform/base-images", "environments": ["dev"]}],
}


@pytest.fixture(scope="module")
def every_feature(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("registry-features")
    spec_file = out / "spec.json"
    spec_file.write_text(json.dumps(SPEC))
    result = synth(out, f"ecr-spec={spec_file}")
    assert result.returncode == 0, result.stderr
    return out


def test_every_registry_feature_passes_cfn_lint(every_feature: Path) -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates(every_feature))],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_registry_feature_passes_cdk_nag(every_feature: Path) -> None:
    report = json.loads((every_feature / "cdk.out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []


def test_each_registry_gets_its_rules(every_feature: Path) -> None:
    def resources(stack: str, kind: str) -> list[dict]:
        template = json.loads((every_feature / "cdk.out" / f"{stack}.template.json").read_text())
        return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]

    assert len(resources("ecr-dev-us-east-1", "AWS::ECR::PullThroughCacheRule")) == 7
    assert [r["EcrRepositoryPrefix"] for r in resources("ecr-prod-eu-west-1", "AWS::ECR::PullThroughCacheRule")] == [
        "ecr-public", "k8s", "quay", "from-dev"]
    assert len(resources("ecr-prod-us-east-1", "AWS::ECR::SigningConfiguration")) == 1
    assert resources("ecr-dev-us-east-1", "AWS::ECR::RegistryScanningConfiguration")[0]["ScanType"] == "ENHANCED"


def test_a_bad_registry_section_stops_synth_with_its_paths(tmp_path: Path) -> None:
    spec = json.loads(json.dumps(SPEC))
    spec["registry"]["pull_through_cache"][1]["upstream_registry_url"] = "k8s.gcr.io"
    spec["registry"]["signing"][0]["filters"] = ["Payments/*"]
    spec_file = tmp_path / "bad.json"
    spec_file.write_text(json.dumps(spec))
    result = synth(tmp_path, f"ecr-spec={spec_file}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "error: registry.pull_through_cache[1].upstream_registry_url: 'k8s.gcr.io' is not an upstream registry" \
        in result.stderr
    assert "error: registry.signing[0].filters[0]: 'Payments/*' is not a signing filter" in result.stderr
    assert templates(tmp_path) == []
