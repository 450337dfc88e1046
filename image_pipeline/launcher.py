"""The ``image-pipeline`` console script. ``pip install ecr-registry-as-code`` alone installs only what the
constructs need; without the ``[pipeline]`` extra the script says which extra to install (no traceback), and
``--version`` works either way."""
from __future__ import annotations

import sys

DISTRIBUTION = "ecr-registry-as-code"
_PIPELINE_MODULES = {"botocore", "docker", "yaml", "requests"}


def distribution_version() -> str:
    """This distribution's version, from the installed package metadata."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        print(f"image-pipeline {distribution_version()}")
        return 0
    try:
        from .cli import main as cli_main
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in _PIPELINE_MODULES:
            raise
        print(f"error: image-pipeline needs the '{error.name}' module: pip install '{DISTRIBUTION}[pipeline]'",
              file=sys.stderr)
        return 1
    return cli_main()
