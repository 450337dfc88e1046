"""A sandbox registry's filesystem storage: where the exact bytes of a blob or manifest are on disk, and where a
repository's folder (its tags and links) is. (Talking to
a registry over its API is ``ecr_sandbox.registry.client``.)"""

from __future__ import annotations

import re
from pathlib import Path

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def blob_path(storage_root: Path, digest: str) -> Path:
    """Where a registry's filesystem storage keeps a blob (manifests are blobs too). Only ``sha256:`` and
    64 lowercase hex digits are accepted (raises ValueError), so no digest can name another file."""
    if not DIGEST.fullmatch(digest or ""):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    algorithm, _, hexdigest = digest.partition(":")
    return storage_root / "docker/registry/v2/blobs" / algorithm / hexdigest[:2] / hexdigest / "data"


def repository_dir(storage_root: Path, repository: str) -> Path:
    """Where a registry's filesystem storage keeps a repository (its tags and links), resolved. A name that would
    climb out of the repositories folder is refused (raises ValueError)."""
    folder = (storage_root / "docker/registry/v2/repositories" / repository).resolve()
    base = (storage_root / "docker/registry/v2/repositories").resolve()
    if base not in folder.parents:
        raise ValueError(f"not a repository name: {repository!r}")
    return folder
