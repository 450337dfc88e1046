"""Files only root may read: the per-sandbox secret and configs that hold secrets (created 0600, never
world-readable for a moment)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ecr_sandbox.state import Paths


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a 0600 temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    tmp.replace(path)


def secret_path(paths: Paths) -> Path:
    return paths.root / "secret"


def ensure_secret(paths: Paths) -> str:
    """The per-sandbox secret (made at the first ``up``): the registries send it with their notifications,
    and the admin calls (fault injection) must carry it."""
    path = secret_path(paths)
    if not path.exists():
        write_private(path, secrets.token_hex(24) + "\n")
    return path.read_text().strip()
