"""Replication-aware publishing (image_pipeline.ecr.replicas): which destinations are pushed and which ECR replication
feeds, and the bounded wait for the replicas, against fake ECR clients.

Sources: ECR user guide "Private image replication in Amazon ECR" (PREFIX_MATCH filters; "a replication action
only occurs once per image push": an image replicated into B is not replicated again from B); ECR API Reference
"DescribeImageReplicationStatus" / "ImageReplicationStatus" (status IN_PROGRESS | COMPLETE | FAILED, failureCode),
"DescribeImages" (ImageNotFoundException, RepositoryNotFoundException). Backoff: exponential with full jitter
(AWS Architecture Blog, "Exponential Backoff And Jitter").
"""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecr_spec import Target, load_spec
from image_pipeline.ecr.replicas import Replica, backoff, split, wait_for_replicas, with_replicas

DEV = Target("dev", "111111111111", "us-east-1")
PROD_US = Target("prod", "222222222222", "us-east-1")
PROD_EU = Target("prod", "222222222222", "eu-west-1")
EU = {"account": "222222222222", "region": "eu-west-1"}
US = {"account": "222222222222", "region": "us-east-1"}
ENVIRONMENTS = {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]}}
DIGEST = "sha256:" + "a" * 64


def make_spec(*repositories: dict[str, Any]) -> Any:
    return load_spec({"environments": ENVIRONMENTS, "repositories": list(repositories)})


def test_a_destination_the_spec_replicates_to_from_another_destination_is_a_replica_and_not_pushed() -> None:
    spec = make_spec({"name": "team/app", "environments": ["dev"], "replicate_to": [EU]})
    result = split(spec, "team/app", [DEV, PROD_EU])
    assert result.sources == (DEV,)
    assert dict(result.replicas) == {PROD_EU: DEV}


def test_a_name_replicated_only_by_prefix_has_its_replica_too() -> None:
    spec = make_spec({"name": "team/app", "environments": ["dev"], "replicate_to": [EU], "replicate_by_prefix": True},
                     {"name": "team/app-worker", "environments": ["dev"]})
    assert dict(split(spec, "team/app-worker", with_replicas(spec, "team/app-worker", [DEV])).replicas) == {
        PROD_EU: DEV}


def test_without_replication_every_destination_is_a_source() -> None:
    spec = make_spec({"name": "team/app", "environments": ["dev", "prod"]})
    assert split(spec, "team/app", [DEV, PROD_US, PROD_EU]).sources == (DEV, PROD_US, PROD_EU)


def test_replication_is_not_transitive_so_a_destination_fed_only_by_a_replica_is_pushed() -> None:
    # dev replicates team/app to prod us-east-1; prod us-east-1 replicates every name starting with "team" to stage
    spec = load_spec({"environments": {**ENVIRONMENTS, "stage": {"account": "333333333333", "regions": ["us-east-1"]}},
                      "repositories": [
                          {"name": "team/app", "environments": ["dev"], "replicate_to": [US]},
                          {"name": "team", "environments": ["prod"], "replicate_by_prefix": True,
                           "replicate_to": [{"account": "333333333333", "region": "us-east-1"}]}]})
    stage = Target("stage", "333333333333", "us-east-1")
    result = split(spec, "team/app", [DEV, PROD_US, stage])
    assert result.sources == (DEV, stage)
    assert dict(result.replicas) == {PROD_US: DEV}


def test_the_replicas_of_a_repository_are_added_after_its_own_destinations_with_their_environment() -> None:
    spec = make_spec({"name": "team/app", "environments": ["dev"], "replicate_to": [EU]})
    assert with_replicas(spec, "team/app", [DEV]) == (DEV, PROD_EU)


# --- the wait ---------------------------------------------------------------------------------------------

class FakeEcr:
    """One registry: ``images`` digest -> tags; ``statuses`` what DescribeImageReplicationStatus answers, in turn."""

    def __init__(self, images: list[dict[str, list[str]]] | None = None,
                 statuses: list[list[dict[str, str]]] | None = None, error: str | None = None) -> None:
        self.images, self.statuses, self.error = images or [{}], statuses or [[]], error
        self.looks = 0

    def describe_images(self, **kwargs: Any) -> dict[str, Any]:
        now = self.images[min(self.looks, len(self.images) - 1)]
        self.looks += 1
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": f"{self.error} says no"}}, "DescribeImages")
        digest = kwargs["imageIds"][0]["imageDigest"]
        if digest not in now:
            raise ClientError({"Error": {"Code": "ImageNotFoundException", "Message": "no"}}, "DescribeImages")
        return {"imageDetails": [{"imageDigest": digest, "imageTags": now[digest]}]}

    def describe_image_replication_status(self, **kwargs: Any) -> dict[str, Any]:
        answer = self.statuses[min(self.looks - 1, len(self.statuses) - 1)]
        return {"replicationStatuses": answer}


class Clock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []  # type: ignore[var-annotated]

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


IN_PROGRESS = [{"region": "eu-west-1", "registryId": "222222222222", "status": "IN_PROGRESS"}]
REPLICA = Replica(PROD_EU, DEV, DIGEST, ("v1",))


def run(replica_ecr: FakeEcr, source_ecr: FakeEcr, **options: Any) -> tuple[Any, Clock]:
    clock = Clock()
    clients = {PROD_EU: replica_ecr, DEV: source_ecr}
    [result] = wait_for_replicas([REPLICA], "team/app", clients.__getitem__, clock=clock, sleep=clock.sleep,
                                 rng=lambda: 1.0, **options)
    return result, clock


def test_a_replica_that_shows_the_digest_under_the_tag_later_is_replicated_with_the_seconds_waited() -> None:
    replica = FakeEcr(images=[{}, {}, {DIGEST: ["v1"]}])
    result, clock = run(replica, FakeEcr(statuses=[IN_PROGRESS]), base=1.0, cap=10.0)
    assert (result.status, result.digest, result.waited_seconds) == ("replicated", DIGEST, 3.0)
    assert clock.sleeps == [1.0, 2.0]  # exponential (rng at its maximum)


def test_the_digest_without_the_published_tag_is_not_yet_replicated() -> None:
    replica = FakeEcr(images=[{DIGEST: []}, {DIGEST: ["v1"]}])
    result, clock = run(replica, FakeEcr(statuses=[IN_PROGRESS]))
    assert result.status == "replicated" and len(clock.sleeps) == 1


def test_a_failed_replication_is_failed_with_ecr_failure_code_in_one_line() -> None:
    failed = [{"region": "eu-west-1", "registryId": "222222222222", "status": "FAILED", "failureCode": "NO_ACCESS"}]
    result, _ = run(FakeEcr(), FakeEcr(statuses=[failed]))
    assert result.status == "failed"
    assert result.reason == "ECR replication from dev/us-east-1 (111111111111) failed: NO_ACCESS"


def test_a_replica_never_there_fails_after_the_timeout_saying_what_was_missing() -> None:
    result, clock = run(FakeEcr(), FakeEcr(statuses=[IN_PROGRESS]), timeout=30.0, base=1.0, cap=8.0)
    assert result.status == "failed" and clock.now == 30.0
    assert result.reason == ("not replicated from dev/us-east-1 (111111111111) after 30 s: image not there yet, "
                             "replication IN_PROGRESS")


def test_a_source_that_reports_no_replication_to_the_replica_says_so_when_the_time_is_up() -> None:
    result, _ = run(FakeEcr(), FakeEcr(statuses=[[]]), timeout=5.0)
    assert result.status == "failed" and "reports no replication to it (is the spec deployed?)" in result.reason


def test_without_waiting_one_look_reports_replicating() -> None:
    result, clock = run(FakeEcr(), FakeEcr(statuses=[IN_PROGRESS]), wait=False)
    assert (result.status, result.digest) == ("replicating", DIGEST) and clock.sleeps == []


def test_without_waiting_a_replica_already_there_is_replicated() -> None:
    result, _ = run(FakeEcr(images=[{DIGEST: ["v1"]}]), FakeEcr(), wait=False)
    assert result.status == "replicated"


def test_access_denied_on_the_replica_fails_at_once_naming_the_registry() -> None:
    result, clock = run(FakeEcr(error="AccessDeniedException"), FakeEcr())
    assert result.status == "failed" and clock.sleeps == []
    assert result.reason.startswith("cannot read the replica in prod/eu-west-1 (222222222222): ")


def test_the_backoff_is_full_jitter_up_to_a_cap() -> None:
    assert backoff(0, 0.5, 15.0, rng=lambda: 1.0) == 0.5
    assert backoff(10, 0.5, 15.0, rng=lambda: 1.0) == 15.0
    assert backoff(3, 0.5, 15.0, rng=lambda: 0.25) == 1.0
    assert backoff(3, 0.5, 15.0, rng=lambda: 0.0) == 0.0
