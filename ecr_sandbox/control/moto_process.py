"""Starting, checking and stopping the sandbox's moto process (``ecr_sandbox.moto_ext.server``)."""

from __future__ import annotations

import sys

from ecr_sandbox.control import processes
from ecr_sandbox.common.aws import moto_client
from ecr_sandbox.control.state import Paths

NAME = "moto"
MARKER = "ecr_sandbox.moto_ext.server"


def running(paths: Paths) -> int | None:
    return processes.running_pid(paths, NAME, MARKER)


def ensure_running(paths: Paths, port: int) -> bool:
    """Start moto unless it runs; True when it was started now."""
    if running(paths) is not None:
        return False
    processes.start(paths, NAME, [sys.executable, "-m", MARKER, "--port", str(port), "--state-dir", str(paths.root)])
    return True


def ready(port: int) -> bool:
    return processes.port_answers("127.0.0.1", port)


def warm(endpoint: str, account: str, region: str) -> None:
    """Load moto's lazily imported services once, so the first real call is not slow."""
    moto_client("cloudformation", endpoint, account, region).list_stacks()
    moto_client("ecr", endpoint, account, region).describe_repositories()


def stop(paths: Paths) -> bool:
    return processes.stop(paths, NAME, MARKER)
