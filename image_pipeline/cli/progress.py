"""Progress on stderr: a live block (one line per destination, bytes per layer) on a terminal, plain log
lines otherwise. Thread-safe: destinations report from their own threads."""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from ..core.events import LayerEvent, Progress, is_done


def human_bytes(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"


class PlainProgress:
    """One line per meaningful event: a destination's state, a layer finished (once per layer and
    destination, however many tags or attempts push it)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str], int] = {}
        self._finished: set[tuple[str, str]] = set()

    def log(self, line: str) -> None:
        with self._lock:
            print(line, file=self._out, flush=True)

    def state(self, label: str, text: str) -> None:
        if text == "pushing":  # a new push to this destination (the next service of a compose-publish)
            with self._lock:
                self._finished = {key for key in self._finished if key[0] != label}
        self.log(f"[{label}] {text}")

    def layer(self, label: str, event: LayerEvent) -> None:
        key = (label, event.layer)
        if event.total:
            self._totals[key] = event.total
        if is_done(event.status) and key not in self._finished:
            self._finished.add(key)
            size = self._totals.get(key)
            self.log(f"[{label}] layer {event.layer}: {event.status}" + (f" ({human_bytes(size)})" if size else ""))

    def close(self) -> None:
        pass


class LiveProgress:
    """Redraws one line per destination: its state and, per layer, bytes sent of the layer's size."""

    def __init__(self, out: TextIO, interval: float = 0.1) -> None:
        self._out = out
        self._interval = interval
        self._lock = threading.Lock()
        self._labels: list[str] = []
        self._states: dict[str, str] = {}
        self._layers: dict[str, dict[str, LayerEvent]] = {}
        self._drawn = 0
        self._last = 0.0

    def log(self, line: str) -> None:
        with self._lock:
            self._erase()
            print(line, file=self._out)
            self._draw()

    def state(self, label: str, text: str) -> None:
        with self._lock:
            if label not in self._states:
                self._labels.append(label)
            self._states[label] = text
            self._redraw(force=True)

    def layer(self, label: str, event: LayerEvent) -> None:
        with self._lock:
            layers = self._layers.setdefault(label, {})
            before = layers.get(event.layer)
            if event.total is None and before is not None and before.total:
                event = LayerEvent(event.layer, event.status, before.total if is_done(event.status)
                                   else before.current, before.total)
            layers[event.layer] = event
            self._redraw(force=is_done(event.status))

    def close(self) -> None:
        with self._lock:
            self._redraw(force=True)
            self._drawn = 0

    def _line(self, label: str) -> str:
        parts = []
        for event in self._layers.get(label, {}).values():
            if is_done(event.status):
                parts.append(f"{event.layer[:6]} done" + (f" {human_bytes(event.total)}" if event.total else ""))
            elif event.total:
                parts.append(f"{event.layer[:6]} {human_bytes(event.current or 0)}/{human_bytes(event.total)}")
            else:
                parts.append(f"{event.layer[:6]} {event.status.lower()}")
        return f"{label:<22} {self._states.get(label, ''):<10} " + "  ".join(parts)

    def _erase(self) -> None:
        if self._drawn:
            self._out.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _draw(self) -> None:
        for label in self._labels:
            self._out.write(self._line(label)[:200] + "\n")
        self._drawn = len(self._labels)
        self._out.flush()

    def _redraw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        self._erase()
        self._draw()


def for_stream(out: TextIO = sys.stderr) -> Progress:
    return LiveProgress(out) if out.isatty() else PlainProgress(out)
