"""Replication from the spec's ``replicate_to``: a push to the source shows up in the destination's ECR API."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from ecr_spec import load_cdk_json
from ecr_sandbox.replication import destinations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def replicated_repository(deployed_sandbox):
    spec = load_cdk_json(ROOT / "cdk.json")
    for repo in spec.repositories:
        if repo.replicate_to:
            return repo.name, spec.targets_for(repo.name)[0], repo.replicate_to[0]
    pytest.fail("the spec replicates no repository")


def _digests(ecr_client, repository: str) -> dict[str, list[str]]:
    try:
        images = ecr_client.describe_images(repositoryName=repository)["imageDetails"]
    except ecr_client.exceptions.RepositoryNotFoundException:
        return {}
    return {i["imageDigest"]: i.get("imageTags", []) for i in images}


def test_a_push_to_a_replicated_repository_shows_up_in_the_destination_with_its_digest_and_tag(
    deployed_sandbox, replicated_repository, ecr, ecr_password, build_image, push_image
):
    name, source, destination = replicated_repository
    host = deployed_sandbox.registry(source.account, source.region).host
    tag = f"r-{uuid.uuid4().hex[:12]}"

    digest = push_image(build_image(), host, name, tag, ecr_password(source.account))

    deadline = time.monotonic() + 20
    while tag not in _digests(ecr(destination.account, destination.region), name).get(digest, []):
        assert time.monotonic() < deadline, f"{name}:{tag} never reached {destination}"
        time.sleep(0.2)


def test_a_replication_rule_matches_repositories_by_prefix_and_lists_every_destination():
    config = {"rules": [
        {"destinations": [{"region": "eu-west-1", "registryId": "222222222222"}],
         "repositoryFilters": [{"filter": "platform/", "filterType": "PREFIX_MATCH"}]},
        {"destinations": [{"region": "us-west-2", "registryId": "111111111111"}]},
    ]}

    assert destinations(config, "platform/base-images") == [("222222222222", "eu-west-1"), ("111111111111", "us-west-2")]
    assert destinations(config, "team/app") == [("111111111111", "us-west-2")]
