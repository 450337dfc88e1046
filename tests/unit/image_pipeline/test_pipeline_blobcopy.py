"""The registry-to-registry copy: blobs the target lacks are streamed over, manifests copied byte for byte."""
import io
import json

import pytest

from image_pipeline.blobcopy import CopyError, copy_image

MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": "sha256:" + "c" * 64, "size": 3},
                       "layers": [{"digest": "sha256:" + "1" * 64, "size": 5},
                                  {"digest": "sha256:" + "2" * 64, "size": 4}]}).encode()
DIGEST = "sha256:" + "d" * 64


class Source:
    host = "source.example"

    def __init__(self, media_type="application/vnd.docker.distribution.manifest.v2+json"):
        self.media_type = media_type

    def manifest(self, repository, reference):
        return MANIFEST, self.media_type

    def open_blob(self, repository, digest):
        class Closing:
            def close(self):
                pass
        return Closing(), io.BytesIO({"c": b"cfg", "1": b"aaaaa", "2": b"bbbb"}[digest[7]])


class Target:
    host = "target.example"

    def __init__(self, existing=(), stored=DIGEST):
        self.existing, self.stored = set(existing), stored
        self.uploads, self.manifests, self.scopes = {}, [], []

    def authorize(self, repository, actions):
        self.scopes.append((repository, actions))

    def has_blob(self, repository, digest):
        return digest in self.existing

    def upload_blob(self, repository, digest, data, size):
        self.uploads[digest] = b"".join(iter(lambda: data.read(2), b""))

    def put_manifest(self, repository, tag, body, media_type):
        self.manifests.append((repository, tag, body))
        return self.stored


def test_missing_blobs_are_uploaded_with_progress_and_each_tag_gets_the_same_manifest_bytes():
    target, events = Target(existing={"sha256:" + "1" * 64}), []

    assert copy_image(Source(), "a/app", DIGEST, target, "b/app", ["v1", "latest"], events.append) == DIGEST

    assert target.scopes == [("b/app", "pull,push")]
    assert target.uploads == {"sha256:" + "c" * 64: b"cfg", "sha256:" + "2" * 64: b"bbbb"}
    assert target.manifests == [("b/app", "v1", MANIFEST), ("b/app", "latest", MANIFEST)]
    assert ("111111111111", "Layer already exists") in {(e.layer, e.status) for e in events}
    assert ("222222222222", "Pushed") in {(e.layer, e.status) for e in events}
    assert any(e.status == "Copying" and e.current == 2 and e.total == 4 for e in events)


def test_a_manifest_stored_at_another_digest_is_an_error():
    with pytest.raises(CopyError, match="was stored at sha256:eee"):
        copy_image(Source(), "a/app", DIGEST, Target(stored="sha256:eee"), "b/app", ["v1"])


def test_manifest_lists_are_left_to_the_engine():
    with pytest.raises(CopyError, match="are not copied; pushing instead"):
        copy_image(Source("application/vnd.oci.image.index.v1+json"), "a/app", DIGEST, Target(), "b/app", ["v1"])


def test_each_tag_is_reported_once_it_points_at_the_image_in_the_target():
    class RefuseLatest(Target):
        def put_manifest(self, repository, tag, body, media_type):
            if tag == "latest":
                raise CopyError("PUT manifests/latest: HTTP 400 tag invalid")
            return super().put_manifest(repository, tag, body, media_type)

    moved = []
    with pytest.raises(CopyError, match="tag invalid"):
        copy_image(Source(), "a/app", DIGEST, RefuseLatest(), "b/app", ["v1", "latest"], on_tag=moved.append)

    assert moved == ["v1"]


def test_a_copy_past_its_deadline_stops_between_blocks():
    from image_pipeline.deadline import Deadline
    from image_pipeline.errors import DeadlineError
    now = [0.0]
    deadline = Deadline(10.0, clock=lambda: now[0])
    now[0] = 11.0

    with pytest.raises(DeadlineError, match="upload of layer"):
        copy_image(Source(), "a/app", DIGEST, Target(), "b/app", ["v1"], deadline=deadline)
