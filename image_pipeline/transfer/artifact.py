"""A file attached to an image as an OCI 1.1 artifact (an SBOM, a signature, a test report), as ``oras attach``
makes one: an image manifest whose ``artifactType`` says what it is, whose config is the empty descriptor
(OCI image spec, "Guidance for Artifacts Usage" and "Guidance for an Empty Descriptor"), whose one layer is the
file (annotated with its name, ``org.opencontainers.image.title``), and whose ``subject`` is the image. The
same file attached to the same image gives the same manifest, so attaching again changes nothing."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..oci import media
from ..oci.digest import sha256
from ..oci.media import Descriptor
from .content import Blob, BytesContent, FileContent, Item, Manifest

TITLE = "org.opencontainers.image.title"


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return "sha256:" + hashlib.file_digest(stream, "sha256").hexdigest()


def artifact_manifest(file: Descriptor, name: str, artifact_type: str, subject: Descriptor) -> bytes:
    empty = {"mediaType": media.OCI_EMPTY, "digest": sha256(media.EMPTY_CONFIG), "size": len(media.EMPTY_CONFIG)}
    document = {"schemaVersion": 2, "mediaType": media.OCI_MANIFEST, "artifactType": artifact_type,
                "config": empty, "layers": [{**file.as_json(), "annotations": {TITLE: name}}],
                "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size}}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Artifact:
    """``Source`` of ``path`` attached to ``subject`` as ``artifact_type``."""

    path: Path
    artifact_type: str
    subject: Descriptor

    def file(self) -> Descriptor:
        return Descriptor(self.artifact_type, file_digest(self.path), self.path.stat().st_size)

    def manifest(self) -> Manifest:
        """The artifact's manifest (known before anything is sent: attaching again can be seen up front)."""
        return Manifest.of(artifact_manifest(self.file(), self.path.name, self.artifact_type, self.subject),
                           media.OCI_MANIFEST)

    def items(self) -> Iterator[Item]:
        yield Blob(self.file(), FileContent(self.path))
        yield Blob(Descriptor(media.OCI_EMPTY, sha256(media.EMPTY_CONFIG), len(media.EMPTY_CONFIG)),
                   BytesContent(media.EMPTY_CONFIG), layer=False)
        yield self.manifest()
