"""An image a registry already holds, as a source: its manifest (or index, and every child manifest) fetched
by digest and verified against it, its blobs, each fetched at most once (and only when some sink does not have
it already), verified, into the run's scratch directory, and the artifacts that refer to it (OCI 1.1
referrers: signatures, SBOMs, attestations), found through the referrers API or the referrers tag."""
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
MAX_REFERRER_DEPTH = 3  # a signature of an SBOM of the image is depth 2


@dataclass
class RegistryImage:
    """``Source`` of ``repository@digest`` in the registry ``client`` talks to."""

    client: RegistryClient
    repository: str
    digest: str
    scratch: Scratch
    sightings: Sightings | None = None  # told that this repository holds each blob (mounts in its registry)
    with_referrers: bool = True  # what has the image (or a child) as its subject travels with it
    platforms: tuple[tuple[str, str], ...] = ()  # (platform, digest) of each child when the image is an index
    platform: media.Platform | None = None  # named on the image's own descriptor (it goes into an index)
    _seen: set[str] = field(default_factory=set)

    @property
    def where(self) -> str:
        return f"{self.client.host}/{self.repository}"

    def items(self) -> Iterator[Item]:
        """Children first, then what refers to the image (and to its children), then the image itself."""
        root: list[Manifest] = []
        subjects: list[str] = []
        yield from self._manifest(self.digest, root, subjects)
        if self.with_referrers:
            for subject in subjects:
                yield from self._referrers(subject, depth=1)
        yield root[0]

    def _referrers(self, subject: str, depth: int) -> Iterator[Item]:
        """Every manifest whose ``subject`` is ``subject`` (signatures, SBOMs, attestations), with what refers to
        those in turn, up to ``MAX_REFERRER_DEPTH``."""
        for referrer in self.client.referrers(self.repository, subject):
            if referrer.digest in self._seen:
                continue
            found: list[Manifest] = []
            yield from self._manifest(referrer.digest, found, [])
            if depth < MAX_REFERRER_DEPTH:
                yield from self._referrers(referrer.digest, depth + 1)
            yield found[0]

    def _manifest(self, digest: str, holder: list[Manifest], subjects: list[str]) -> Iterator[Item]:
        """Everything ``digest`` names, children and blobs, yielded; the manifest itself put into ``holder``."""
        body, media_type, _ = self.client.manifest(self.repository, digest)  # verified against ``digest``
        manifest = Manifest.of(body, media_type, digest, f"manifest {self.where}@{digest}",
                               self.platform if digest == self.digest else None)
        parsed = media.parse(body, media_type)
        if digest == self.digest and parsed.manifests:
            self.platforms = tuple(("/".join(str((m.platform or {})[k]) for k in ("os", "architecture", "variant")
                                             if (m.platform or {}).get(k)), m.digest) for m in parsed.manifests)
        subjects.append(digest)
        for child in parsed.manifests:
            if child.digest not in self._seen:
                found: list[Manifest] = []
                yield from self._manifest(child.digest, found, subjects)
                yield found[0]
        for blob in parsed.blobs:
            if blob.digest not in self._seen:
                self._seen.add(blob.digest)
                if self.sightings is not None:
                    self.sightings.seen(self.client.host, blob.digest, self.repository)
                yield Blob(blob, FetchedContent(lambda path, blob=blob: self._fetch(blob, path),
                                                self.scratch.file("blob")),
                           layer=parsed.config is None or blob.digest != parsed.config.digest)
        self._seen.add(digest)
        holder.append(manifest)

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
