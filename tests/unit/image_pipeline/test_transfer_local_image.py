"""The local image as a source (image_pipeline.transfer.local_image): read once from the engine's export
(image_pipeline.engine.export), layers compressed once, the config as the engine has it, and a Docker v2
schema 2 manifest ("Image Manifest Version 2, Schema 2": mediaType
application/vnd.docker.distribution.manifest.v2+json, config application/vnd.docker.container.image.v1+json,
layers application/vnd.docker.image.rootfs.diff.tar.gzip). The export is what `docker save` writes: the legacy
layout (<id>/layer.tar, symlinks for repeated layers) and the OCI layout of engine 25+ (blobs/sha256)."""
import gzip
import json

import pytest

from image_pipeline.core import scratch
from image_pipeline.engine.export import ExportError
from image_pipeline.transfer.content import Blob, Manifest
from image_pipeline.transfer.local_image import LocalImage

from .fake_engine import LAYERS, Engine, layer_tar, legacy, oci_layout, sha


@pytest.fixture
def space():  # type: ignore[no-untyped-def]
    with scratch.Scratch("test") as made:
        yield made


def items(data: bytes, image_id: str, space, chunk: int = 7000) -> list:  # type: ignore[no-untyped-def]
    return list(LocalImage(Engine(data, chunk), image_id, space).items())


def read(blob: Blob) -> bytes:
    return blob.content.open().read()


def test_every_layer_is_compressed_once_and_named_in_the_manifest_in_rootfs_order(space):
    image_id, data = legacy(LAYERS)

    *blobs, root = items(data, image_id, space)

    manifest = json.loads(root.body)
    assert isinstance(root, Manifest) and root.descriptor.digest == sha(root.body)
    assert manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    config = blobs[-1]
    assert manifest["config"] == {"mediaType": "application/vnd.docker.container.image.v1+json",
                                  "size": config.descriptor.size, "digest": image_id}
    assert [gzip.decompress(read(b)) for b in blobs[:-1]] == LAYERS
    assert [entry["digest"] for entry in manifest["layers"]] == [sha(read(b)) for b in blobs[:-1]]
    assert not config.layer and all(b.layer for b in blobs[:-1])


def test_a_layer_repeated_through_a_symlink_is_compressed_once_and_named_twice(space):
    image_id, data = legacy(LAYERS, repeat_first=True)

    *blobs, root = items(data, image_id, space)

    layers = [entry["digest"] for entry in json.loads(root.body)["layers"]]
    assert layers == [layers[0], layers[1], layers[0]]
    assert len(blobs) == 3  # two layers, one config


def test_the_oci_layout_of_newer_engines_is_read_as_well(space):
    big = layer_tar("big.bin", bytes(range(256)) * 20000)  # above the in-memory size: compressed as it streams
    image_id, data = oci_layout([LAYERS[0], big])

    *blobs, root = items(data, image_id, space, chunk=65536)

    assert sorted(gzip.decompress(read(b)) for b in blobs[:-1]) == sorted([LAYERS[0], big])


def test_the_same_image_gives_the_same_bytes_every_time(space):
    image_id, data = legacy(LAYERS)

    first = items(data, image_id, space)[-1]
    second = items(data, image_id, space)[-1]

    assert first.descriptor.digest == second.descriptor.digest


def test_a_layer_that_is_not_the_one_the_config_names_stops_before_the_manifest(space):
    wrong = json.dumps({"rootfs": {"type": "layers", "diff_ids": [sha(b"other"), sha(LAYERS[1])]}}).encode()
    image_id, data = legacy(LAYERS, config=wrong)
    handed: list = []

    with pytest.raises(ExportError, match=r"layer l0/layer.tar of sha256:\w+ is sha256:\w+, the config says"):
        handed.extend(LocalImage(Engine(data), image_id, space).items())

    assert not any(isinstance(item, Manifest) for item in handed)


def test_an_export_of_another_image_is_refused(space):
    _, data = legacy(LAYERS)

    with pytest.raises(ExportError, match="the engine exported sha256:.* not sha256:000000000000"):
        items(data, "sha256:" + "0" * 64, space)


def test_a_truncated_export_is_an_export_error(space):
    image_id, data = legacy(LAYERS)

    with pytest.raises(ExportError, match="not in a format this version reads|reading the export"):
        items(data[:len(data) // 2], image_id, space)
