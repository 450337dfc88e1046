"""The platforms the CodeBuild publisher builds natively: the spec's ``publisher.platforms`` and
``PublisherProject(platforms=...)``.

CodeBuild runs Docker only on EC2 compute ("AWS Lambda doesn't support Docker builds or runs", CodeBuild user guide,
"Run builds on AWS Lambda compute"), and its EC2 environments come in two architectures: x86-64
(``LINUX_CONTAINER``) and Arm64 on Graviton (``ARM_CONTAINER``) (CodeBuild user guide, "Build environment compute
modes and types"). So exactly ``linux/amd64`` and ``linux/arm64`` are built natively, without emulation; each
build publishes its platform's image under ``TAG-ARCH`` and a last step puts the index over them under ``TAG``.
"""
from __future__ import annotations

from typing import Any

from ..core.errors import Problems
from ..core.names import show
from . import checks

# platform -> its architecture, which is also the suffix of the tag its single-platform image gets
NATIVE_PLATFORMS: dict[str, str] = {"linux/amd64": "amd64", "linux/arm64": "arm64"}


def platform_problem(value: Any) -> str | None:
    """Why ``value`` is not a platform CodeBuild builds natively (None when it is one)."""
    if isinstance(value, str) and value in NATIVE_PLATFORMS:
        return None
    return (f"{show(value)} is not a platform CodeBuild builds natively: use linux/amd64 (x86-64, LINUX_CONTAINER) "
            "or linux/arm64 (Graviton, ARM_CONTAINER)")


def check_platforms(value: Any, path: str, problems: Problems) -> tuple[str, ...]:
    """The platforms of ``value`` (a list), in its order; one line per bad or repeated entry under ``path``."""
    if isinstance(value, list) and not value:
        problems.add(path, "[] is empty: list linux/amd64 and/or linux/arm64, or leave it out for one image "
                     "per build on x86-64")
        return ()
    return checks.each(value, path, platform_problem, problems)
