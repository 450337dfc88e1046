"""publish() with ECR replication in the spec (fake engine, fake ECR): only the sources are pushed, the replicas
are reported replicated / replicating with the source's digest, and --json counts the bytes the client uploaded.

Sources: ECR user guide "Private image replication in Amazon ECR"; ECR API Reference "DescribeImages",
"DescribeImageReplicationStatus" (see image_pipeline/replicas.py)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ecr_spec import load_spec
from image_pipeline.commands.publish import publish
from image_pipeline.cli.output import json_document, publish_table
from image_pipeline.commands.settings import BuildSettings, PublishSettings, RetryPolicy

from .fake_engine import FakeDockerAPI
from .pipeline_fakes import EXAMPLE_SPEC, FakeECR, client_error, runtime

REPO = "platform/base-images"
EU = ("222222222222", "eu-west-1")
DEV_HOST = "111111111111.dkr.ecr.us-east-1.amazonaws.com"


class ReplicatingECR(FakeECR):
    """A fake registry that also answers DescribeImages and DescribeImageReplicationStatus; as a replica it shows
    ``source``'s images after ``after`` looks (ECR replicating in the background)."""

    def __init__(self, account: str, region: str, source: FakeECR | None = None, after: int = 2) -> None:
        super().__init__(account, region)
        self.source, self.after, self.looks = source, after, 0

    def describe_images(self, repositoryName: str, imageIds: list[dict[str, str]]) -> dict[str, Any]:
        self.looks += 1
        if self.source is not None and self.looks > self.after:
            self.images.update({k: v for k, v in self.source.images.items() if k[0] == repositoryName})
        digest = imageIds[0]["imageDigest"]
        tags = [tag for (repo, tag), (d, _) in self.images.items() if repo == repositoryName and d == digest]
        if not tags:
            raise client_error("ImageNotFoundException", "DescribeImages")
        return {"imageDetails": [{"imageDigest": digest, "imageTags": tags}]}

    def describe_image_replication_status(self, repositoryName: str, imageId: dict[str, str]) -> dict[str, Any]:
        return {"replicationStatuses": [{"registryId": EU[0], "region": EU[1], "status": "IN_PROGRESS"}]}

    def batch_get_image(self, repositoryName: str, imageIds: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        wanted = imageIds[0]
        for (repo, tag), (digest, text) in self.images.items():
            if repo == repositoryName and wanted.get("imageTag", tag) == tag and wanted.get("imageDigest", digest) == digest:
                return {"images": [{"imageId": {"imageTag": tag, "imageDigest": digest}, "imageManifest": text}],
                        "failures": []}
        return {"images": [], "failures": []}

    def record_push(self, repository: str, reference: str, digest: str, body: bytes) -> None:
        if not reference.startswith("sha256:"):
            self.images[(repository, reference)] = (digest, body.decode())


def replicated_spec() -> Any:
    raw = json.loads(json.dumps(EXAMPLE_SPEC))
    raw["repositories"][1]["replicate_to"] = [{"account": EU[0], "region": EU[1]}]
    return load_spec(raw)


def setup(registries: dict, after: int = 2) -> tuple[Any, FakeDockerAPI, dict[tuple[str, str], ReplicatingECR]]:  # type: ignore[type-arg]
    dev = ReplicatingECR("111111111111", "us-east-1")
    dev.add_repository(REPO)
    eu = ReplicatingECR(*EU, source=dev, after=after)
    eu.add_repository(REPO)
    ecrs = {("111111111111", "us-east-1"): dev, EU: eu}
    registries[DEV_HOST].state.on_manifest = dev.record_push  # each push shows in ECR's API
    api = FakeDockerAPI()
    return (dataclasses.replace(runtime(ecrs, api, registries), spec=replicated_spec()),  # type: ignore[arg-type]
            api, ecrs)


def settings(tmp_path: Path, **overrides: Any) -> PublishSettings:
    return PublishSettings(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1",),
                           retry=RetryPolicy(attempts=1, first_delay=0.0), **overrides)


def test_a_replicated_destination_is_not_pushed_and_is_replicated_with_the_source_digest(tmp_path, registries) -> None:
    run, api, _ = setup(registries)
    result = publish(settings(tmp_path), run)

    assert {host for host, r in registries.items() if r.state.requests} == {DEV_HOST}
    dev, eu = result.destinations
    assert (dev.status, eu.status, eu.region) == ("pushed", "replicated", "eu-west-1")
    assert eu.digest == dev.digest and result.ok
    assert "replicated" in publish_table([result])


def test_no_wait_reports_the_replica_replicating(tmp_path, registries) -> None:
    run, _, _ = setup(registries, after=100)
    result = publish(settings(tmp_path, wait=False), run)

    assert [d.status for d in result.destinations] == ["pushed", "replicating"] and result.ok


def test_json_reports_the_bytes_the_client_uploaded_to_each_destination_and_none_to_a_replica(tmp_path, registries) -> None:
    run, _, _ = setup(registries)
    result = publish(settings(tmp_path), run)
    rows = json.loads(json_document([result]))["destinations"]

    manifest = json.loads(registries[DEV_HOST].state.manifests[(REPO, result.destinations[0].digest)][0])
    assert [(r["region"], r["status"], r["uploaded_bytes"]) for r in rows] == [
        ("us-east-1", "pushed", sum(layer["size"] for layer in manifest["layers"])), ("eu-west-1", "replicated", 0)]


def test_dry_run_lists_the_replica_as_planned(tmp_path, registries) -> None:
    run, api, _ = setup(registries)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = publish(settings(tmp_path, dry_run=True), run)

    assert [(d.region, d.status) for d in result.destinations] == [("us-east-1", "planned"), ("eu-west-1", "planned")]
    assert api.exports == 0 and all(not r.state.requests for r in registries.values())


def test_the_no_wait_flag_turns_the_wait_off_and_waiting_is_the_default() -> None:
    from image_pipeline.cli.args import publish_settings
    from image_pipeline.cli.main import parser

    def parsed(*extra: str) -> PublishSettings:
        return publish_settings(parser().parse_args(["publish", REPO, "--context", ".", *extra]), {})

    assert parsed().wait is True and parsed("--no-wait").wait is False
