"""The one retry policy: which failures get another try, and the backoff loop around them.

Whether a failure is worth another try is decided where it happens, by its kind, and carried on the error
(``RegistryError.transient``): the registry client marks 5xx, 408, 429, connection resets, truncated answers
and timeouts transient, and unknown hosts, refused connections, failed TLS verification and every other 4xx
permanent (a 401 gets one fresh ECR token inside the client before it counts); the ECR API layer does the
same for throttling and service errors. ``with_retry`` only reads the flag.

Backoff is exponential with full jitter (each wait uniform in [0, min(max_delay, first_delay * 2**n)]), so
destinations failing together do not retry in lockstep; attempts are bounded, and no wait runs past the
caller's deadline."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, TypeVar

from .cancel import INTERRUPT
from .deadline import Deadline
from .errors import DeadlineError, RegistryError

T = TypeVar("T")
DEFAULT_ATTEMPTS = 4


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts for transient failures; waits are exponential with full jitter."""

    attempts: int = DEFAULT_ATTEMPTS
    first_delay: float = 0.5
    max_delay: float = 8.0


def ceiling(attempt: int, first_delay: float, max_delay: float) -> float:
    """The most to wait after ``attempt`` (0-based) failed: doubling from ``first_delay``, capped at ``max_delay``."""
    return min(first_delay * 2 ** attempt, max_delay)


def ceilings(policy: RetryPolicy) -> list[float]:
    """The most to wait before attempts 2, 3, ...."""
    return [ceiling(i, policy.first_delay, policy.max_delay) for i in range(max(policy.attempts - 1, 0))]


def delays(policy: RetryPolicy, rng: Callable[[float, float], float] = random.uniform) -> list[float]:
    """The waits themselves: full jitter, each uniform between 0 and its ceiling."""
    return [rng(0.0, top) for top in ceilings(policy)]


OnRetry = Callable[[RegistryError, int, float], None]


def with_retry(action: Callable[[], T], policy: RetryPolicy, on_retry: OnRetry = lambda error, attempt, delay: None,
               sleep: Callable[[float], None] | None = None, deadline: Deadline | None = None,
               rng: Callable[[float, float], float] = random.uniform) -> T:
    """Runs ``action``; on a transient ``RegistryError`` waits and tries again, up to ``policy.attempts`` in
    all, never waiting past ``deadline``. The default ``sleep`` ends at once when the run is cancelled."""
    pause = sleep or (deadline.cancelled.wait if deadline is not None else INTERRUPT.wait)
    waits = delays(policy, rng)
    attempt = 1
    while True:
        try:
            return action()
        except DeadlineError:
            raise
        except RegistryError as error:
            if not error.transient or attempt > len(waits):
                if error.transient and attempt > 1:
                    raise RegistryError(f"{error} (gave up after {attempt} attempts)") from error
                raise
            delay = waits[attempt - 1]
            if deadline is not None:
                if deadline.cancelled.is_set():
                    deadline.check(str(error))
                if deadline.remaining() <= delay:
                    raise RegistryError(f"{error} (no time left for attempt {attempt + 1}: "
                                        f"{max(deadline.remaining(), 0):.1f} s before the limit)") from error
            on_retry(error, attempt, delay)
            pause(delay)
            if deadline is not None:
                deadline.check(str(error))
            attempt += 1
