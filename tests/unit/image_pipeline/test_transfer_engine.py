"""The one transfer engine (image_pipeline.transfer.engine) with real HTTPS fake registries speaking the OCI
distribution spec v1.1: per blob and sink HEAD, then a mount ("Mounting a blob from another repository"; ECR:
"Blob mounting in Amazon ECR", only within one registry), then a chunked upload ("Pushing a blob in chunks")
that resumes from the registry's "Range: 0-N" after a reset; manifests after their blobs, tags last; one
export and one compression for any number of sinks."""
from __future__ import annotations

import gzip
import json
import threading

import pytest

from image_pipeline.core import cancel, scratch
from image_pipeline.core.deadline import Deadline
from image_pipeline.core.retry import RetryPolicy
from image_pipeline.engine.export import ExportError
from image_pipeline.oci.client import Fixed, RegistryClient
from image_pipeline.transfer import engine
from image_pipeline.transfer.engine import Hooks, transfer
from image_pipeline.transfer.local_image import LocalImage
from image_pipeline.transfer.mounts import Sightings
from image_pipeline.transfer.registry_image import RegistryImage
from image_pipeline.transfer.sinks import Sink

from .fake_engine import LAYERS, Engine, FakeDockerAPI, config_for, layer_tar, legacy, sha
from .fake_registry import FakeRegistry

REPO = "team/app"


@pytest.fixture
def space():  # type: ignore[no-untyped-def]
    with scratch.Scratch("test") as made:
        yield made


def sink(registry: FakeRegistry, repository: str = REPO, tags=("v1", "latest"), credentials=None,
         deadline: Deadline | None = None) -> Sink:
    deadline = deadline or Deadline(60)
    client = RegistryClient(registry.host, credentials or Fixed("AWS", "secret"), ca_file=registry.ca,
                            deadline=deadline)
    return Sink(registry.host, client, repository, tuple(tags), deadline)


def hooks(events=None, sightings=None, attempts=4) -> Hooks:  # type: ignore[no-untyped-def]
    record = (lambda label, event: events.append((label, event))) if events is not None else (lambda label, event: None)
    return Hooks(record, lambda line: None, RetryPolicy(attempts=attempts, first_delay=0.0), lambda seconds: None,
                 lambda low, high: 0.0, sightings or Sightings())


def local(space, api=None):  # type: ignore[no-untyped-def]
    api = api or FakeDockerAPI()
    return LocalImage(api, api.image_id, space), api


def test_every_sink_gets_every_blob_and_the_manifest_under_each_tag(pki, space):
    with FakeRegistry(pki) as one, FakeRegistry(pki) as two, FakeRegistry(pki) as three:
        sinks = [sink(r) for r in (one, two, three)]
        source, api = local(space)

        transfer(source, sinks, hooks())

        assert all(s.error is None for s in sinks), [s.error for s in sinks]
        assert len({s.digest for s in sinks}) == 1 and all(s.moved == ["v1", "latest"] for s in sinks)
        for registry in (one, two, three):
            assert registry.tag(REPO, "v1") == registry.tag(REPO, "latest") == sinks[0].digest
            manifest = json.loads(registry.state.manifests[(REPO, registry.tag(REPO, "v1"))][0])
            assert manifest["config"]["digest"] == api.image_id
            assert [gzip.decompress(registry.state.blobs[layer["digest"]]) for layer in manifest["layers"]] == LAYERS


def test_the_image_is_read_from_the_engine_once_whatever_the_number_of_sinks(pki, space):
    with FakeRegistry(pki) as one, FakeRegistry(pki) as two:
        source, api = local(space)

        transfer(source, [sink(one), sink(two)], hooks())

        assert api.exports == 1


def test_a_blob_the_registry_already_has_is_not_uploaded_again(registry, space):
    source, _ = local(space)
    transfer(source, [sink(registry)], hooks())
    patches = registry.count("PATCH")
    events: list = []

    transfer(local(space)[0], [sink(registry, tags=("v2",))], hooks(events))

    assert registry.count("PATCH") == patches
    assert {e.status for _, e in events} == {"Layer already exists"}


def test_a_blob_seen_in_another_repository_of_the_registry_is_mounted_not_uploaded(registry, space):
    sightings = Sightings()
    transfer(local(space)[0], [sink(registry, "team/base")], hooks(sightings=sightings))
    patches = registry.count("PATCH")
    events: list = []

    transfer(local(space)[0], [sink(registry, "team/app")], hooks(events, sightings))

    assert registry.count("PATCH") == patches
    assert {e.status for _, e in events if e.status != "Pushed"} == {"Mounted from team/base"}


def test_a_registry_that_does_not_mount_gets_the_upload_in_the_session_it_started(registry, space):
    registry.state.mounts = False
    sightings = Sightings()
    transfer(local(space)[0], [sink(registry, "team/base")], hooks(sightings=sightings))
    posts = registry.count("POST")

    target = sink(registry, "team/app")
    transfer(local(space)[0], [target], hooks(sightings=sightings))

    assert target.error is None and registry.count("POST") == posts + 3  # 2 layers + config, no extra session


def test_an_upload_cut_off_by_a_reset_resumes_from_the_offset_the_registry_reports(registry, space, monkeypatch):
    monkeypatch.setattr(engine, "PART", 4096)
    big = layer_tar("big.bin", bytes(range(256)) * 400)  # incompressible enough for several parts
    api = FakeDockerAPI(layers=[big])
    target = sink(registry)
    registry.reset(count=1)

    transfer(LocalImage(api, api.image_id, space), [target], hooks())

    assert target.error is None and target.digest
    statuses = [path for method, path in registry.state.requests if method == "GET" and "/blobs/uploads/" in path]
    assert statuses, "the engine asked where the upload stood"
    assert registry.count("POST", "/blobs/uploads/") == 2  # the cut-off session was resumed, not started again


def test_a_5xx_is_retried_and_the_blob_still_arrives(registry, space):
    registry.fail("PATCH", "/blobs/uploads/", 503, count=2)
    target = sink(registry)

    transfer(local(space)[0], [target], hooks())

    assert target.error is None and registry.tag(REPO, "v1") == target.digest


def test_a_lasting_failure_fails_only_its_sink_and_tags_nothing_there(pki, space):
    with FakeRegistry(pki) as good, FakeRegistry(pki) as bad:
        bad.fail("*", "/blobs/", 503, count=100)
        sinks = [sink(good), sink(bad)]

        transfer(local(space)[0], sinks, hooks(attempts=2))

        assert sinks[0].error is None and good.tag(REPO, "v1")
        assert "HTTP 503" in (sinks[1].error or "") and "gave up after 2 attempts" in sinks[1].error
        assert bad.tag(REPO, "v1") is None and sinks[1].moved == []


def test_manifests_go_up_after_every_blob_and_tags_last(registry, space):
    transfer(local(space)[0], [sink(registry)], hooks())

    methods = [(m, p) for m, p in registry.state.requests if m in ("PUT", "PATCH")]
    last_blob = max(i for i, (m, p) in enumerate(methods) if "/blobs/" in p)
    first_manifest = min(i for i, (m, p) in enumerate(methods) if "/manifests/" in p)
    assert last_blob < first_manifest


def test_a_source_that_fails_stops_every_sink_before_any_tag(registry, space):
    wrong = json.dumps({"rootfs": {"type": "layers", "diff_ids": [sha(b"other"), sha(LAYERS[1])]}}).encode()
    image_id, data = legacy(LAYERS, config=wrong)
    api = Engine(data)
    target = sink(registry)

    with pytest.raises(ExportError):
        transfer(LocalImage(api, image_id, space), [target], hooks())

    assert registry.count("PUT", "/manifests/") == 0 and target.error


def test_a_manifest_whose_bytes_do_not_match_its_digest_never_gets_a_tag(pki, space):
    with FakeRegistry(pki) as source_registry, FakeRegistry(pki) as destination:
        origin = sink(source_registry)
        transfer(local(space)[0], [origin], hooks())
        source_registry.tamper(origin.digest)
        copy = sink(destination)

        with pytest.raises(Exception, match="hash to sha256:.*not " + str(origin.digest)):
            transfer(RegistryImage(origin.client, REPO, str(origin.digest), space), [copy], hooks())

        assert destination.tag(REPO, "v1") is None and destination.count("PUT", "/manifests/") == 0


def test_a_copy_from_a_registry_keeps_the_manifest_bytes_and_so_the_digest(pki, space):
    with FakeRegistry(pki) as source_registry, FakeRegistry(pki) as destination:
        origin = sink(source_registry)
        transfer(local(space)[0], [origin], hooks())
        copy = sink(destination)

        transfer(RegistryImage(origin.client, REPO, str(origin.digest), space), [copy], hooks())

        assert copy.digest == origin.digest == destination.tag(REPO, "latest")


def test_a_blob_of_a_registry_source_is_fetched_only_when_a_sink_lacks_it(pki, space):
    with FakeRegistry(pki) as source_registry, FakeRegistry(pki) as destination:
        origin = sink(source_registry)
        transfer(local(space)[0], [origin], hooks())
        transfer(local(space)[0], [sink(destination)], hooks())
        gets = source_registry.count("GET", "/blobs/sha256")

        transfer(RegistryImage(origin.client, REPO, str(origin.digest), space), [sink(destination, tags=("v3",))],
                 hooks())

        assert source_registry.count("GET", "/blobs/sha256") == gets


def test_a_token_that_expires_mid_transfer_is_renewed_once_and_every_sink_finishes(pki, space):
    class Renewing:
        def __init__(self) -> None:
            self.password, self.renewals = "secret", 0

        def current(self):  # type: ignore[no-untyped-def]
            return "AWS", self.password

        def renew(self, stale):  # type: ignore[no-untyped-def]
            if stale == ("AWS", self.password):  # unless another request of the sink renewed it already
                self.renewals += 1
                self.password = "fresh"
            return True

    with FakeRegistry(pki) as one, FakeRegistry(pki) as two:
        one.expire("fresh")
        two.expire("fresh", status=403)
        credentials = [Renewing(), Renewing()]
        sinks = [sink(one, credentials=credentials[0]), sink(two, credentials=credentials[1])]

        transfer(local(space)[0], sinks, hooks())

        assert [s.error for s in sinks] == [None, None]
        assert [c.renewals for c in credentials] == [1, 1]


def test_uploaded_bytes_count_the_layers_sent_and_not_those_already_there(registry, space):
    first = sink(registry)
    transfer(local(space)[0], [first], hooks())
    again = sink(registry, tags=("v2",))
    transfer(local(space)[0], [again], hooks())

    manifest = json.loads(registry.state.manifests[(REPO, str(first.digest))][0])
    assert first.uploaded == sum(layer["size"] for layer in manifest["layers"])
    assert again.uploaded == 0


def test_an_interrupt_stops_the_transfer_and_no_tag_moves(registry, space):
    big = layer_tar("big.bin", bytes(range(256)) * 40000)
    api = FakeDockerAPI(layers=[big, layer_tar("c", b"c" * 5000)])
    target = sink(registry)
    started = threading.Event()

    def on_layer(label, event):  # type: ignore[no-untyped-def]
        if event.status == "Pushing":
            started.set()
            cancel.interrupt()

    transfer(LocalImage(api, api.image_id, space), [target],
             Hooks(on_layer, lambda line: None, RetryPolicy(first_delay=0.0), lambda s: None, lambda a, b: 0.0,
                   Sightings()))

    assert started.is_set() and registry.count("PUT", "/manifests/") == 0
    assert "cancelled (interrupted)" in str(target.error)


def test_parts_are_at_least_five_mib_and_never_more_than_4200_per_layer():
    """ECR user guide, "Amazon ECR service quotas": layer parts of at least 5 MiB but the last, 4,200 at most."""
    assert engine.MIN_PART <= engine.part_size(1) == engine.PART
    assert -(-(engine.PART * engine.MAX_PARTS * 2) // engine.part_size(engine.PART * engine.MAX_PARTS * 2)) \
        <= engine.MAX_PARTS
