"""Replication from the spec's ``replicate_to`` in the sandbox: after a push to the source, the replica in the
destination account has the spec's settings; ECR's PREFIX_MATCH decides what is replicated.

The example spec (cdk.json): ``platform/base-images`` (dev, 111111111111/us-east-1) replicates to
222222222222/eu-west-1 with ``replicate_by_prefix: true``; ``platform/base-images-ci`` (dev) has no
``replicate_to`` but starts with that name, so ECR replicates it too; prod has a REPLICATION creation template
for the ``platform`` prefix with ``mutable_tags: ["latest"]``.

Sources: ECR API Reference RepositoryFilter (PREFIX_MATCH); user guide "Private image replication in Amazon ECR"
and "Templates to control repositories created during a pull through cache, create on push, or replication
action" (a template applies when ECR creates the repository; without one, ECR's defaults); ECR API Reference
"DescribeImageReplicationStatus" and "ImageReplicationStatus" (status IN_PROGRESS | COMPLETE | FAILED per
destination region and registry; ImageNotFoundException for an unknown image).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from ecr_spec import load_cdk_json
from ecr_spec.model.lifecycle import policy_text

ROOT = Path(__file__).resolve().parents[2]
AWS = ROOT / ".venv" / "bin" / "aws"
SOURCE = ("111111111111", "us-east-1")
DESTINATION = ("222222222222", "eu-west-1")
DECLARED, BY_PREFIX, NOT_MATCHING = "platform/base-images", "platform/base-images-ci", "docker-in-aws/todobackend"


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    registry_spec = load_cdk_json(ROOT / "cdk.json")
    declared = registry_spec.repository(DECLARED)
    assert [(d.account, d.region) for d in declared.replicate_to] == [DESTINATION] and declared.replicate_by_prefix
    return registry_spec


def _tags(ecr_client: Any, repository: str) -> dict[str, list[str]]:
    try:
        images = ecr_client.describe_images(repositoryName=repository)["imageDetails"]
    except ecr_client.exceptions.RepositoryNotFoundException:
        return {}
    return {i["imageDigest"]: i.get("imageTags", []) for i in images}


@pytest.fixture
def push_to_source(deployed_sandbox, ecr, ecr_password, build_image, push_image):  # type: ignore[no-untyped-def]
    host = deployed_sandbox.registry(*SOURCE).host

    def push(repository: str) -> tuple[str, str]:
        tag = f"r-{uuid.uuid4().hex[:12]}"
        return push_image(build_image(), host, repository, tag, ecr_password(*SOURCE)), tag

    return push


def _wait_for_replica(ecr_client: Any, repository: str, digest: str, tag: str) -> None:
    deadline = time.monotonic() + 60
    while tag not in _tags(ecr_client, repository).get(digest, []):
        assert time.monotonic() < deadline, f"{repository}:{tag} never reached {DESTINATION}"
        time.sleep(0.2)


def _run_aws(sandbox: Any, where: tuple[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWS), "--profile", sandbox.profile(where[0]), "--region", where[1],
                           "--output", "json", "ecr", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **sandbox.env})


def _aws(sandbox: Any, *args: str, where: tuple[str, str] = DESTINATION) -> Any:
    done = _run_aws(sandbox, where, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _statuses_once_recorded(ecr_client: Any, repository: str, digest: str) -> list[dict[str, str]]:
    """The source's replication statuses as soon as the bridge has recorded the push in the ECR API."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return ecr_client.describe_image_replication_status(
                repositoryName=repository, imageId={"imageDigest": digest})["replicationStatuses"]
        except ecr_client.exceptions.ImageNotFoundException:
            assert time.monotonic() < deadline, f"{repository}@{digest} never recorded in {SOURCE}"
            time.sleep(0.05)


def test_a_push_to_a_replicated_repository_shows_up_in_the_destination_with_its_digest_and_tag(
    push_to_source, ecr, spec
):
    digest, tag = push_to_source(DECLARED)
    _wait_for_replica(ecr(*DESTINATION), DECLARED, digest, tag)


def test_the_replica_has_the_spec_immutability_and_lifecycle_policy_as_the_aws_cli_shows(
    push_to_source, ecr, spec, deployed_sandbox
):
    digest, tag = push_to_source(DECLARED)
    _wait_for_replica(ecr(*DESTINATION), DECLARED, digest, tag)
    wanted = spec.repository(DECLARED)

    [repository] = _aws(deployed_sandbox, "describe-repositories", "--repository-names", DECLARED)["repositories"]
    assert repository["imageTagMutability"] == ("IMMUTABLE_WITH_EXCLUSION" if wanted.mutable_tags else "IMMUTABLE")
    policy = _aws(deployed_sandbox, "get-lifecycle-policy", "--repository-name", DECLARED)["lifecyclePolicyText"]
    assert json.loads(policy) == json.loads(wanted.lifecycle_policy_text)
    boto_policy = ecr(*DESTINATION).get_lifecycle_policy(repositoryName=DECLARED)["lifecyclePolicyText"]
    assert json.loads(boto_policy) == json.loads(wanted.lifecycle_policy_text)


def test_a_longer_name_is_replicated_by_prefix_and_created_with_the_destination_creation_template(
    push_to_source, ecr, spec, deployed_sandbox
):
    digest, tag = push_to_source(BY_PREFIX)
    _wait_for_replica(ecr(*DESTINATION), BY_PREFIX, digest, tag)
    template = spec.creation_templates[0]

    [repository] = _aws(deployed_sandbox, "describe-repositories", "--repository-names", BY_PREFIX)["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert [f["filter"] for f in repository["imageTagMutabilityExclusionFilters"]] == list(template.mutable_tags)
    policy = _aws(deployed_sandbox, "get-lifecycle-policy", "--repository-name", BY_PREFIX)["lifecyclePolicyText"]
    assert json.loads(policy) == json.loads(policy_text(template.lifecycle_rules))


def test_a_repository_no_filter_matches_is_not_replicated(push_to_source, ecr, spec):
    missed_digest, _ = push_to_source(NOT_MATCHING)
    digest, tag = push_to_source(DECLARED)  # replication runs in push order: once this arrives, the first was seen
    _wait_for_replica(ecr(*DESTINATION), DECLARED, digest, tag)

    assert missed_digest not in _tags(ecr(*DESTINATION), NOT_MATCHING)


def test_right_after_a_push_replication_is_in_progress_and_the_replica_not_there_yet(push_to_source, ecr, spec):
    digest, _ = push_to_source(DECLARED)
    statuses = _statuses_once_recorded(ecr(*SOURCE), DECLARED, digest)

    assert statuses == [{"region": DESTINATION[1], "registryId": DESTINATION[0], "status": "IN_PROGRESS"}]
    assert digest not in _tags(ecr(*DESTINATION), DECLARED)


def test_once_replicated_the_status_is_complete_with_the_same_digest_as_the_aws_cli_shows(
    push_to_source, ecr, spec, deployed_sandbox
):
    digest, tag = push_to_source(DECLARED)
    _wait_for_replica(ecr(*DESTINATION), DECLARED, digest, tag)

    answer = _aws(deployed_sandbox, "describe-image-replication-status", "--repository-name", DECLARED,
                  "--image-id", f"imageTag={tag}", where=SOURCE)
    assert answer["imageId"]["imageDigest"] == digest
    assert answer["replicationStatuses"] == [{"region": DESTINATION[1], "registryId": DESTINATION[0],
                                              "status": "COMPLETE"}]
    boto = ecr(*SOURCE).describe_image_replication_status(repositoryName=DECLARED, imageId={"imageTag": tag})
    assert [s["status"] for s in boto["replicationStatuses"]] == ["COMPLETE"]


def test_the_replication_status_of_an_unknown_image_is_image_not_found_in_the_aws_cli(deployed_sandbox):
    done = _run_aws(deployed_sandbox, SOURCE, "describe-image-replication-status", "--repository-name", DECLARED,
                    "--image-id", "imageTag=no-such-tag")

    assert done.returncode != 0
    assert "ImageNotFoundException" in done.stderr and "does not exist within the repository" in done.stderr


# --- image-pipeline publish with replication (image_pipeline.ecr.replicas, image_pipeline.replicated) -------------

def _publish(sandbox: Any, tmp_path: Path, *extra: str) -> tuple[str, list[dict[str, Any]]]:
    import sys

    context = tmp_path / f"context-{uuid.uuid4().hex[:8]}"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {sandbox.base_image}\nRUN echo {uuid.uuid4().hex} > /id\n")
    tag = f"r-{uuid.uuid4().hex[:12]}"
    done = subprocess.run([sys.executable, "-m", "image_pipeline", "publish", DECLARED, "--context", str(context),
                           "--tag", tag, "--json", *extra], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **sandbox.env})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return tag, json.loads(done.stdout)["destinations"]


def test_publish_pushes_only_to_the_source_and_reports_the_replica_replicated_with_the_source_digest(
    deployed_sandbox, ecr, tmp_path, spec
):
    tag, rows = _publish(deployed_sandbox, tmp_path)
    source, replica = rows

    assert ((source["account"], source["region"]), source["status"]) == (SOURCE, "pushed")
    assert ((replica["account"], replica["region"]), replica["status"]) == (DESTINATION, "replicated")
    assert replica["digest"] == source["digest"]
    assert source["uploaded_bytes"] > 0 and replica["uploaded_bytes"] == 0
    assert tag in _tags(ecr(*DESTINATION), DECLARED)[source["digest"]]  # ECR's own view of the replica


def test_publish_with_no_wait_reports_the_replica_replicating_and_ecr_completes_it_afterwards(
    deployed_sandbox, ecr, tmp_path, spec
):
    tag, rows = _publish(deployed_sandbox, tmp_path, "--no-wait")
    source, replica = rows

    assert (source["status"], replica["status"]) == ("pushed", "replicating")
    _wait_for_replica(ecr(*DESTINATION), DECLARED, source["digest"], tag)


def test_an_image_that_arrived_by_replication_is_not_replicated_onward(deployed_sandbox, push_to_source, ecr, spec):
    """User guide, "Private image replication in Amazon ECR": an image pushed to one registry replicates to the
    destinations of that registry's configuration only, once; "it doesn't replicate again" from a destination, even
    when the destination's own configuration would send it on. The AWS CLI sets up the onward rule and reads both."""
    onward = ("222222222222", "us-east-1")
    saved = _aws(deployed_sandbox, "describe-registry").get("replicationConfiguration") or {"rules": []}
    _aws(deployed_sandbox, "put-replication-configuration", "--replication-configuration", json.dumps({"rules": [
        *saved.get("rules", []), {"destinations": [{"region": onward[1], "registryId": onward[0]}],
                                  "repositoryFilters": [{"filter": DECLARED, "filterType": "PREFIX_MATCH"}]}]}))
    try:
        digest, tag = push_to_source(DECLARED)
        _wait_for_replica(ecr(*DESTINATION), DECLARED, digest, tag)
        time.sleep(2 * 1.5 + 1)  # two replication delays: long enough for an onward copy to have happened

        listed = _run_aws(deployed_sandbox, onward, "describe-images", "--repository-name", DECLARED)
    finally:
        _aws(deployed_sandbox, "put-replication-configuration", "--replication-configuration", json.dumps(saved))

    if listed.returncode != 0:  # the onward registry has no such repository: nothing was replicated there
        assert "RepositoryNotFoundException" in listed.stderr, listed.stderr
        return
    assert digest not in [d["imageDigest"] for d in json.loads(listed.stdout)["imageDetails"]]
