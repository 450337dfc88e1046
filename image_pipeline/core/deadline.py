"""Time limits: a destination's ``--timeout`` inside the publish's overall ``--deadline``.

Every blocking step asks its ``Deadline`` how long it may wait (``timeout(cap)``: a socket timeout never
longer than what is left) and checks it between steps (``check``), so a stalled registry ends in a
``DeadlineError`` at the limit instead of holding a tag for a socket's own timeouts. ``cancel`` makes every
deadline sharing the event expire at the next check; by default that event is the process-wide interrupt
flag (``core.cancel.INTERRUPT``), so Ctrl-C and SIGTERM stop every step."""
from __future__ import annotations

import math
import threading
import time
from typing import Callable

from .cancel import INTERRUPT
from .errors import DeadlineError

Clock = Callable[[], float]


class Deadline:
    def __init__(self, seconds: float | None = None, *, parent: Deadline | None = None,
                 clock: Clock = time.monotonic, cancelled: threading.Event | None = None,
                 label: str = "--timeout") -> None:
        self._clock = clock
        self.seconds = seconds
        self._end = math.inf if seconds is None else clock() + seconds
        self._parent = parent
        self.cancelled = cancelled if cancelled is not None else (parent.cancelled if parent else INTERRUPT)
        self.label = label

    def child(self, seconds: float | None, label: str = "--timeout") -> Deadline:
        """A deadline ``seconds`` from now that also ends when this one does."""
        return Deadline(seconds, parent=self, clock=self._clock, label=label)

    def remaining(self) -> float:
        own = self._end - self._clock()
        return min(own, self._parent.remaining()) if self._parent else own

    def _limit(self) -> Deadline:
        if self._parent and self._parent.remaining() < self._end - self._clock():
            return self._parent._limit()
        return self

    def expired(self) -> bool:
        return self.cancelled.is_set() or self.remaining() <= 0

    def timeout(self, cap: float) -> float:
        """A socket timeout: ``cap``, or less when the deadline is nearer (never zero: that means blocking)."""
        return max(min(cap, self.remaining()), 0.05)

    def check(self, what: str) -> None:
        if self.cancelled.is_set():
            raise DeadlineError(f"{what}: cancelled (interrupted)")
        if self.remaining() <= 0:
            limit = self._limit()
            raise DeadlineError(f"{what}: gave up at the {limit.seconds:g} s limit ({limit.label})")

    def cancel(self) -> None:
        self.cancelled.set()
