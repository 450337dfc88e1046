"""The local image as a registry stores it (image_pipeline.export): layers compressed once, the config as the
engine has it, and a Docker v2 schema 2 manifest ("Image Manifest Version 2, Schema 2", distribution docs:
mediaType application/vnd.docker.distribution.manifest.v2+json, config application/vnd.docker.container.image.v1+json,
layers application/vnd.docker.image.rootfs.diff.tar.gzip). The export is what `docker save` writes: the
legacy layout (<id>/layer.tar, symlinks for repeated layers) and the OCI layout of engine 25+ (blobs/sha256)."""
import gzip
import hashlib
import io
import json
import tarfile

import pytest

from image_pipeline.export import ExportError, export_image


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tar(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


LAYERS = [layer_tar("a.txt", b"first layer " * 1000), layer_tar("b.bin", bytes(range(256)) * 3000)]


def config_for(layers) -> bytes:
    return json.dumps({"architecture": "amd64", "os": "linux",
                       "rootfs": {"type": "layers", "diff_ids": [sha(layer) for layer in layers]}}).encode()


def save_tar(members, symlinks=()) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in symlinks:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return out.getvalue()


def legacy(layers, repeat_first=False, config=None):
    config = config or config_for(layers + ([layers[0]] if repeat_first else []))
    members, names = [], []
    for index, layer in enumerate(layers):
        members += [(f"l{index}/VERSION", b"1.0"), (f"l{index}/json", b"{}"), (f"l{index}/layer.tar", layer)]
        names.append(f"l{index}/layer.tar")
    links = [("l9/layer.tar", "../l0/layer.tar")] if repeat_first else []
    names += ["l9/layer.tar"] if repeat_first else []
    image_id = sha(config)
    members += [(f"{image_id[7:]}.json", config),
                ("manifest.json", json.dumps([{"Config": f"{image_id[7:]}.json", "Layers": names}]).encode())]
    return image_id, save_tar(members, links)


class Engine:
    def __init__(self, data: bytes, chunk: int = 7000) -> None:
        self.data, self.chunk = data, chunk

    def get_image(self, image):
        return (self.data[i:i + self.chunk] for i in range(0, len(self.data), self.chunk))


def test_every_layer_is_compressed_once_and_named_in_the_manifest_in_rootfs_order(tmp_path):
    image_id, data = legacy(LAYERS)
    heard = []

    image = export_image(Engine(data), image_id, tmp_path, heard.append)

    manifest = json.loads(image.manifest)
    assert manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert manifest["config"] == {"mediaType": "application/vnd.docker.container.image.v1+json",
                                  "size": image.config.size, "digest": image_id}
    assert [gzip.decompress(b.path.read_bytes()) for b in image.layers] == LAYERS
    assert [entry["digest"] for entry in manifest["layers"]] == [sha(b.path.read_bytes()) for b in image.layers]
    assert {b.digest for b in heard} == {b.digest for b in image.layers}
    assert image.digest == sha(image.manifest)


def test_a_layer_repeated_through_a_symlink_is_compressed_once_and_named_twice(tmp_path):
    image_id, data = legacy(LAYERS, repeat_first=True)
    heard = []

    image = export_image(Engine(data), image_id, tmp_path, heard.append)

    assert [b.digest for b in image.layers] == [image.layers[0].digest, image.layers[1].digest,
                                                image.layers[0].digest]
    assert len(heard) == 2


def test_the_oci_layout_of_newer_engines_is_read_as_well(tmp_path):
    big = layer_tar("big.bin", bytes(range(256)) * 20000)  # above the in-memory size: compressed as it streams
    layers = [LAYERS[0], big]
    config = config_for(layers)
    image_id = sha(config)
    members = [(f"blobs/sha256/{sha(layer)[7:]}", layer) for layer in layers]
    members += [(f"blobs/sha256/{image_id[7:]}", config), ("oci-layout", b"{}"), ("index.json", b"{}"),
                ("manifest.json", json.dumps([{"Config": f"blobs/sha256/{image_id[7:]}",
                                               "Layers": [f"blobs/sha256/{sha(x)[7:]}" for x in layers]}]).encode())]

    image = export_image(Engine(save_tar(members), chunk=65536), image_id, tmp_path)

    assert [gzip.decompress(b.path.read_bytes()) for b in image.layers] == layers


def test_a_layer_that_is_not_the_one_the_config_names_stops_the_export(tmp_path):
    wrong = json.dumps({"rootfs": {"type": "layers", "diff_ids": [sha(b"other"), sha(LAYERS[1])]}}).encode()
    image_id, data = legacy(LAYERS, config=wrong)

    with pytest.raises(ExportError, match=r"layer l0/layer.tar of sha256:\w+ is sha256:\w+, the config says"):
        export_image(Engine(data), image_id, tmp_path)


def test_an_export_of_another_image_is_refused(tmp_path):
    _, data = legacy(LAYERS)

    with pytest.raises(ExportError, match="the engine exported sha256:.* not sha256:000000000000"):
        export_image(Engine(data), "sha256:" + "0" * 64, tmp_path)


def test_a_truncated_export_is_an_export_error(tmp_path):
    image_id, data = legacy(LAYERS)

    with pytest.raises(ExportError, match="not in a format this version reads|reading the export"):
        export_image(Engine(data[:len(data) // 2]), image_id, tmp_path)
