"""What the layers below the command line report while they work, and the protocol they report through.

``Progress`` is implemented by the CLI (a live block on a terminal, plain lines otherwise); everything below
only calls it: ``log`` a line, ``state`` of a destination (``pushing``, ``pushed``, ...), and ``layer``
events, named as the docker CLI names them (``Layer already exists``, ``Mounted from REPO``, ``Pushing``
with bytes, ``Pushed``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol


@dataclass(frozen=True)
class LayerEvent:
    layer: str
    status: str
    current: int | None = None
    total: int | None = None


OnLayer = Callable[[LayerEvent], None]
DONE_STATES = {"Pushed", "Layer already exists", "Pull complete", "Already exists"}


def is_done(status: str) -> bool:
    return status in DONE_STATES or status.startswith("Mounted from")


class Progress(Protocol):
    def log(self, line: str) -> None: ...
    def state(self, label: str, text: str) -> None: ...
    def layer(self, label: str, event: LayerEvent) -> None: ...
    def close(self) -> None: ...


class Silent:
    """A ``Progress`` that says nothing."""

    def log(self, line: str) -> None:
        pass

    def state(self, label: str, text: str) -> None:
        pass

    def layer(self, label: str, event: LayerEvent) -> None:
        pass

    def close(self) -> None:
        pass
