"""The registry side of one store (``ecr_sandbox.registry.store``): the gateway does in a registry what the ECR API
did in moto, never reaching outside the registry's storage, and a late delete notification of its own never deletes
an image pushed again."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecr_sandbox.registry import bridge, store

from .sandbox_fakes import RecordingEcr


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def delete_manifest(self, repository: str, digest: str) -> None:
        self.calls.append(("manifest", repository, digest))

    def delete_blob(self, repository: str, digest: str) -> None:
        self.calls.append(("blob", repository, digest))


def tag_folder(storage: Path, repository: str, tag: str) -> Path:
    folder = storage / "docker/registry/v2/repositories" / repository / "_manifests/tags" / tag / "current"
    folder.mkdir(parents=True)
    return folder


def test_untag_removes_the_tag_and_keeps_the_image(tmp_path: Path) -> None:
    folder = tag_folder(tmp_path, "team/app", "v1")

    assert store.answer({"op": "untag", "repository": "team/app", "tag": "v1"}, FakeClient(), tmp_path) == (200, {})
    assert not folder.parent.exists()


@pytest.mark.parametrize("operation", [{"op": "untag", "repository": "team/app", "tag": "../../x"},
                                       {"op": "untag", "repository": "../../etc", "tag": "v1"},
                                       {"op": "explode", "repository": "team/app"}])
def test_an_operation_outside_the_repository_or_unknown_is_refused(tmp_path: Path, operation: dict) -> None:
    assert store.answer(operation, FakeClient(), tmp_path)[0] == 400


def test_delete_repository_deletes_every_manifest_and_layer_through_the_api(tmp_path: Path) -> None:
    base = tmp_path / "docker/registry/v2/repositories/team/app"
    (base / "_manifests/revisions/sha256" / ("a" * 64)).mkdir(parents=True)
    (base / "_layers/sha256" / ("b" * 64)).mkdir(parents=True)
    client = FakeClient()

    store.answer({"op": "delete_repository", "repository": "team/app"}, client, tmp_path)

    assert client.calls == [("manifest", "team/app", "sha256:" + "a" * 64), ("blob", "team/app", "sha256:" + "b" * 64)]
    assert not base.exists()


def test_the_notification_of_a_delete_the_store_made_is_not_sent_back_but_a_clients_is(tmp_path: Path) -> None:
    digest = "sha256:" + "c" * 64
    store.answer({"op": "delete", "repository": "team/app", "digest": digest}, FakeClient(), tmp_path)
    ecr = RecordingEcr()
    event = {"action": "delete", "target": {"repository": "team/app", "digest": digest}}

    bridge.handle_events([event], tmp_path, lambda: ecr)  # the store's own delete: forgotten, not sent back
    bridge.handle_events([event], tmp_path, lambda: ecr)  # a client's DELETE through the front

    assert ecr.calls == [("batch_delete_image", {"repositoryName": "team/app", "imageIds": [{"imageDigest": digest}]})]
