"""Scratch space for a run (compressed layers, downloaded blobs), and what a killed run left behind.

Each run's scratch is one directory ``$TMPDIR/image-pipeline-PID-RANDOM`` holding a ``lock`` file that the
run keeps locked (``fcntl.flock``) while it lives. It is removed when the run is done with it, on an error,
and on Ctrl-C or SIGTERM (``remove_all``, which the command line calls before it exits). A run killed
outright (SIGKILL, a power cut) cannot clean up: its lock dies with it, so the next run's ``sweep`` finds the
directory unlocked and removes it. Directories of live runs are locked and never touched."""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import IO

PREFIX = "image-pipeline-"
LOCK = "lock"
_live: dict[Path, IO[bytes]] = {}
_guard = threading.Lock()


def root() -> Path:
    return Path(tempfile.gettempdir())


class Scratch:
    """A locked scratch directory; a context manager that removes it on exit."""

    def __init__(self, purpose: str = "run") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-{purpose}-", dir=root()))
        self._count = 0
        lock = open(self.path / LOCK, "wb")  # noqa: SIM115 - held open for the directory's life
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with _guard:
            _live[self.path] = lock

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def file(self, name: str) -> Path:
        """A path in the directory no other caller gets (``name`` with a number of its own)."""
        with _guard:
            self._count += 1
            number = self._count
        return self.path / f"{number}-{name}"

    def remove(self) -> None:
        with _guard:
            lock = _live.pop(self.path, None)
        shutil.rmtree(self.path, ignore_errors=True)
        if lock is not None:
            lock.close()


def remove_all() -> None:
    """Removes every scratch directory this process still holds (on an interrupt, before exiting)."""
    with _guard:
        held = list(_live.items())
        _live.clear()
    for path, lock in held:
        shutil.rmtree(path, ignore_errors=True)
        lock.close()


def sweep(directory: Path | None = None) -> list[Path]:
    """Removes the scratch directories of runs that are gone (their lock is free); returns them."""
    removed = []
    base = directory or root()
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
    except OSError:
        return removed
    for path in candidates:
        if path in _live:
            continue
        try:
            with open(path / LOCK, "rb") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: its run is gone
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except FileNotFoundError:
            _remove_unlocked_leftover(path, removed)
        except OSError:
            continue  # locked: a live run's
    return removed


def _remove_unlocked_leftover(path: Path, removed: list[Path]) -> None:
    """A directory without a lock file: one the previous versions left (``image-pipeline-layers-*``, never
    locked), or one killed between mkdtemp and its lock. Removed once nobody wrote to it for an hour."""
    import time
    try:
        if time.time() - path.stat().st_mtime > 3600:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    except OSError:
        pass
