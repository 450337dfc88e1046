"""The push bridge reads only files named by a sha256 digest (issue 10: event data is never a free path)."""
from __future__ import annotations

import hashlib

import pytest

from ecr_sandbox.registry import bridge
from ecr_sandbox.registry.storage import blob_path

from .sandbox_fakes import RecordingEcr

MEDIA = "application/vnd.docker.distribution.manifest.v2+json"


def event(digest: str) -> dict:
    return {"action": "push", "target": {"mediaType": MEDIA, "repository": "team/app", "digest": digest, "tag": "v1"}}


@pytest.mark.parametrize("digest", ["../../../etc/passwd", "sha256:../../../../etc/passwd",
                                    "sha256:" + "A" * 64, "sha512:" + "a" * 128, "sha256:" + "a" * 63])
def test_an_event_whose_digest_is_not_sha256_and_64_hex_digits_is_ignored(tmp_path, digest):
    ecr = RecordingEcr()

    recorded = bridge.handle_events([event(digest)], tmp_path, lambda: ecr)

    assert recorded == 0 and ecr.calls == []


def test_an_event_with_a_sha256_digest_is_recorded_with_the_stored_manifest(tmp_path):
    manifest = b'{"schemaVersion": 2}'
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    path = blob_path(tmp_path, digest)
    path.parent.mkdir(parents=True)
    path.write_bytes(manifest)
    ecr = RecordingEcr()

    recorded = bridge.handle_events([event(digest)], tmp_path, lambda: ecr)

    (operation, params), = ecr.calls
    assert recorded == 1 and operation == "put_image" and params["imageManifest"] == manifest.decode()


def test_blob_path_refuses_anything_but_a_sha256_digest(tmp_path):
    with pytest.raises(ValueError, match="not a sha256 digest"):
        blob_path(tmp_path, "sha256:../../x")


def test_each_push_moto_recorded_is_reported_handled_with_its_repository_digest_and_tag(tmp_path):
    manifest = b'{"schemaVersion": 2}'
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    blob_path(tmp_path, digest).parent.mkdir(parents=True)
    blob_path(tmp_path, digest).write_bytes(manifest)
    handled = []

    bridge.handle_events([event(digest)], tmp_path, lambda: RecordingEcr(), handled=lambda *push: handled.append(push))

    assert handled == [("team/app", digest, "v1")]


def test_a_manifest_put_waiting_for_its_push_returns_once_the_bridge_handled_it():
    records = bridge.Records()
    push = ("host", "team/app", "sha256:" + "a" * 64, "v1")
    mark = records.mark()

    records.handled(push)

    assert records.wait_since(push, mark, timeout=0)


def test_a_push_handled_before_the_put_began_does_not_answer_it():
    """The same tag and digest pushed again: only the bridge's handling of the new push counts."""
    records = bridge.Records()
    push = ("host", "team/app", "sha256:" + "a" * 64, "v1")
    records.handled(push)
    mark = records.mark()

    records.handled(("host", "team/app", "sha256:" + "a" * 64, None))

    assert not records.wait_since(push, mark, timeout=0)


def test_forgetting_old_pushes_never_forgets_one_handled_after_a_mark():
    records = bridge.Records(keep=4)
    mark = records.mark()
    pushes = [("host", "team/app", "sha256:" + f"{n:064x}", "v1") for n in range(10)]

    for push in pushes:
        records.handled(push)

    assert records.wait_since(pushes[-1], mark, timeout=0)
