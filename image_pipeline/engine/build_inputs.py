"""What ``docker build`` is given."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildSettings:
    """The context directory, Dockerfile (inside the context), target stage and build args of one build."""

    context: Path
    dockerfile: str | None = None
    target: str | None = None
    build_args: tuple[tuple[str, str], ...] = ()
    platform: str | None = None  # os/architecture[/variant] to build for (None: the engine's own)
