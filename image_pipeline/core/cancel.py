"""Stopping a run at once (Ctrl-C, SIGTERM): one process-wide flag, and the sockets and streams to close.

``INTERRUPT`` is the flag every ``Deadline`` checks by default, so each step stops at its next check and no
new request starts after it is set. A thread blocked in a socket read only notices at its next check, so
whatever blocks registers its closer here while it blocks (``holding``); ``interrupt()`` sets the flag and
calls every registered closer, which makes those reads fail at once."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

INTERRUPT = threading.Event()
_closers: dict[int, Callable[[], None]] = {}
_lock = threading.RLock()  # re-entrant: the signal handler runs on the main thread, maybe inside `holding`


@contextmanager
def holding(close: Callable[[], None]) -> Iterator[None]:
    """Registers ``close`` (e.g. a socket's shutdown) for the duration of a blocking step."""
    key = id(close)
    with _lock:
        _closers[key] = close
    try:
        yield
    finally:
        with _lock:
            _closers.pop(key, None)


def interrupt() -> None:
    """Sets ``INTERRUPT`` and closes everything registered, without waiting for anyone."""
    INTERRUPT.set()
    with _lock:
        closers = list(_closers.values())
    for close in closers:
        try:
            close()
        except Exception:  # noqa: BLE001 - closing an abandoned stream; nothing to report
            pass


def interrupted() -> bool:
    return INTERRUPT.is_set()


def pause(seconds: float) -> None:
    """``time.sleep`` that an interrupt ends at once."""
    INTERRUPT.wait(seconds)
