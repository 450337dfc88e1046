"""Which repository of each registry is known to hold a blob: what a cross-repository mount needs (OCI
distribution spec, "Mounting a blob from another repository"; ECR mounts only within one registry, and only
with its ``BLOB_MOUNTING`` setting ``ENABLED``: user guide, "Blob mounting in Amazon ECR"; a registry that
does not mount starts a plain upload instead, which is then used). Shared by every transfer of a run, so a
compose publish mounts the layers its services share, and seeded with a registry source's own repository."""
from __future__ import annotations

import threading


class Sightings:
    def __init__(self) -> None:
        self._where: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()

    def seen(self, host: str, digest: str, repository: str) -> None:
        with self._lock:
            self._where.setdefault((host, digest), set()).add(repository)

    def elsewhere(self, host: str, digest: str, repository: str) -> str | None:
        with self._lock:
            others = sorted(self._where.get((host, digest), set()) - {repository})
        return others[0] if others else None
