"""The content a transfer moves: blobs (layers, configs) and manifests (images, indexes, artifacts), each named
by its descriptor. A source hands them over children first, the root last; a blob's bytes can be opened again
at any offset (a retry, an upload resumed after a reset), a manifest's bytes are always in memory and always
hash to its digest."""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol

from ..oci.client import Readable
from ..oci.digest import sha256, verify
from ..oci.media import Descriptor, Platform, parse


class Content(Protocol):
    def open(self, offset: int = 0) -> Readable: ...


@dataclass(frozen=True)
class FileContent:
    """Bytes in a finished file (a compressed layer in the run's scratch directory)."""

    path: Path

    def open(self, offset: int = 0) -> Readable:
        stream = open(self.path, "rb")  # noqa: SIM115 - the caller reads it to the end or drops it
        stream.seek(offset)
        return stream


@dataclass(frozen=True)
class BytesContent:
    """Bytes in memory (an image config)."""

    data: bytes

    def open(self, offset: int = 0) -> Readable:
        return io.BytesIO(self.data[offset:])


@dataclass
class FetchedContent:
    """Bytes another registry holds, fetched the first time a sink needs them (never when every sink already
    has the blob), once for all sinks, into ``path``, and verified against the digest before anyone reads
    them."""

    fetch: Callable[[Path], None]
    path: Path
    _done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, offset: int = 0) -> Readable:
        with self._lock:
            if not self._done:
                self.fetch(self.path)
                self._done = True
        return FileContent(self.path).open(offset)


@dataclass(frozen=True)
class Blob:
    descriptor: Descriptor
    content: Content
    layer: bool = True  # counted in the bytes a destination was sent (configs are not)


@dataclass(frozen=True)
class Manifest:
    """A manifest whose bytes hash to ``descriptor.digest`` (checked when it is made). ``subject``: the manifest
    it refers to, when it is an artifact attached to one (a signature, an SBOM: OCI 1.1 referrers)."""

    descriptor: Descriptor
    body: bytes
    subject: Descriptor | None = None

    @classmethod
    def of(cls, body: bytes, media_type: str, expected: str | None = None, what: str = "manifest",
           platform: Platform | None = None) -> Manifest:
        if expected is not None:
            verify(body, expected, what)
        parsed = parse(body, media_type)
        return cls(Descriptor(parsed.media_type, sha256(body), len(body),
                              platform.as_json() if platform else None, parsed.artifact_type), body, parsed.subject)


Item = Blob | Manifest


class Source(Protocol):
    """Where content comes from. ``items`` yields every blob and manifest once, each after what it refers
    to; the last item is the root manifest, the one the tags go on."""

    def items(self) -> Iterator[Item]: ...
