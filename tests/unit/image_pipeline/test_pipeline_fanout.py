"""Compress once, upload to many (image_pipeline.fanout), with fake registries. The calls are the OCI
distribution spec's: HEAD /v2/<name>/blobs/<digest>, POST .../blobs/uploads/?mount=<digest>&from=<other>
(201 mounted, 202 an upload session instead: "Mounting a blob from another repository"), PUT of the
manifest; ECR mounts only inside one registry ("Blob mounting in Amazon ECR", AWS ECR user guide)."""
import hashlib
from datetime import datetime, timezone
import io
import threading

import pytest

from image_pipeline import fanout
from image_pipeline.auth import Token
from image_pipeline.deadline import Deadline
from image_pipeline.errors import RegistryError
from image_pipeline.export import Blob, ExportError, LocalImage, manifest_for
from image_pipeline.settings import RetrySettings
from image_pipeline.targets import Destination

from .pipeline_fakes import IMAGE_ID


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeRegistry:
    def __init__(self, host, failures=None, mounts=True):
        self.host, self.failures, self.mounts = host, list(failures or []), mounts
        self.blobs: dict[str, set[str]] = {}
        self.uploads: list[tuple[str, str, str | None]] = []
        self.manifests: dict[tuple[str, str], bytes] = {}
        self.lock = threading.Lock()

    def authorize(self, repository, actions):
        assert actions == "pull,push"

    def has_blob(self, repository, digest):
        return digest in self.blobs.get(repository, set())

    def mount_blob(self, repository, digest, source):
        if self.mounts and digest in self.blobs.get(source, set()):
            self.blobs.setdefault(repository, set()).add(digest)
            return None
        return "/v2/session/from-mount"

    def upload_blob(self, repository, digest, data, size=None, location=None):
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
        body = data if isinstance(data, bytes) else data.read()
        assert sha(body) == digest and len(body) == size
        with self.lock:
            self.uploads.append((repository, digest, location))
            self.blobs.setdefault(repository, set()).add(digest)

    def put_manifest(self, repository, tag, manifest, media_type):
        self.manifests[(repository, tag)] = manifest
        return sha(manifest)


def fake_export(layers):
    def export(api, image_id, directory, on_blob, deadline=None):
        blobs = []
        for index, data in enumerate(layers):
            path = directory / f"layer{index}.gz"
            path.write_bytes(data)
            blob = Blob(sha(data), len(data), "application/vnd.docker.image.rootfs.diff.tar.gzip", path)
            on_blob(blob)
            blobs.append(blob)
        config_bytes = b'{"rootfs": {}}'
        config = Blob(sha(config_bytes), len(config_bytes), "application/vnd.docker.container.image.v1+json",
                      data=config_bytes)
        return LocalImage(config, tuple(blobs), manifest_for(config, blobs))
    return export


NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
LAYERS = [b"layer one" * 1000, b"layer two" * 2000]


def destination(account, region, repository="team/app"):
    return Destination("prod", account, region, repository, f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}")


def feed(account, region, repository="team/app", tags=("v1", "latest")):
    return fanout.Feed(destination(account, region, repository), Token("AWS", "secret", "https://x", NOW, NOW), Deadline(None),
                       tags)


def run(registries, feeds, export=fake_export(LAYERS), sightings=None, log=None):
    events = []
    fan = fanout.FanOut(export=export, client_for=lambda host, token, deadline: registries[host],
                        sightings=sightings or fanout.Sightings())
    hooks = fanout.Hooks(lambda label, event: events.append((label, event)), (log or io.StringIO()).write,
                         RetrySettings(attempts=3, first_delay=0.0), lambda seconds: None, lambda a, b: 0.0)
    image = fanout.upload_to_all(fan, None, IMAGE_ID, feeds, hooks)
    return image, events


def hosts(*pairs):
    return {f"{a}.dkr.ecr.{r}.amazonaws.com": FakeRegistry(f"{a}.dkr.ecr.{r}.amazonaws.com") for a, r in pairs}


def test_every_destination_gets_every_blob_once_and_the_manifest_under_each_tag():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1"))
    feeds = [feed(h.split(".")[0], h.split(".")[3]) for h in registries]

    image, _ = run(registries, feeds)

    for registry in registries.values():
        assert sorted(d for _, d, _ in registry.uploads) == sorted(b.digest for b in image.blobs)
        assert registry.manifests == {("team/app", "v1"): image.manifest, ("team/app", "latest"): image.manifest}
    assert all(f.digest == image.digest and f.moved == ["v1", "latest"] and f.error is None for f in feeds)


def test_a_blob_the_registry_already_has_is_not_uploaded_again():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"))
    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    registry.blobs["team/app"] = {sha(LAYERS[0])}

    _, events = run(registries, [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1")])

    assert sha(LAYERS[0]) not in [d for _, d, _ in registry.uploads]
    assert ("prod/us-east-1", "Layer already exists") in [(label, e.status) for label, e in events
                                                          if e.layer == sha(LAYERS[0])[7:19]]


def test_a_blob_seen_in_another_repository_of_the_same_registry_is_mounted_not_uploaded():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"))
    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    registry.blobs["team/base"] = {sha(LAYERS[0])}
    sightings = fanout.Sightings()
    sightings.seen(registry.host, sha(LAYERS[0]), "team/base")

    _, events = run(registries, [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1")],
                    sightings=sightings)

    assert sha(LAYERS[0]) not in [d for _, d, _ in registry.uploads]
    assert any(e.status == "Mounted from team/base" for _, e in events)
    other = registries["222222222222.dkr.ecr.us-east-1.amazonaws.com"]
    assert sha(LAYERS[0]) in [d for _, d, _ in other.uploads]  # a mount never crosses registries


def test_a_registry_that_cannot_mount_gets_the_upload_in_the_session_it_started():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"))
    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    registry.mounts = False
    sightings = fanout.Sightings()
    sightings.seen(registry.host, sha(LAYERS[0]), "team/base")

    run(registries, [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1")], sightings=sightings)

    assert ("team/app", sha(LAYERS[0]), "/v2/session/from-mount") in registry.uploads


def test_a_transient_failure_is_retried_and_a_lasting_one_fails_only_its_destination():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1"))
    registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"].failures = [
        RegistryError("HTTP 503 Service Unavailable", transient=True)]
    registries["222222222222.dkr.ecr.eu-west-1.amazonaws.com"].failures = [
        RegistryError("PUT 222222222222.dkr.ecr.eu-west-1.amazonaws.com: HTTP 403 denied")] * 5
    feeds = [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1"), feed("222222222222", "eu-west-1")]
    log = io.StringIO()

    image, _ = run(registries, feeds, log=log)

    assert [f.digest for f in feeds] == [image.digest, image.digest, None]
    assert feeds[2].error == "PUT 222222222222.dkr.ecr.eu-west-1.amazonaws.com: HTTP 403 denied"
    assert feeds[2].moved == [] and "attempt 1 failed (HTTP 503 Service Unavailable)" in log.getvalue()


def test_an_image_that_cannot_be_exported_raises_and_tags_nothing():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"))

    def export(api, image_id, directory, on_blob, deadline=None):
        raise ExportError("the engine cannot export sha256:abc")

    feeds = [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1")]
    with pytest.raises(ExportError, match="the engine cannot export"):
        run(registries, feeds, export=export)
    assert all(not r.manifests for r in registries.values()) and all(f.moved == [] for f in feeds)


def test_uploaded_layers_report_pushed_with_their_compressed_size():
    registries = hosts(("111111111111", "us-east-1"), ("222222222222", "us-east-1"))

    _, events = run(registries, [feed("111111111111", "us-east-1"), feed("222222222222", "us-east-1")])

    pushed = {(label, e.layer): e.total for label, e in events if e.status == "Pushed"}
    assert pushed[("prod/us-east-1", sha(LAYERS[1])[7:19])] == len(LAYERS[1])
