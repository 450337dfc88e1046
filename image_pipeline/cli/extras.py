"""The ``[pipeline]`` extra: the modules a command needs beyond the constructs' install, and the one line
that says how to get them."""
from __future__ import annotations

import sys

from ..core.version import DISTRIBUTION

PIPELINE_MODULES = {"botocore", "docker", "yaml", "requests"}


def missing_extra(error: ModuleNotFoundError) -> bool:
    """Prints the one line for a module of the ``[pipeline]`` extra that is not installed; False otherwise."""
    if (error.name or "").split(".")[0] not in PIPELINE_MODULES:
        return False
    print(f"error: image-pipeline needs the '{error.name}' module: pip install '{DISTRIBUTION}[pipeline]'",
          file=sys.stderr)
    return True
