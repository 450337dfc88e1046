"""An image a registry already holds, as a source: its manifest (or index, and every child manifest) fetched
by digest and verified against it, then its blobs, each fetched at most once (and only when some sink does
not have it already), verified, into the run's scratch directory."""
from __future__ import annotations

import hashlib
import http.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..core import cancel
from ..core.errors import IntegrityError
from ..core.scratch import Scratch
from ..oci import media
from ..oci.client import RegistryClient
from ..oci.errors import connection_failure
from .content import Blob, FetchedContent, Item, Manifest
from .mounts import Sightings

READ = 1024 * 1024


@dataclass
class RegistryImage:
    """``Source`` of ``repository@digest`` in the registry ``client`` talks to."""

    client: RegistryClient
    repository: str
    digest: str
    scratch: Scratch
    sightings: Sightings | None = None  # told that this repository holds each blob (mounts in its registry)
    _seen: set[str] = field(default_factory=set)

    @property
    def where(self) -> str:
        return f"{self.client.host}/{self.repository}"

    def items(self) -> Iterator[Item]:
        yield from self._manifest(self.digest, root=True)

    def _manifest(self, digest: str, root: bool = False) -> Iterator[Item]:
        body, media_type, _ = self.client.manifest(self.repository, digest)  # verified against ``digest``
        manifest = Manifest.of(body, media_type, digest, f"manifest {self.where}@{digest}")
        parsed = media.parse(body, media_type)
        for child in parsed.manifests:
            if child.digest not in self._seen:
                yield from self._manifest(child.digest)
        for blob in parsed.blobs:
            if blob.digest not in self._seen:
                self._seen.add(blob.digest)
                if self.sightings is not None:
                    self.sightings.seen(self.client.host, blob.digest, self.repository)
                yield Blob(blob, FetchedContent(lambda path, blob=blob: self._fetch(blob, path),
                                                self.scratch.file(f"blob-{len(self._seen)}")),
                           layer=parsed.config is None or blob.digest != parsed.config.digest)
        self._seen.add(digest)
        yield manifest

    def _fetch(self, blob: media.Descriptor, path: Path) -> None:
        close, stream = self.client.open_blob(self.repository, blob.digest)
        what = f"blob {self.where}@{blob.digest}"
        digest, size = hashlib.sha256(), 0
        try:
            with cancel.holding(close), open(path, "wb") as out:
                while True:
                    self.client.deadline.check(what)
                    piece = stream.read(READ)
                    if not piece:
                        break
                    digest.update(piece)
                    out.write(piece)
                    size += len(piece)
        except (OSError, http.client.HTTPException) as error:
            self.client.deadline.check(what)
            raise connection_failure(error, self.client.host, f"GET {what}") from error
        finally:
            close()
        if "sha256:" + digest.hexdigest() != blob.digest or size != blob.size:
            path.unlink(missing_ok=True)
            raise IntegrityError(f"{what}: the {size} bytes received hash to sha256:{digest.hexdigest()}, not "
                                 f"{blob.digest} ({blob.size} bytes); refusing them")
