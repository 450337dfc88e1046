"""How results are shown: the ``--json`` document, tables, ``error:`` and ``note:`` lines."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Sequence

from ..commands.results import PublishResult

if TYPE_CHECKING:  # its module imports botocore: only when a preview is shown
    from ..commands.lifecycle_preview import Preview


def json_document(results: Sequence[PublishResult]) -> str:
    """``{"destinations": [{"repository_uri", "tags", "moved", "digest", "status", "error", "seconds"}, ...]}``."""
    rows = [{"repository_uri": d.repository_uri, "tags": list(d.tags), "moved": list(d.moved), "digest": d.digest,
             "status": d.status, "error": d.error, "seconds": round(d.seconds, 3), "environment": d.environment,
             "account": d.account, "region": d.region, "uploaded_bytes": d.uploaded_bytes,
             "platforms": [{"platform": platform, "digest": digest} for platform, digest in d.platforms]}
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


def lifecycle_table(previews: Sequence[Preview], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    sources = {p.source for p in previews}
    shared = len(sources) == 1
    blocks = [f"Evaluated by {sources.pop()}."] if shared else []
    for p in previews:
        rows = [[r.digest[7:19], ",".join(r.tags) or "<untagged>", f"{(now - r.pushed_at).days}d",
                 r.action.upper() if r.action != "keep" else "keep",
                 str(r.rule_priority) if r.rule_priority is not None else "-"] for r in p.rows]
        title = f"{p.repository_uri} ({p.target.environment})" + ("" if shared else f" - {p.source}")
        body = table(["DIGEST", "TAGS", "AGE", "ACTION", "RULE"], rows) if rows else "(no images)"
        blocks.append(f"{title}\n{body}")
    return "\n\n".join(blocks)
