"""The generation of moto's state: what lets the gateway keep what it read from moto, and never longer.

The registry fronts decide every request (each blob's HEAD, POST, PATCH and PUT, each manifest) on the
repository, its policy and the account's settings, which moto holds. Asking moto for them on every request cost
more CPU than the uploads' TLS (``benchmarks/fanout.py``, 12 registries: moto alone 2 CPU-seconds a publish).
So the moto process rewrites a small file, ``FILE`` in the sandbox folder, after every call that may have changed
its state (anything but ECR's reads, ``changes``), and the gateway keeps an answer (``Remembered``) only while
that file still says what it said before the answer was read. A read that races a change is never kept past it:
the gateway reads the generation before it asks moto, and moto writes the new one after the change is made and
before its answer leaves. The value names the moto process (a random nonce), so a restarted moto never matches
what an earlier one wrote; an unreadable file keeps nothing.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path
from typing import Callable, Hashable, TypeVar

from ecr_sandbox.model.names import ECR_TARGET

FILE = "ecr-generation"
# ECR actions that only read (API reference: Describe*, List*, Get*, BatchGetImage, BatchCheckLayerAvailability),
# and the sandbox's own read of an image's status
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "SandboxImageStatus")
T = TypeVar("T")


def changes(target: str) -> bool:
    """Whether a call to moto with this ``X-Amz-Target`` (empty for other protocols) may change its state."""
    return not (target.startswith(ECR_TARGET) and target[len(ECR_TARGET):].startswith(READ_PREFIXES))


def read(path: Path) -> str | None:
    """The generation in ``path``; None when there is none to trust."""
    try:
        return path.read_text() or None
    except OSError:
        return None


class Counter:
    """The moto side: ``bump`` after each call that ``changes`` something. Starts a new generation when made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._nonce = secrets.token_hex(8)
        self._count = 0
        self._lock = threading.Lock()
        self.bump()

    def bump(self) -> None:
        with self._lock:
            self._count += 1
            scratch = self.path.with_name(f".{FILE}.{os.getpid()}")
            try:
                scratch.write_text(f"{self._nonce}.{self._count}")
                os.replace(scratch, self.path)  # a reader sees the old value or the new one, never half of one
            except OSError:
                self.path.unlink(missing_ok=True)  # no generation: the gateway keeps nothing


class Remembered:
    """The gateway side: answers kept per key for as long as the generation file says the same."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[str, object]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path | None, key: Hashable, fetch: Callable[[], T]) -> T:
        generation = read(path) if path is not None else None
        if generation is None:
            return fetch()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]  # type: ignore[return-value]
        value = fetch()
        with self._lock:
            if len(self._kept) > 4096:
                self._kept.clear()
            self._kept[key] = (generation, value)
        return value
