"""Results of a publish and how they are shown: the ``--json`` document, a table, error lines."""
from __future__ import annotations

import json
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


def json_document(results: Sequence[PublishResult]) -> str:
    """``{"destinations": [{"repository_uri", "tags", "moved", "digest", "status", "error", "seconds"}, ...]}``."""
    rows = [{"repository_uri": d.repository_uri, "tags": list(d.tags), "moved": list(d.moved), "digest": d.digest,
             "status": d.status, "error": d.error, "seconds": round(d.seconds, 3), "environment": d.environment,
             "account": d.account, "region": d.region, "uploaded_bytes": d.uploaded_bytes}
            for result in results for d in result.destinations]
    return json.dumps({"destinations": rows}, indent=2)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip()
             for row in [headers, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def publish_table(results: Sequence[PublishResult]) -> str:
    rows = [[d.environment, d.region, d.repository_uri or f"{d.account}/{result.repository}", ",".join(d.tags),
             d.status, ",".join(d.moved) or "-", (d.digest or "-")[:19], f"{d.seconds:.1f}s"]
            for result in results for d in result.destinations]
    return table(["ENV", "REGION", "REPOSITORY URI", "TAGS", "STATUS", "MOVED", "DIGEST", "TIME"], rows)


def error_lines(results: Sequence[PublishResult]) -> list[str]:
    """One line per distinct failure (a build failure hits every destination but is said once); a
    skipped destination is not a problem of its own and gets no line."""
    seen: dict[str, None] = {}
    for result in results:
        for d in result.destinations:
            if d.status == "failed":
                for line in (d.error or "failed without a digest from the registry").splitlines():
                    seen.setdefault(line, None)
    return list(seen)


def moved_lines(results: Sequence[PublishResult]) -> list[str]:
    """After a failure: which tags moved where (empty when nothing failed or nothing moved)."""
    if all(r.ok for r in results):
        return []
    return [f"{d.repository_uri}: moved {', '.join(d.moved)} to {d.digest or 'the new image'}"
            for result in results for d in result.destinations if d.moved and d.repository_uri]
