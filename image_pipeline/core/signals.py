"""Ctrl-C and SIGTERM: stop within seconds, start no new request, leave no scratch behind.

``install()`` makes SIGTERM (what CI runners, ``timeout`` and container stops send) behave like Ctrl-C:
both interrupt the run (``core.cancel.interrupt``: the flag every deadline checks, and every blocked socket
closed) and then raise in the main thread (``KeyboardInterrupt`` / ``Terminated``), which unwinds through
the scratch directories' clean-up. ``exit_code`` is the shell's convention: 128 + the signal number."""
from __future__ import annotations

import signal
import threading
from types import FrameType

from . import cancel

SIGINT_EXIT = 128 + signal.SIGINT    # 130
SIGTERM_EXIT = 128 + signal.SIGTERM  # 143


class Terminated(BaseException):
    """SIGTERM arrived (a ``BaseException``, like ``KeyboardInterrupt``, so no ``except Exception`` eats it)."""


def _on_signal(number: int, frame: FrameType | None) -> None:
    cancel.interrupt()
    if number == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


def install() -> None:
    """In the main thread only (Python delivers signals there); elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def exit_code(error: BaseException) -> int:
    return SIGTERM_EXIT if isinstance(error, Terminated) else SIGINT_EXIT
