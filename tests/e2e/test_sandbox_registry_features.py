"""Pull through cache rules and managed signing deploy into the sandbox and read back through the ECR API, as
with ``aws ecr describe-pull-through-cache-rules`` / ``get-signing-configuration`` on AWS (shapes: the ECR API
model's DescribePullThroughCacheRulesResponse and GetSigningConfigurationResponse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from ecr_spec import load_cdk_json

ROOT = Path(__file__).resolve().parents[2]
# an account and region no environment of the spec uses, so these registry-wide settings stay out of the deploy
ACCOUNT, REGION = "333333333333", "eu-west-1"
PROFILE_ARN = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/sandbox_tests"


@pytest.fixture(scope="module")
def spec():
    return load_cdk_json(ROOT / "cdk.json")


def _session() -> boto3.session.Session:
    return boto3.Session(profile_name=f"sandbox-{ACCOUNT}", region_name=REGION)


def _stack(cfn, name: str, resources: dict) -> None:  # type: ignore[no-untyped-def]
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": resources}))
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def _rule(prefix: str, url: str = "public.ecr.aws") -> dict:
    return {"Type": "AWS::ECR::PullThroughCacheRule",
            "Properties": {"EcrRepositoryPrefix": prefix, "UpstreamRegistryUrl": url, "UpstreamRegistry": "ecr-public"}}


def test_a_pull_through_cache_rule_made_by_cloudformation_is_described_by_the_ecr_api(sandbox):
    prefix = f"cache-{uuid.uuid4().hex[:8]}"
    session = _session()

    _stack(session.client("cloudformation"), f"ptc-{prefix}", {"Rule": _rule(prefix)})

    found = session.client("ecr").describe_pull_through_cache_rules(ecrRepositoryPrefixes=[prefix])
    [rule] = found["pullThroughCacheRules"]
    assert (rule["ecrRepositoryPrefix"], rule["upstreamRegistryUrl"], rule["registryId"]) == (
        prefix, "public.ecr.aws", ACCOUNT)


def test_deleting_the_stack_deletes_its_pull_through_cache_rule(sandbox):
    prefix = f"cache-{uuid.uuid4().hex[:8]}"
    session = _session()
    cfn = session.client("cloudformation")
    _stack(cfn, f"ptc-{prefix}", {"Rule": _rule(prefix)})

    cfn.delete_stack(StackName=f"ptc-{prefix}")

    rules = session.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert prefix not in [r["ecrRepositoryPrefix"] for r in rules]


def test_a_signing_configuration_made_by_cloudformation_is_read_back_by_the_aws_cli(sandbox):
    stack = f"signing-{uuid.uuid4().hex[:8]}"
    _stack(_session().client("cloudformation"), stack, {"Signing": {
        "Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": [
            {"SigningProfileArn": PROFILE_ARN,
             "RepositoryFilters": [{"Filter": "sandbox-tests/*", "FilterType": "WILDCARD_MATCH"}]}]}}})

    result = subprocess.run([str(Path(sys.executable).parent / "aws"), "ecr", "get-signing-configuration",
                             "--profile", f"sandbox-{ACCOUNT}", "--region", REGION, "--output", "json"],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["signingConfiguration"] == {"rules": [{
        "signingProfileArn": PROFILE_ARN,
        "repositoryFilters": [{"filter": "sandbox-tests/*", "filterType": "WILDCARD_MATCH"}]}]}


def test_the_example_spec_pull_through_cache_rules_are_in_each_deployed_registry(deployed_sandbox, ecr, spec):
    checked = 0
    for target in spec.targets():
        wanted = {r.ecr_repository_prefix: r.upstream_registry_url
                  for r in spec.registry_settings.pull_through_cache_in(target.environment)}
        found = ecr(target.account, target.region).describe_pull_through_cache_rules()["pullThroughCacheRules"]
        assert {r["ecrRepositoryPrefix"]: r["upstreamRegistryUrl"] for r in found} == wanted, target
        checked += len(wanted)
    assert checked, "the example spec has no pull through cache rule"


def test_the_example_spec_signing_rules_are_each_registry_signing_configuration(deployed_sandbox, ecr, spec):
    checked = 0
    for target in spec.targets():
        rules = spec.registry_settings.signing_in(target.environment)
        client = ecr(target.account, target.region)
        if not rules:
            with pytest.raises(client.exceptions.SigningConfigurationNotFoundException):
                client.get_signing_configuration()
            continue
        found = client.get_signing_configuration()["signingConfiguration"]["rules"]
        assert [(r["signingProfileArn"], [f["filter"] for f in r.get("repositoryFilters", [])]) for r in found] == [
            (r.signing_profile_arn, list(r.filters)) for r in rules], target
        checked += 1
    assert checked, "the example spec has no signing rule"


def test_the_example_spec_scanning_rules_are_each_registry_scanning_configuration(deployed_sandbox, ecr, spec):
    for target in spec.targets():
        config = ecr(target.account, target.region).get_registry_scanning_configuration()["scanningConfiguration"]
        assert config["scanType"] == spec.scan_type
        assert [(r["scanFrequency"], [f["filter"] for f in r["repositoryFilters"]]) for r in config["rules"]] == [
            (r.frequency, list(r.filters)) for r in spec.registry_settings.scanning_rules or ()], target
