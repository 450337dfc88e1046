"""What the Docker engine hands over for an image, made in memory: layer tars, the config (whose sha256 is the
image id) and ``docker save``'s two layouts (the legacy ``<id>/layer.tar`` one with symlinks for repeated
layers, and the OCI layout of engine 25+), and a fake low-level API that builds, inspects, tags and exports
one such image."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from typing import Any, Iterator


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


def config_for(layers: list[bytes], architecture: str = "amd64") -> bytes:
    return json.dumps({"architecture": architecture, "os": "linux",
                       "rootfs": {"type": "layers", "diff_ids": [sha(layer) for layer in layers]}}).encode()


def save_tar(members: list[tuple[str, bytes]], symlinks: list[tuple[str, str]] | tuple = ()) -> bytes:
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


def legacy(layers: list[bytes], repeat_first: bool = False, config: bytes | None = None) -> tuple[str, bytes]:
    """(image id, ``docker save`` bytes in the legacy layout)."""
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


def oci_layout(layers: list[bytes]) -> tuple[str, bytes]:
    config = config_for(layers)
    image_id = sha(config)
    members = [(f"blobs/sha256/{sha(layer)[7:]}", layer) for layer in layers]
    members += [(f"blobs/sha256/{image_id[7:]}", config), ("oci-layout", b"{}"), ("index.json", b"{}"),
                ("manifest.json", json.dumps([{"Config": f"blobs/sha256/{image_id[7:]}",
                                               "Layers": [f"blobs/sha256/{sha(x)[7:]}" for x in layers]}]).encode())]
    return image_id, save_tar(members)


class Engine:
    """Only ``get_image``: the export in chunks."""

    def __init__(self, data: bytes, chunk: int = 7000) -> None:
        self.data, self.chunk = data, chunk
        self.exports = 0

    def get_image(self, image: str) -> Iterator[bytes]:
        self.exports += 1
        return (self.data[i:i + self.chunk] for i in range(0, len(self.data), self.chunk))


IMAGE_ID, SAVED = legacy(LAYERS)


def platform_image(architecture: str) -> tuple[str, bytes]:
    """(image id, export) of a one-layer image whose config names ``architecture``."""
    layers = [layer_tar("arch", architecture.encode() * 100)]
    config = config_for(layers, architecture)
    image_id, saved = legacy(layers, config=config)
    return image_id, saved


class FakeDockerAPI(Engine):
    """docker-py's low-level API for one image: ``build`` streams and ends with its id; ``inspect_image``,
    ``tag`` and ``get_image`` (the export) agree with it. ``build(platform="linux/ARCH")`` builds that
    architecture's own image (``platform_image``)."""

    def __init__(self, build_chunks: list[dict[str, Any]] | None = None, image: tuple[str, bytes] | None = None,
                 layers: list[bytes] | None = None) -> None:
        image_id, saved = image or (legacy(layers) if layers else (IMAGE_ID, SAVED))
        super().__init__(saved)
        self.image_id = image_id
        self.diff_ids = [sha(layer) for layer in (layers or LAYERS)]
        self.platforms: dict[str, tuple[str, bytes]] = {}  # image id -> (architecture, export)
        self.build_chunks = build_chunks if build_chunks is not None else [
            {"stream": "Step 1/2 : FROM scratch\n"}, {"aux": {"ID": image_id}},
            {"stream": f"Successfully built {image_id[7:19]}\n"}]
        self.builds: list[dict[str, Any]] = []
        self.tags: list[tuple[str, str, str]] = []
        self.repo_digests: list[str] = []
        self.lock = threading.Lock()

    def build(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.builds.append(kwargs)
        if kwargs.get("platform"):
            architecture = kwargs["platform"].split("/")[1]
            image_id, saved = platform_image(architecture)
            self.platforms[image_id] = (architecture, saved)
            return iter([{"stream": f"Step 1/1 : FROM scratch ({architecture})\n"}, {"aux": {"ID": image_id}}])
        return iter(self.build_chunks)

    def inspect_image(self, image: str) -> dict[str, Any]:
        if image in self.platforms:
            return {"Id": image, "RepoDigests": [], "Os": "linux", "Architecture": self.platforms[image][0]}
        return {"Id": self.image_id, "RepoDigests": list(self.repo_digests), "RootFS": {"Layers": self.diff_ids},
                "Os": "linux", "Architecture": "amd64"}

    def get_image(self, image: str) -> Iterator[bytes]:
        if image in self.platforms:
            self.exports += 1
            data = self.platforms[image][1]
            return (data[i:i + self.chunk] for i in range(0, len(data), self.chunk))
        return super().get_image(image)

    def tag(self, image: str, repository: str, tag: str | None = None, force: bool = False) -> bool:
        assert tag, "always tag explicitly"
        with self.lock:
            self.tags.append((image, repository, tag))
        return True
