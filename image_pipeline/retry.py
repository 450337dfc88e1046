"""Which failures are worth another try, and the backoff loop. Transient: HTTP 5xx, connection resets,
throttling, an expired token. Everything else (wrong password, unknown host, refused tag, build errors)
fails at once."""
from __future__ import annotations

import re
import time
from typing import Callable, TypeVar

from .errors import RegistryError
from .settings import RetrySettings

T = TypeVar("T")

_TRANSIENT = re.compile(
    r"\b5\d\d\b(?!\d)|internal server error|bad gateway|service unavailable|gateway time-?out"
    r"|connection reset|reset by peer|broken pipe|unexpected eof|\beof\b|i/o timeout|timed? ?out"
    r"|connection aborted|connection closed|server closed"
    r"|toomanyrequests|too many requests|\b429\b|throttl|rate exceeded|slow ?down"
    r"|token has expired|token expired", re.IGNORECASE)
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


def is_token_expiry(message: str) -> bool:
    return _TOKEN_EXPIRED.search(message) is not None


def delays(settings: RetrySettings) -> list[float]:
    """Seconds to wait before attempts 2, 3, ...: doubling from ``first_delay``, capped at ``max_delay``."""
    return [min(settings.first_delay * 2 ** i, settings.max_delay) for i in range(max(settings.attempts - 1, 0))]


def with_retry(action: Callable[[], T], settings: RetrySettings,
               on_retry: Callable[[RegistryError, int, float], None] = lambda error, attempt, delay: None,
               sleep: Callable[[float], None] = time.sleep) -> T:
    """Runs ``action``; on a transient ``RegistryError`` waits and tries again, up to ``settings.attempts``."""
    waits = delays(settings)
    attempt = 1
    while True:
        try:
            return action()
        except RegistryError as error:
            if not error.transient or attempt > len(waits):
                if error.transient and attempt > 1:
                    raise RegistryError(f"{error} (gave up after {attempt} attempts)") from error
                raise
            delay = waits[attempt - 1]
            on_retry(error, attempt, delay)
            sleep(delay)
            attempt += 1
