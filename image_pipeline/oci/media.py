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

EMPTY_CONFIG = b"{}"  # OCI image spec, "Guidance for an Empty Descriptor": the config of an artifact
REFERRERS_TAG_PREFIX = "sha256-"  # distribution spec v1.1, "Referrers Tag Schema": <alg>-<ref>

IMAGE_MANIFESTS = (DOCKER_MANIFEST, OCI_MANIFEST)
INDEXES = (DOCKER_MANIFEST_LIST, OCI_INDEX)
MANIFESTS = IMAGE_MANIFESTS + INDEXES


# The platforms an image index may name (OCI image spec, "Image Index": platform.os and platform.architecture take
# Go's GOOS and GOARCH values; variant for arm). The ones the AWS container services run, plus the common others.
OPERATING_SYSTEMS = ("linux", "windows")
ARCHITECTURES = ("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64")
VARIANTS = {"arm64": ("v8",), "arm": ("v5", "v6", "v7")}


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def as_json(self) -> dict[str, str]:
        found = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            found["variant"] = self.variant
        return found

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``os/architecture[/variant]`` (``linux/arm64``); ``ValueError`` naming what is wrong."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"{text!r} is not a platform: write os/architecture[/variant], e.g. linux/arm64")
        os_name, architecture, variant = parts[0], parts[1], (parts[2] if len(parts) == 3 else None)
        if os_name not in OPERATING_SYSTEMS:
            raise ValueError(f"{text!r}: unknown operating system {os_name!r} (known: {', '.join(OPERATING_SYSTEMS)})")
        if architecture not in ARCHITECTURES:
            raise ValueError(f"{text!r}: unknown architecture {architecture!r} (known: {', '.join(ARCHITECTURES)})")
        if variant is not None and variant not in VARIANTS.get(architecture, ()):
            known = ", ".join(VARIANTS.get(architecture, ())) or "none"
            raise ValueError(f"{text!r}: unknown variant {variant!r} for {architecture} (known: {known})")
        return cls(os_name, architecture, variant)


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


    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.platform:
            entry["platform"] = dict(self.platform)
        if self.artifact_type:
            entry["artifactType"] = self.artifact_type
        return entry


@dataclass(frozen=True)
class Parsed:
    """What one manifest refers to: for an image manifest its config and layers (``blobs``); for an index its
    child manifests (``manifests``); in both, the ``subject`` it is attached to (OCI 1.1 referrers)."""

    media_type: str
    blobs: tuple[Descriptor, ...] = ()
    manifests: tuple[Descriptor, ...] = ()
    subject: Descriptor | None = None
    config: Descriptor | None = None
    artifact_type: str | None = None


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
    artifact_type = document.get("artifactType")
    if is_index(kind):
        return Parsed(kind, manifests=tuple(Descriptor.of(m) for m in document.get("manifests") or ()),
                      subject=subject, artifact_type=artifact_type)
    if kind not in IMAGE_MANIFESTS:
        raise ValueError(f"{kind!r} is not a manifest media type")
    config = Descriptor.of(document["config"])
    layers = tuple(Descriptor.of(layer) for layer in document.get("layers") or ())
    return Parsed(kind, blobs=(config, *layers), subject=subject, config=config,
                  artifact_type=artifact_type or (config.media_type if subject is not None else None))


def index(children: list[Descriptor], media_type: str = OCI_INDEX, subject: Descriptor | None = None,
          annotations: dict[str, str] | None = None) -> bytes:
    """An image index (OCI) or manifest list (Docker) naming ``children`` (with their platforms), serialized
    with sorted keys and no spaces, so the same children give the same bytes."""
    document: dict[str, Any] = {"schemaVersion": 2, "mediaType": media_type,
                                "manifests": [child.as_json() for child in children]}
    if subject is not None:
        document["subject"] = subject.as_json()
    if annotations:
        document["annotations"] = annotations
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
