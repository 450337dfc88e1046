"""Reading an image back out of the engine, once, front to back: ``docker save``'s stream
(``GET /images/{id}/get``).

The stream is a tar holding one uncompressed tar per layer (``<id>/layer.tar`` up to engine 24,
``blobs/sha256/<hex>`` in the OCI layout of engine 25+), the image config and a ``manifest.json`` that says
which file is which layer. Neither layout says which file is which before ``manifest.json``, which comes last,
so ``Export.layers`` hands over each layer-sized file as it arrives (to be compressed while the stream goes
on) and keeps the small files; afterwards ``config`` and ``order`` say which layer files make the image, in
order. Anything unreadable raises ``ExportError``.
"""
from __future__ import annotations

import json
import posixpath
import tarfile
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..core.deadline import Deadline
from ..core.errors import RegistryError
from .docker import engine_errors, interruptible

SMALL = 4 * 1024 * 1024  # an OCI-layout blob up to this size may be the config: kept in memory as it is
READ = 1024 * 1024


class ExportError(RegistryError):
    """The engine's export of an image cannot be read."""


@dataclass(frozen=True)
class LayerFile:
    """One file of the export that is (probably) a layer tar; ``stream`` is readable only while it is handed
    over."""

    name: str
    size: int
    stream: Any


class _ChunkReader:
    """A read()-able file over docker-py's iterator of byte chunks (what ``tarfile`` streams from)."""

    def __init__(self, chunks: Iterable[bytes], deadline: Deadline | None) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = bytearray()
        self._deadline = deadline

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            if self._deadline is not None:
                self._deadline.check("reading the image from the engine")
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


class _Checked:
    """A layer's stream whose read errors (a truncated export) are ``ExportError``s."""

    def __init__(self, stream: Any, export: "Export") -> None:
        self._stream, self._export = stream, export

    def read(self, size: int = -1) -> bytes:
        try:
            return bytes(self._stream.read(size))
        except (tarfile.TarError, OSError, *engine_errors()) as error:
            if self._export.deadline is not None:
                self._export.deadline.check("reading the image from the engine")
            raise ExportError(f"reading the export of {self._export.image_id[:19]} from the engine failed: "
                              f"{error}") from error


def pieces(stream: Any) -> Iterator[bytes]:
    """A stream in pieces of ``READ`` bytes."""
    while True:
        piece = stream.read(READ)
        if not piece:
            return
        yield piece


def _is_layer_tar(member: tarfile.TarInfo) -> bool:
    return member.name.endswith("/layer.tar") or (member.name.startswith("blobs/") and member.size > SMALL)


@dataclass
class Export:
    """One pass over ``docker save`` of ``image_id``: iterate ``layers()``, then read ``config``/``order``."""

    api: Any
    image_id: str
    deadline: Deadline | None = None
    small: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    config: bytes = b""
    order: list[str] = field(default_factory=list)

    def layers(self) -> Iterator[LayerFile]:
        try:
            chunks = self.api.get_image(self.image_id)
        except engine_errors() as error:
            raise ExportError(f"the engine cannot export {self.image_id[:19]}: {error}") from error
        try:
            with tarfile.open(fileobj=_ChunkReader(interruptible(chunks), self.deadline),  # type: ignore[arg-type]
                              mode="r|") as archive:
                for member in archive:
                    if member.issym() or member.islnk():
                        base = posixpath.dirname(member.name) if member.issym() else ""
                        self.links[member.name] = posixpath.normpath(posixpath.join(base, member.linkname))
                    elif not member.isfile():
                        continue
                    elif _is_layer_tar(member):
                        yield LayerFile(member.name, member.size, _Checked(archive.extractfile(member), self))
                    else:
                        self.small[member.name] = archive.extractfile(member).read()  # type: ignore[union-attr]
        except (tarfile.TarError, OSError, *engine_errors()) as error:
            if self.deadline is not None:
                self.deadline.check("reading the image from the engine")
            raise ExportError(f"reading the export of {self.image_id[:19]} from the engine failed: {error}") from error
        self._index()

    def _index(self) -> None:
        try:
            entry = json.loads(self.small["manifest.json"])[0]
            self.config = self.small[self.resolve(entry["Config"])]
            self.order = [self.resolve(p) for p in entry["Layers"]]
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise ExportError(f"the export of {self.image_id[:19]} is not in a format this version reads "
                              f"({error})") from error

    def resolve(self, name: str) -> str:
        return self.links.get(name, name)
