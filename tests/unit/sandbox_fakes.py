"""Stand-ins the sandbox's unit tests share."""
from __future__ import annotations

from typing import Any, Callable


class RecordingEcr:
    """A boto3 ECR client that records each call as ``(operation, params)`` and answers nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Callable[..., None]:
        return lambda **params: self.calls.append((operation, params))
