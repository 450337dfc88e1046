"""Replication backfill in the sandbox's moto (``ecr_sandbox.moto_ext.backfill``), through boto3 against moto
in-process; the gateway's reports are played by calling the sandbox action's handler.

Sources: API reference StartReplicationBackfill (the destination must be in the replication configuration; one
in progress per destination Region), DescribeReplicationBackfillResults (results only once terminal; progress counts),
ReplicationBackfillResult ("Each image and tag combination is replicated as a single replication"),
StopReplicationBackfill (ReplicationBackfillInvalidStatusException once terminal)."""
from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from ecr_sandbox.moto_ext import backfill, images

images.install()
backfill.install()
DESTINATION = {"region": "eu-west-1", "registryId": "222222222222"}


def manifest(seed: str) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                                  "digest": "sha256:" + seed * 64}, "layers": []})


@pytest.fixture
def ecr() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        client.put_replication_configuration(replicationConfiguration={"rules": [{
            "destinations": [DESTINATION], "repositoryFilters": [{"filter": "team/", "filterType": "PREFIX_MATCH"}]}]})
        client.create_repository(repositoryName="team/app")
        client.create_repository(repositoryName="other/app")
        client.put_image(repositoryName="team/app", imageManifest=manifest("a"), imageTag="v1")
        client.put_image(repositoryName="team/app", imageManifest=manifest("a"), imageTag="latest")
        client.put_image(repositoryName="team/app", imageManifest=manifest("b"))
        client.put_image(repositoryName="other/app", imageManifest=manifest("c"), imageTag="v1")
        yield client


class Reported:
    """What the gateway's ``SandboxRecordBackfillResult`` call carries."""

    def __init__(self, account: str, params: dict[str, Any]) -> None:
        self.current_account, self.region, self.params = account, "us-east-1", params

    def _get_param(self, name: str) -> Any:
        return self.params.get(name)


def test_a_backfill_counts_each_image_and_tag_of_the_repositories_the_destination_receives(ecr: Any) -> None:
    started = ecr.start_replication_backfill(destination=DESTINATION)
    found = ecr.describe_replication_backfill_results(replicationBackfillId=started["replicationBackfillId"])

    assert started["status"] == "IN_PROGRESS"
    assert found["progress"]["totalReplicationCount"] == 3  # team/app: v1, latest, and the untagged image
    assert found["results"] == []  # only once terminal


def test_the_last_result_completes_it_and_the_results_are_listed(ecr: Any) -> None:
    backfill_id = ecr.start_replication_backfill(destination=DESTINATION)["replicationBackfillId"]
    account = ecr.describe_registry()["registryId"]
    items = backfill.backfills(account, "us-east-1")[backfill_id]["items"]
    for item, status in zip(items, ["COMPLETE", "COMPLETE", "FAILED"]):
        backfill._record_result(Reported(account, {
            "replicationBackfillId": backfill_id, "repositoryName": item["repository"], "imageDigest": item["digest"],
            "imageTag": item["tag"], "status": status, "failureCode": "REPLICATION_ACCESS_DENIED" if status ==
            "FAILED" else None}))

    found = ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id)
    failed = ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id, resultStatusFilter="FAILED")

    assert found["status"] == "COMPLETE" and len(found["results"]) == 3
    assert found["progress"] | {"failureCodes": None} == {"totalReplicationCount": 3, "completedReplicationCount": 2,
                                                          "failedReplicationCount": 1, "failureCodes": None}
    assert [r["failureCode"] for r in failed["results"]] == ["REPLICATION_ACCESS_DENIED"]
    with pytest.raises(ecr.exceptions.ReplicationBackfillInvalidStatusException):
        ecr.stop_replication_backfill(replicationBackfillId=backfill_id)


def test_a_destination_outside_the_configuration_is_invalid(ecr: Any) -> None:
    with pytest.raises(ecr.exceptions.InvalidParameterException):
        ecr.start_replication_backfill(destination={"region": "ap-southeast-2", "registryId": "222222222222"})


def test_one_backfill_at_a_time_per_destination_region_and_a_stopped_one_is_listed(ecr: Any) -> None:
    first = ecr.start_replication_backfill(destination=DESTINATION)["replicationBackfillId"]
    with pytest.raises(ecr.exceptions.ReplicationBackfillInProgressException):
        ecr.start_replication_backfill(destination=DESTINATION)

    stopped = ecr.stop_replication_backfill(replicationBackfillId=first)

    assert stopped["status"] == "STOPPED"
    assert [(b["replicationBackfillId"], b["status"]) for b in ecr.list_replication_backfills()["backfills"]] == [
        (first, "STOPPED")]


def test_an_unknown_backfill_is_not_found(ecr: Any) -> None:
    with pytest.raises(ecr.exceptions.ReplicationBackfillNotFoundException):
        ecr.describe_replication_backfill_results(replicationBackfillId="00000000-0000-0000-0000-000000000000")
