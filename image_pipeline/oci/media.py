"""Every media type the project reads or writes, named once, and what a manifest refers to.

Sources: the OCI image spec (image-spec v1.1: "Image Manifest", "Image Index", "Descriptors") and Docker's
"Image Manifest V2, Schema 2". ECR stores both families (user guide, "Container image manifest format
support in Amazon ECR").
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"

IMAGE_MANIFESTS = (DOCKER_MANIFEST, OCI_MANIFEST)
INDEXES = (DOCKER_MANIFEST_LIST, OCI_INDEX)
MANIFESTS = IMAGE_MANIFESTS + INDEXES


def is_index(media_type: str) -> bool:
    return media_type in INDEXES


def is_manifest(media_type: str) -> bool:
    return media_type in MANIFESTS


@dataclass(frozen=True)
class Descriptor:
    """A reference to content by digest (OCI "Descriptors"): what it is, which bytes, how many."""

    media_type: str
    digest: str
    size: int
    platform: Mapping[str, Any] | None = field(default=None, compare=False)
    artifact_type: str | None = field(default=None, compare=False)

    @property
    def short(self) -> str:
        """The first 12 hex characters, as the docker CLI names layers."""
        return self.digest.split(":", 1)[-1][:12]

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> Descriptor:
        return cls(str(entry.get("mediaType") or ""), str(entry["digest"]), int(entry["size"]),
                   entry.get("platform"), entry.get("artifactType"))


@dataclass(frozen=True)
class Parsed:
    """What one manifest refers to: for an image manifest its config and layers (``blobs``); for an index its
    child manifests (``manifests``); in both, the ``subject`` it is attached to (OCI 1.1 referrers)."""

    media_type: str
    blobs: tuple[Descriptor, ...] = ()
    manifests: tuple[Descriptor, ...] = ()
    subject: Descriptor | None = None
    config: Descriptor | None = None


def parse(body: bytes, media_type: str = "") -> Parsed:
    """Reads a manifest or index. ``media_type`` is the one the registry sent (the body's own ``mediaType``
    wins when present). Raises ``ValueError`` for anything that is not one."""
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("a manifest is a JSON object")
    kind = str(document.get("mediaType") or media_type or "")
    if not kind:
        kind = OCI_INDEX if "manifests" in document else OCI_MANIFEST
    subject = Descriptor.of(document["subject"]) if isinstance(document.get("subject"), dict) else None
    if is_index(kind):
        return Parsed(kind, manifests=tuple(Descriptor.of(m) for m in document.get("manifests") or ()),
                      subject=subject)
    if kind not in IMAGE_MANIFESTS:
        raise ValueError(f"{kind!r} is not a manifest media type")
    config = Descriptor.of(document["config"])
    layers = tuple(Descriptor.of(layer) for layer in document.get("layers") or ())
    return Parsed(kind, blobs=(config, *layers), subject=subject, config=config)
