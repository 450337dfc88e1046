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
from image_pipeline.publish import publish
from image_pipeline.report import json_document, publish_table
from image_pipeline.settings import BuildSettings, PublishSettings, RetrySettings

from .pipeline_fakes import EXAMPLE_SPEC, FakeDockerAPI, FakeECR, client_error, runtime

REPO = "platform/base-images"
EU = ("222222222222", "eu-west-1")


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

    def put_image_from_push(self, repository: str, tags: tuple[str, ...], digest: str) -> None:
        for tag in tags:
            self.images[(repository, tag)] = (digest, json.dumps({"config": {"digest": "sha256:" + "c" * 64,
                                                                              "size": 10}, "layers": []}))


def replicated_spec() -> Any:
    raw = json.loads(json.dumps(EXAMPLE_SPEC))
    raw["repositories"][1]["replicate_to"] = [{"account": EU[0], "region": EU[1]}]
    return load_spec(raw)


def setup(after: int = 2) -> tuple[Any, FakeDockerAPI, dict[tuple[str, str], ReplicatingECR]]:
    dev = ReplicatingECR("111111111111", "us-east-1")
    dev.add_repository(REPO)
    eu = ReplicatingECR(*EU, source=dev, after=after)
    eu.add_repository(REPO)
    ecrs = {("111111111111", "us-east-1"): dev, EU: eu}
    api = FakeDockerAPI()
    original = api.push

    def push(repository: str, tag: str | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        chunks = list(original(repository, tag=tag, **kwargs))
        digest = next(c["aux"]["Digest"] for c in chunks if "aux" in c)
        dev.put_image_from_push(REPO, (str(tag),), digest)  # the bridge records the push in ECR
        return iter(chunks)

    api.push = push  # type: ignore[method-assign]
    return dataclasses.replace(runtime(ecrs, api), spec=replicated_spec()), api, ecrs  # type: ignore[arg-type]


def settings(tmp_path: Path, **overrides: Any) -> PublishSettings:
    return PublishSettings(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1",),
                           retry=RetrySettings(attempts=1, first_delay=0.0), **overrides)


def test_a_replicated_destination_is_not_pushed_and_is_replicated_with_the_source_digest(tmp_path: Path) -> None:
    run, api, _ = setup()
    result = publish(settings(tmp_path), run)

    assert {repository.split(".")[0] for repository, _, _ in api.pushes} == {"111111111111"}
    dev, eu = result.destinations
    assert (dev.status, eu.status, eu.region) == ("pushed", "replicated", "eu-west-1")
    assert eu.digest == dev.digest and result.ok
    assert "replicated" in publish_table([result])


def test_no_wait_reports_the_replica_replicating(tmp_path: Path) -> None:
    run, _, _ = setup(after=100)
    result = publish(settings(tmp_path, wait=False), run)

    assert [d.status for d in result.destinations] == ["pushed", "replicating"] and result.ok


def test_json_reports_the_bytes_the_client_uploaded_to_each_destination_and_none_to_a_replica(tmp_path: Path) -> None:
    run, _, _ = setup()
    rows = json.loads(json_document([publish(settings(tmp_path), run)]))["destinations"]

    assert [(r["region"], r["status"], r["uploaded_bytes"]) for r in rows] == [
        ("us-east-1", "pushed", 1024), ("eu-west-1", "replicated", 0)]


def test_dry_run_lists_the_replica_as_planned(tmp_path: Path) -> None:
    run, api, _ = setup()
    result = publish(settings(tmp_path, dry_run=True), run)

    assert [(d.region, d.status) for d in result.destinations] == [("us-east-1", "planned"), ("eu-west-1", "planned")]
    assert api.pushes == []


def test_the_no_wait_flag_turns_the_wait_off_and_waiting_is_the_default() -> None:
    from image_pipeline.cli import parser

    def parsed(*extra: str) -> PublishSettings:
        return PublishSettings.from_args(parser().parse_args(["publish", REPO, "--context", ".", *extra]), {})

    assert parsed().wait is True and parsed("--no-wait").wait is False


def test_each_publish_on_one_runtime_counts_only_its_own_uploads() -> None:
    from image_pipeline.replicated import counting
    from image_pipeline.stream import LayerEvent

    run, _, _ = setup()
    first = counting(run)
    run.progress.layer("dev/us-east-1", LayerEvent("aaa", "Pushed", 10, 10))
    second = counting(run)
    run.progress.layer("dev/us-east-1", LayerEvent("bbb", "Pushed", 5, 5))

    assert first.uploaded_bytes("dev/us-east-1", {}) == 10 and second.uploaded_bytes("dev/us-east-1", {}) == 5
