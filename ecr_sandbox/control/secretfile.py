"""The per-sandbox secret (created 0600 through ``ecr_sandbox.control.files.write_private``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from ecr_sandbox.control.files import write_private
from ecr_sandbox.control.state import Paths


def secret_path(paths: Paths) -> Path:
    return paths.root / "secret"


def ensure_secret(paths: Paths) -> str:
    """The per-sandbox secret (made at the first ``up``): the registries send it with their notifications,
    and the admin calls (fault injection) must carry it."""
    path = secret_path(paths)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, secrets.token_hex(24) + "\n")
    return path.read_text().strip()
