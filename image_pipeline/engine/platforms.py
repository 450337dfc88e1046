"""Building for another platform: which one this machine is, and whether a Dockerfile's ``RUN`` steps would run
instructions of another architecture (they need emulation: QEMU registered with the kernel's ``binfmt_misc``).

A stage whose ``FROM`` says ``--platform=$BUILDPLATFORM`` runs on the machine's own platform (the Dockerfile
reference, "Automatic platform ARGs in the global scope"; the cross-compiling pattern); every other stage runs
on the target platform, so its ``RUN`` steps need the target's architecture or its emulation. ``COPY``,
``ADD`` and the metadata instructions never run anything."""
from __future__ import annotations

import platform as host
import re
from pathlib import Path

from ..oci.media import Platform

BINFMT = Path("/proc/sys/fs/binfmt_misc")
_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
             "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
QEMU_NAMES = {"amd64": "x86_64", "arm64": "aarch64", "arm": "arm", "386": "i386", "ppc64le": "ppc64le",
              "s390x": "s390x", "riscv64": "riscv64"}  # the qemu-user binfmt entries Debian's qemu-user-static registers
_FROM = re.compile(r"^\s*FROM\s", re.IGNORECASE)
_RUN = re.compile(r"^\s*RUN\s", re.IGNORECASE)
_NATIVE = re.compile(r"--platform=\$\{?BUILDPLATFORM\}?", re.IGNORECASE)


def host_architecture() -> str:
    return _MACHINES.get(host.machine().lower(), host.machine().lower())


def runs_foreign_code(dockerfile: str) -> bool:
    """Whether some ``RUN`` step of the Dockerfile runs on the target platform (not ``$BUILDPLATFORM``)."""
    native = False
    for line in dockerfile.replace("\\\n", " ").splitlines():
        if _FROM.match(line):
            native = bool(_NATIVE.search(line))
        elif _RUN.match(line) and not native:
            return True
    return False


def can_run(architecture: str, binfmt: Path = BINFMT) -> bool:
    """This machine's own architecture, or one QEMU is registered for."""
    if architecture == host_architecture():
        return True
    entry = binfmt / f"qemu-{QEMU_NAMES.get(architecture, architecture)}"
    try:
        return entry.exists() and "enabled" in entry.read_text().splitlines()[0]
    except (OSError, IndexError):
        return False


def emulation_problem(dockerfile: str, target: Platform, binfmt: Path = BINFMT) -> str | None:
    """One line when building ``target`` needs an emulator this machine does not have, else None."""
    if not runs_foreign_code(dockerfile) or can_run(target.architecture, binfmt):
        return None
    return (f"building {target} runs RUN steps of {target.architecture}, which this {host_architecture()} machine "
            f"cannot run: install emulation (Debian: apt-get install qemu-user-static binfmt-support; see "
            f"docs/multi-platform.md), or build that platform natively, or cross-compile in a stage "
            f"FROM --platform=$BUILDPLATFORM")
