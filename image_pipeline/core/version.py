"""This distribution's name and version (from the installed package metadata)."""
from __future__ import annotations

DISTRIBUTION = "ecr-registry-as-code"


def distribution_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"
