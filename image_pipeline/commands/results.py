"""What a publish reports: one row per destination (``DestinationResult``) and the whole (``PublishResult``).
How they are shown (table, ``--json``, error lines) is ``cli.output``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

STATUSES = ("pushed", "unchanged", "failed", "skipped", "planned", "replicated", "replicating")


@dataclass(frozen=True)
class DestinationResult:
    """``status``: ``pushed``, ``unchanged``, ``failed``, ``skipped`` (nothing pushed because another
    destination failed the pre-flight check) or ``planned`` (dry run). ``moved``: the tags this run made
    point at the image in this repository (also when the destination failed later)."""

    environment: str
    account: str
    region: str
    repository_uri: str | None
    tags: tuple[str, ...]
    digest: str | None
    status: str
    error: str | None
    seconds: float
    moved: tuple[str, ...] = ()
    uploaded_bytes: int | None = None  # bytes the client sent there (0 for a replica); None: not counted
    platforms: tuple[tuple[str, str], ...] = ()  # (platform, digest) of each image when ``digest`` is an index

    @property
    def ok(self) -> bool:
        return self.status != "failed" and (self.status == "planned" or self.digest is not None)


@dataclass(frozen=True)
class PublishResult:
    repository: str
    image_id: str | None
    destinations: tuple[DestinationResult, ...]

    @property
    def ok(self) -> bool:
        return bool(self.destinations) and all(d.ok for d in self.destinations)
