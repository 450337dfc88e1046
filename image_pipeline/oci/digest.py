"""Content digests (OCI image spec, "Digests"): ``sha256:`` and 64 lowercase hex characters over exact bytes."""
from __future__ import annotations

import hashlib
import re

from ..core.errors import IntegrityError

_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def valid(digest: str) -> bool:
    return _SHA256.fullmatch(digest) is not None


def verify(data: bytes, digest: str, what: str) -> bytes:
    """``data`` when it hashes to ``digest``; else ``IntegrityError`` naming both (nothing is trusted that
    does not match what was asked for)."""
    actual = sha256(data)
    if actual != digest:
        raise IntegrityError(f"{what}: the bytes received hash to {actual}, not {digest}; refusing them")
    return data
