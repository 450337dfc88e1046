"""A destination of a transfer: one repository of one registry, the tags its root manifest gets, its own time
limit, and (filled in by the transfer) how it went."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..core.deadline import Deadline
from ..oci.client import RegistryClient


@dataclass
class Sink:
    label: str  # how progress and errors name it (``dev/us-east-1``)
    client: RegistryClient
    repository: str
    tags: tuple[str, ...]
    deadline: Deadline
    error: str | None = None
    digest: str | None = None  # the root's digest, once a tag points at it
    moved: list[str] = field(default_factory=list)  # tags this transfer made point at the root
    uploaded: int = 0  # bytes of layers uploaded (not mounted, not already there; configs not counted)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def where(self) -> str:
        return f"{self.client.host}/{self.repository}"

    def fail(self, message: str) -> None:
        with self._lock:
            self.error = self.error or message

    def add_uploaded(self, count: int) -> None:
        with self._lock:
            self.uploaded += count
