"""After ``cdk bootstrap`` and ``cdk deploy --all`` into the sandbox, the ECR API reads back the spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ecr_spec import load_cdk_json

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec():
    return load_cdk_json(ROOT / "cdk.json")


def _deployed(spec):
    return [(target, repo) for target in spec.targets() for repo in spec.repositories_in(target)]


def test_the_spec_covers_at_least_two_accounts_and_two_regions(spec):
    assert len({t.account for t in spec.targets()}) >= 2
    assert len({t.region for t in spec.targets()}) >= 2


def test_every_repository_of_the_spec_exists_in_each_of_its_accounts_and_regions(deployed_sandbox, ecr, spec):
    for target, repo in _deployed(spec):
        found = ecr(target.account, target.region).describe_repositories(repositoryNames=[repo.name])
        assert found["repositories"][0]["registryId"] == target.account


def test_every_deployed_repository_has_the_lifecycle_policy_of_its_template(deployed_sandbox, ecr, spec):
    for target, repo in _deployed(spec):
        text = ecr(target.account, target.region).get_lifecycle_policy(repositoryName=repo.name)["lifecyclePolicyText"]
        assert json.loads(text) == json.loads(repo.lifecycle_policy_text), (target, repo.name)


def test_a_repository_with_pull_accounts_has_a_repository_policy_granting_them_pull(deployed_sandbox, ecr, spec):
    checked = 0
    for target, repo in _deployed(spec):
        if not repo.pull.accounts:
            continue
        policy = json.loads(
            ecr(target.account, target.region).get_repository_policy(repositoryName=repo.name)["policyText"]
        )
        principals = json.dumps([s.get("Principal") for s in policy["Statement"] if s["Effect"] == "Allow"])
        for account in repo.pull.accounts:
            assert f"arn:aws:iam::{account}:root" in principals, (target, repo.name, account)
        checked += 1
    assert checked, "the spec has no repository with pull accounts"


def test_scanning_and_tag_mutability_match_the_spec(deployed_sandbox, ecr, spec):
    for target, repo in _deployed(spec):
        found = ecr(target.account, target.region).describe_repositories(repositoryNames=[repo.name])["repositories"][0]
        assert found["imageScanningConfiguration"] == {"scanOnPush": repo.scan_on_push}
        assert found["imageTagMutability"].startswith("IMMUTABLE")
        filters = [f["filter"] for f in found.get("imageTagMutabilityExclusionFilters") or []]
        assert filters == list(repo.mutable_tags)


def test_replication_from_the_spec_is_the_registry_replication_configuration(deployed_sandbox, ecr, spec):
    for target in spec.targets():
        wanted = {
            (d.account, d.region, name)
            for rule in spec.replication_rules(target) for d in rule.destinations for name in rule.repositories
        }
        config = ecr(target.account, target.region).describe_registry()["replicationConfiguration"]
        found = {
            (d["registryId"], d["region"], f["filter"])
            for rule in config["rules"] for d in rule["destinations"] for f in rule["repositoryFilters"]
        }
        assert found == wanted, target
