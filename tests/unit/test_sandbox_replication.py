"""The sandbox's ECR replication: PREFIX_MATCH destinations and replicas created with the REPLICATION creation
template, against moto's ECR (in process) with the sandbox's template API and CloudFormation resource.

Sources: ECR API Reference RepositoryFilter (PREFIX_MATCH), CreateRepositoryCreationTemplate (prefix: ECR assumes
a trailing '/'; ROOT for repositories no other template matches); user guide "Templates to control repositories
created during a pull through cache, create on push, or replication action" (applied only at creation; without a
template ECR uses mutable tags, AES-256 and no policies).
"""
from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from ecr_sandbox.moto_ext import cfn as moto_cfn
from ecr_sandbox.model.replication import destinations
from ecr_sandbox.registry.replication import create_replica

LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "description": "expire untagged", "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
    "action": {"type": "expire"}}]})


@pytest.fixture
def ecr() -> Iterator[Any]:
    moto_cfn.install()
    with mock_aws():
        yield boto3.client("ecr", region_name="eu-west-1")


def deploy_template(properties: dict[str, Any]) -> None:
    body = {"Resources": {"Template": {"Type": "AWS::ECR::RepositoryCreationTemplate", "Properties": properties}}}
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(StackName="t", TemplateBody=json.dumps(body))


def test_a_prefix_filter_matches_every_name_that_starts_with_it() -> None:
    config = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": "222222222222"}],
                         "repositoryFilters": [{"filter": "team/app", "filterType": "PREFIX_MATCH"}]}]}
    assert destinations(config, "team/app-worker") == [("222222222222", "eu-west-1")]
    assert destinations(config, "team/ap") == []


def test_a_cloudformation_template_shows_in_describe_repository_creation_templates(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "IMMUTABLE"})
    [template] = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert (template["prefix"], template["appliedFor"], template["imageTagMutability"]) == (
        "team", ["REPLICATION"], "IMMUTABLE")


def test_a_replica_gets_the_matching_template_mutability_exclusions_and_lifecycle_policy(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                     "ImageTagMutabilityExclusionFilters": [{"ImageTagMutabilityExclusionFilterType": "WILDCARD",
                                                             "ImageTagMutabilityExclusionFilterValue": "latest"}],
                     "LifecyclePolicy": LIFECYCLE})
    create_replica(ecr, "team/app")
    [repository] = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repository["imageTagMutabilityExclusionFilters"] == [{"filterType": "WILDCARD", "filter": "latest"}]
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="team/app")["lifecyclePolicyText"]) == json.loads(LIFECYCLE)


def test_a_replica_without_a_matching_template_gets_ecr_defaults(ecr: Any) -> None:
    deploy_template({"Prefix": "team", "AppliedFor": ["PULL_THROUGH_CACHE"], "ImageTagMutability": "IMMUTABLE"})
    create_replica(ecr, "team/app")
    assert ecr.describe_repositories(repositoryNames=["team/app"])["repositories"][0]["imageTagMutability"] == "MUTABLE"
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.get_lifecycle_policy(repositoryName="team/app")


def test_an_existing_repository_keeps_its_settings(ecr: Any) -> None:
    ecr.create_repository(repositoryName="team/app", imageTagMutability="IMMUTABLE")
    deploy_template({"Prefix": "ROOT", "AppliedFor": ["REPLICATION"], "ImageTagMutability": "MUTABLE",
                     "RepositoryPolicy": json.dumps({"Version": "2012-10-17", "Statement": []})})
    assert create_replica(ecr, "team/app") is None
    assert ecr.describe_repositories()["repositories"][0]["imageTagMutability"] == "IMMUTABLE"


# --- asynchronous replication and DescribeImageReplicationStatus (ecr_sandbox.moto_ext.replication) -------------
# Sources: ECR API Reference "DescribeImageReplicationStatus" (request repositoryName, imageId, registryId;
# response replicationStatuses[] of ImageReplicationStatus: region, registryId, status IN_PROGRESS | COMPLETE |
# FAILED, failureCode; errors ImageNotFoundException, RepositoryNotFoundException) and "ImageReplicationStatus".

MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                  "digest": "sha256:" + "c" * 64}, "layers": []})


@pytest.fixture
def replicating() -> Iterator[tuple[Any, Any, str]]:
    """A source registry 111111111111/us-east-1 replicating ``team/`` to 222222222222/eu-west-1, one image pushed."""
    from ecr_sandbox.moto_ext import replication as moto_replication

    moto_replication.install()
    with mock_aws():
        source = boto3.client("ecr", region_name="us-east-1")
        account = source.describe_registry()["registryId"]
        source.put_replication_configuration(replicationConfiguration={"rules": [{
            "destinations": [{"region": "eu-west-1", "registryId": "222222222222"}],
            "repositoryFilters": [{"filter": "team/", "filterType": "PREFIX_MATCH"}]}]})
        source.create_repository(repositoryName="team/app")
        digest = source.put_image(repositoryName="team/app", imageManifest=MANIFEST, imageTag="v1")["image"][
            "imageId"]["imageDigest"]
        yield source, account, digest


def test_a_pushed_image_not_yet_at_its_destination_is_in_progress(replicating: tuple[Any, Any, str]) -> None:
    source, _, digest = replicating
    answer = source.describe_image_replication_status(repositoryName="team/app", imageId={"imageTag": "v1"})
    assert answer["imageId"] == {"imageDigest": digest, "imageTag": "v1"}
    assert answer["replicationStatuses"] == [{"region": "eu-west-1", "registryId": "222222222222",
                                              "status": "IN_PROGRESS"}]


def test_an_image_whose_digest_is_at_the_destination_is_complete(replicating: tuple[Any, Any, str]) -> None:
    from moto.ecr.models import ecr_backends

    source, _, digest = replicating
    destination = ecr_backends["222222222222"]["eu-west-1"]
    destination.create_repository("team/app", None, None, None, None, None, None)
    destination.put_image("team/app", MANIFEST, "v1")
    [status] = source.describe_image_replication_status(
        repositoryName="team/app", imageId={"imageDigest": digest})["replicationStatuses"]
    assert status["status"] == "COMPLETE"


def test_a_failure_the_gateway_recorded_reads_failed_with_its_code(replicating: tuple[Any, Any, str]) -> None:
    from moto.ecr.models import ecr_backends

    from ecr_sandbox.moto_ext import replication as moto_replication

    source, account, digest = replicating
    moto_replication._failures(ecr_backends[account]["us-east-1"])[
        ("team/app", digest, "222222222222", "eu-west-1")] = "DESTINATION_REGISTRY_NOT_IN_SANDBOX"
    [status] = source.describe_image_replication_status(
        repositoryName="team/app", imageId={"imageTag": "v1"})["replicationStatuses"]
    assert (status["status"], status["failureCode"]) == ("FAILED", "DESTINATION_REGISTRY_NOT_IN_SANDBOX")


def test_an_unknown_image_is_image_not_found(replicating: tuple[Any, Any, str]) -> None:
    source, _, _ = replicating
    with pytest.raises(source.exceptions.ImageNotFoundException, match="does not exist within the repository"):
        source.describe_image_replication_status(repositoryName="team/app", imageId={"imageTag": "nope"})


def test_an_unknown_repository_is_repository_not_found(replicating: tuple[Any, Any, str]) -> None:
    source, _, _ = replicating
    with pytest.raises(source.exceptions.RepositoryNotFoundException):
        source.describe_image_replication_status(repositoryName="team/nope", imageId={"imageTag": "v1"})


def test_an_image_no_rule_replicates_has_no_statuses(replicating: tuple[Any, Any, str]) -> None:
    source, _, _ = replicating
    source.create_repository(repositoryName="other/app")
    source.put_image(repositoryName="other/app", imageManifest=MANIFEST, imageTag="v1")
    assert source.describe_image_replication_status(
        repositoryName="other/app", imageId={"imageTag": "v1"})["replicationStatuses"] == []


def test_replication_runs_after_the_delay_in_push_order_without_blocking_the_push() -> None:
    import threading

    from ecr_sandbox.registry.replication import DelayedRunner

    now = [100.0]
    slept: list[float] = []
    ran: list[str] = []
    release = threading.Event()
    runner = DelayedRunner(1.5, clock=lambda: now[0], sleep=slept.append)
    runner.submit(lambda: (release.wait(5), ran.append("first")))
    runner.submit(ran.append, "second")
    assert ran == []  # submit returned before anything ran
    release.set()
    runner.join()
    assert ran == ["first", "second"] and slept[0] == 1.5


def test_the_replication_delay_comes_from_the_environment() -> None:
    from ecr_sandbox.registry.replication import DEFAULT_DELAY_SECONDS, delay_seconds

    assert delay_seconds({"ECR_SANDBOX_REPLICATION_DELAY": "0.2"}) == 0.2
    assert delay_seconds({}) == DEFAULT_DELAY_SECONDS
    assert delay_seconds({"ECR_SANDBOX_REPLICATION_DELAY": "soon"}) == DEFAULT_DELAY_SECONDS


class FakeRegistry:
    """A destination registry client that keeps what was put."""

    def __init__(self) -> None:
        self.manifests: dict[str, bytes] = {}

    def has_blob(self, repository: str, digest: str) -> bool:
        return True

    def put_manifest(self, repository: str, reference: str, raw: bytes, media_type: str) -> None:
        self.manifests[reference] = raw


@pytest.fixture
def source_storage(tmp_path: Any) -> tuple[Any, str]:
    import hashlib

    from ecr_sandbox.registry.storage import blob_path

    digest = "sha256:" + hashlib.sha256(MANIFEST.encode()).hexdigest()
    path = blob_path(tmp_path, digest)
    path.parent.mkdir(parents=True)
    path.write_text(MANIFEST)
    return tmp_path, digest


def _replicate_once(storage: Any, digest: str, registries: dict[str, Any], failures: list[Any],
                    monkeypatch: Any, source: tuple[str, str] = ("111111111111", "us-east-1")) -> FakeRegistry:
    from ecr_sandbox.registry import replication

    monkeypatch.setattr(replication, "record_failure", lambda *args: failures.append(args))
    registry = FakeRegistry()
    replication.replicate(lambda a, r: boto3.client("ecr", region_name=r), lambda host, name: registry, registries,
                          "http://moto", *source, "team/app", digest,
                          "application/vnd.docker.distribution.manifest.v2+json", "v1")
    return registry


def test_a_destination_the_sandbox_has_no_registry_for_is_recorded_as_failed(
        replicating: Any, source_storage: Any, monkeypatch: Any) -> None:
    storage, digest = source_storage
    failures: list[Any] = []
    _replicate_once(storage, digest, {"111111111111.dkr.ecr.us-east-1.amazonaws.com": {"storage": str(storage)}},
                    failures, monkeypatch)
    assert [(f[5], f[6]) for f in failures] == [(("222222222222", "eu-west-1"), "DESTINATION_REGISTRY_NOT_IN_SANDBOX")]


def test_an_image_that_arrived_by_replication_is_not_replicated_again(
        replicating: Any, source_storage: Any, monkeypatch: Any) -> None:
    from ecr_sandbox.registry import replication

    storage, digest = source_storage
    registries = {"111111111111.dkr.ecr.us-east-1.amazonaws.com": {"storage": str(storage)},
                  "222222222222.dkr.ecr.eu-west-1.amazonaws.com": {"storage": str(storage)}}
    copied = _replicate_once(storage, digest, registries, [], monkeypatch)
    assert "v1" in copied.manifests
    # the copy's push notification comes back from eu-west-1; eu-west-1 replicating team/ onward would copy again
    boto3.client("ecr", region_name="eu-west-1").put_replication_configuration(replicationConfiguration={"rules": [{
        "destinations": [{"region": "eu-west-1", "registryId": "333333333333"}]}]})
    registries["333333333333.dkr.ecr.eu-west-1.amazonaws.com"] = {"storage": str(storage)}
    again = _replicate_once(storage, digest, registries, [], monkeypatch, source=("222222222222", "eu-west-1"))
    assert again.manifests == {}


def test_a_failure_the_gateway_reports_over_http_reads_failed_through_the_moto_server() -> None:
    """The gateway's raw call (``record_failure``) reaches the patched moto server and the AWS API shows it."""
    import socket

    from moto.server import ThreadedMotoServer

    from ecr_sandbox.moto_ext import replication as moto_replication
    from ecr_sandbox.common.aws import moto_client
    from ecr_sandbox.registry.replication import record_failure

    moto_replication.install()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        url = f"http://127.0.0.1:{port}"
        source = moto_client("ecr", url, "111111111111", "us-east-1")
        source.put_replication_configuration(replicationConfiguration={"rules": [{
            "destinations": [{"region": "eu-west-1", "registryId": "222222222222"}]}]})
        source.create_repository(repositoryName="team/app")
        digest = source.put_image(repositoryName="team/app", imageManifest=MANIFEST, imageTag="v1")["image"][
            "imageId"]["imageDigest"]
        record_failure(url, "111111111111", "us-east-1", "team/app", digest, ("222222222222", "eu-west-1"),
                       "REPLICATION_COPY_FAILED")
        [status] = source.describe_image_replication_status(
            repositoryName="team/app", imageId={"imageDigest": digest})["replicationStatuses"]
        assert status == {"region": "eu-west-1", "registryId": "222222222222", "status": "FAILED",
                          "failureCode": "REPLICATION_COPY_FAILED"}
    finally:
        server.stop()


# --- PutReplicationConfiguration limits (ECR API Reference "ReplicationConfiguration": rules, maximum 10 items;
# "ReplicationRule": destinations and repositoryFilters, maximum 100 items each) -----------------------------

def _rule(region: str, prefix: str) -> dict[str, Any]:
    return {"destinations": [{"region": region, "registryId": "222222222222"}],
            "repositoryFilters": [{"filter": prefix, "filterType": "PREFIX_MATCH"}]}


def test_a_registry_takes_several_replication_rules_as_ecr_does() -> None:
    from ecr_sandbox.moto_ext import replication as moto_replication

    moto_replication.install()
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        rules = [_rule("eu-west-1", "team/"), _rule("us-west-2", "platform/")]

        client.put_replication_configuration(replicationConfiguration={"rules": rules})

        assert client.describe_registry()["replicationConfiguration"]["rules"] == rules


def test_more_than_ten_replication_rules_are_refused_naming_the_limit() -> None:
    from ecr_sandbox.moto_ext import replication as moto_replication

    moto_replication.install()
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        with pytest.raises(client.exceptions.ClientError, match="ValidationException.*replicationConfiguration.rules"
                           ".*less than or equal to 10 \\(it has 11\\)"):
            client.put_replication_configuration(replicationConfiguration={"rules": [
                _rule("eu-west-1", f"team{i}/") for i in range(11)]})


def test_a_rule_replicating_to_its_own_registry_is_refused() -> None:
    from ecr_sandbox.moto_ext import replication as moto_replication

    moto_replication.install()
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        account = client.describe_registry()["registryId"]
        with pytest.raises(client.exceptions.InvalidParameterException, match="cannot be the same as the source"):
            client.put_replication_configuration(replicationConfiguration={"rules": [
                {"destinations": [{"region": "us-east-1", "registryId": account}]}]})
