"""Which failures are worth another try, and the backoff loop. Transient: HTTP 5xx, connection resets,
throttling, an expired token, the engine giving up on an upload. Everything else (wrong password, unknown
host, refused tag, build errors, a deadline) fails at once.

Backoff is exponential with full jitter (each wait is uniform in [0, min(max_delay, first_delay * 2**n)]),
so destinations failing together do not retry in lockstep; attempts are bounded, and no wait runs past
the caller's deadline."""
from __future__ import annotations

import random
import re
import time
from typing import Callable, TypeVar

from .deadline import Deadline
from .errors import DeadlineError, RegistryError
from .settings import RetrySettings

T = TypeVar("T")

_TRANSIENT = re.compile(
    r"\b5\d\d\b(?!\d)|internal server error|bad gateway|service unavailable|gateway time-?out"
    r"|connection reset|reset by peer|broken pipe|unexpected eof|\beof\b|i/o timeout|timed? ?out"
    r"|connection aborted|connection closed|server closed"
    r"|toomanyrequests|too many requests|\b429\b|throttl|rate exceeded|slow ?down"
    r"|token has expired|token expired|retrying in \d+ seconds?", re.IGNORECASE)
_PERMANENT = re.compile(
    r"unauthorized|authentication required|no basic auth|denied|forbidden|\b40[134]\b|no such host"
    r"|name resolution|manifest invalid|tag invalid|immutable|not found|unknown blob", re.IGNORECASE)
_TOKEN_EXPIRED = re.compile(r"token has expired|token expired", re.IGNORECASE)


def is_transient(message: str) -> bool:
    """A registry or engine error line: may another attempt succeed?"""
    if _TOKEN_EXPIRED.search(message):
        return True
    if _PERMANENT.search(message):
        return False
    return _TRANSIENT.search(message) is not None


_AUTH_REFUSAL = re.compile(r"unauthorized|authentication required|invalid_token", re.IGNORECASE)


def is_auth_refusal(message: str) -> bool:
    """The registry refused the credentials (HTTP 401)."""
    return _AUTH_REFUSAL.search(message) is not None


def is_token_expiry(message: str) -> bool:
    return _TOKEN_EXPIRED.search(message) is not None


def ceiling(attempt: int, first_delay: float, max_delay: float) -> float:
    """The most to wait after ``attempt`` (0-based) failed: doubling from ``first_delay``, capped at ``max_delay``."""
    return min(first_delay * 2 ** attempt, max_delay)


def ceilings(settings: RetrySettings) -> list[float]:
    """The most to wait before attempts 2, 3, ...: doubling from ``first_delay``, capped at ``max_delay``."""
    return [ceiling(i, settings.first_delay, settings.max_delay) for i in range(max(settings.attempts - 1, 0))]


def delays(settings: RetrySettings, rng: Callable[[float, float], float] = random.uniform) -> list[float]:
    """The waits themselves: full jitter, each uniform between 0 and its ceiling."""
    return [rng(0.0, ceiling) for ceiling in ceilings(settings)]


def with_retry(action: Callable[[], T], settings: RetrySettings,
               on_retry: Callable[[RegistryError, int, float], None] = lambda error, attempt, delay: None,
               sleep: Callable[[float], None] = time.sleep, deadline: Deadline | None = None,
               rng: Callable[[float, float], float] = random.uniform) -> T:
    """Runs ``action``; on a transient ``RegistryError`` waits and tries again, up to ``settings.attempts``
    in all, never waiting past ``deadline``."""
    waits = delays(settings, rng)
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
            if deadline is not None and (deadline.expired() or deadline.remaining() <= delay):
                raise RegistryError(f"{error} (no time left for attempt {attempt + 1}: "
                                    f"{max(deadline.remaining(), 0):.1f} s before the limit)") from error
            on_retry(error, attempt, delay)
            sleep(delay)
            attempt += 1
