"""The ``image-pipeline`` console script. ``pip install ecr-registry-as-code`` alone installs only what the
constructs need; ``--help`` and ``--version`` work anyway, and a command that needs the ``[pipeline]`` extra
says which extra to install (one line, no traceback)."""
from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["--version"]:  # nothing else to import
        from ..core.version import distribution_version
        print(f"image-pipeline {distribution_version()}")
        return 0
    from .main import run_and_exit
    run_and_exit()
    return 0
