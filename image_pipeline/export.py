"""The local image as a registry stores it: its layers compressed once (``compress``), its config, and a
Docker v2 schema 2 manifest naming them, ready to be uploaded to any number of registries.

The engine hands the image over as ``docker save`` does (``GET /images/{id}/get``): a tar holding one
uncompressed tar per layer (``<id>/layer.tar`` up to engine 24, ``blobs/sha256/<hex>`` in the OCI layout of
engine 25+), the config and a ``manifest.json`` that says which is which. The stream is read once, front to
back: each layer is compressed as it arrives and ``on_blob`` hears of it at once, so uploads start while the
next layer is still being compressed. The layers' DiffIDs are checked against the config's
``rootfs.diff_ids`` at the end; anything unexpected raises ``ExportError`` (the caller pushes through the
engine instead).
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import compress
from .deadline import Deadline
from .engine import engine_errors
from .errors import RegistryError

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
SMALL = 4 * 1024 * 1024  # an OCI-layout blob up to this size may be the config: kept as it is
READ = 1024 * 1024


class ExportError(RegistryError):
    """The image cannot be uploaded from here (the engine push still can)."""


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int
    media_type: str
    path: Path | None = None  # the compressed layer on disk
    data: bytes | None = None  # the config, in memory

    @property
    def short(self) -> str:
        return self.digest.split(":", 1)[-1][:12]


@dataclass(frozen=True)
class LocalImage:
    config: Blob
    layers: tuple[Blob, ...]
    manifest: bytes
    media_type: str = MANIFEST_TYPE

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.manifest).hexdigest()

    @property
    def blobs(self) -> tuple[Blob, ...]:
        return (self.config, *self.layers)


class _ChunkReader:
    """A read()-able file over docker-py's iterator of byte chunks (what ``tarfile`` streams from)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def _pieces(stream: Any) -> Iterator[bytes]:
    while True:
        piece = stream.read(READ)
        if not piece:
            return
        yield piece


def _is_layer_tar(member: tarfile.TarInfo) -> bool:
    return member.name.endswith("/layer.tar") or (member.name.startswith("blobs/") and member.size > SMALL)


def manifest_for(config: Blob, layers: Iterable[Blob]) -> bytes:
    """The Docker v2 schema 2 manifest, serialized as the engine does (3-space indent), so it is stable."""
    document = {"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                "config": {"mediaType": CONFIG_TYPE, "size": config.size, "digest": config.digest},
                "layers": [{"mediaType": LAYER_TYPE, "size": b.size, "digest": b.digest} for b in layers]}
    return json.dumps(document, indent=3).encode()


def export_image(api: Any, image_id: str, directory: Path, on_blob: Callable[[Blob], None] = lambda blob: None,
                 deadline: Deadline | None = None) -> LocalImage:
    """Compresses every layer of ``image_id`` into ``directory`` (the caller removes it)."""
    check = (lambda: deadline.check(f"compression of {image_id[:19]}")) if deadline else (lambda: None)
    compressed: dict[str, tuple[compress.Compressed, Path]] = {}
    small: dict[str, bytes] = {}
    links: dict[str, str] = {}
    try:
        chunks = api.get_image(image_id)
    except engine_errors() as error:
        raise ExportError(f"the engine cannot export {image_id[:19]}: {error}") from error
    with ThreadPoolExecutor(compress.workers(), thread_name_prefix="gzip") as pool:
        try:
            with tarfile.open(fileobj=_ChunkReader(chunks), mode="r|") as archive:  # type: ignore[arg-type]
                for member in archive:
                    if member.issym() or member.islnk():
                        base = posixpath.dirname(member.name) if member.issym() else ""
                        links[member.name] = posixpath.normpath(posixpath.join(base, member.linkname))
                    elif not member.isfile():
                        continue
                    elif _is_layer_tar(member):
                        path = directory / f"layer-{len(compressed)}.tar.gz"
                        with open(path, "wb") as out:
                            done = compress.gzip_stream(_pieces(archive.extractfile(member)), out, pool, check)
                        compressed[member.name] = (done, path)
                        on_blob(Blob(done.digest, done.size, LAYER_TYPE, path))
                    else:
                        small[member.name] = archive.extractfile(member).read()  # type: ignore[union-attr]
        except (tarfile.TarError, OSError, *engine_errors()) as error:
            raise ExportError(f"reading the export of {image_id[:19]} from the engine failed: {error}") from error
        return _assemble(image_id, directory, compressed, small, links, pool, on_blob)


def _assemble(image_id: str, directory: Path, compressed: dict[str, tuple[compress.Compressed, Path]],
              small: dict[str, bytes], links: dict[str, str], pool: ThreadPoolExecutor,
              on_blob: Callable[[Blob], None]) -> LocalImage:
    try:
        entries = json.loads(small["manifest.json"])
        entry = entries[0]
        config_bytes = small[links.get(entry["Config"], entry["Config"])]
        diff_ids = list(json.loads(config_bytes)["rootfs"]["diff_ids"])
        paths = [links.get(p, p) for p in entry["Layers"]]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ExportError(f"the export of {image_id[:19]} is not in a format this version reads ({error})") from error
    config = Blob("sha256:" + hashlib.sha256(config_bytes).hexdigest(), len(config_bytes), CONFIG_TYPE,
                  data=config_bytes)
    if config.digest != image_id:
        raise ExportError(f"the engine exported {config.digest[:19]}, not {image_id[:19]}")
    if not paths or len(paths) != len(diff_ids):
        raise ExportError(f"{image_id[:19]} has {len(paths)} layer files for {len(diff_ids)} layers")
    layers: list[Blob] = []
    for path, diff_id in zip(paths, diff_ids):
        if path not in compressed and path in small:  # a small OCI-layout layer, kept as it came
            target = directory / f"layer-{len(compressed)}.tar.gz"
            with open(target, "wb") as out:
                compressed[path] = (compress.gzip_stream([small[path]], out, pool), target)
            done = compressed[path][0]
            on_blob(Blob(done.digest, done.size, LAYER_TYPE, target))
        if path not in compressed:
            raise ExportError(f"the export of {image_id[:19]} lacks the layer {path}")
        done, file = compressed[path]
        if done.diff_id != diff_id:
            raise ExportError(f"layer {path} of {image_id[:19]} is {done.diff_id[:19]}, the config says "
                              f"{diff_id[:19]}")
        layers.append(Blob(done.digest, done.size, LAYER_TYPE, file))
    return LocalImage(config, tuple(layers), manifest_for(config, layers))
