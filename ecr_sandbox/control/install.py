"""The Debian packages the sandbox runs on, installed when missing (as root) or named (otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ecr_sandbox.control import files
from ecr_sandbox.control.errors import MissingPackageError

# package -> a file it provides that the sandbox uses
PACKAGES = {
    "docker.io": "dockerd",
    "docker-registry": "docker-registry",
    "busybox-static": None,  # checked through dpkg: a dynamic busybox would not run in the base image
}


def _dpkg_installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return status.returncode == 0 and status.stdout.strip().endswith("installed")


def missing_packages() -> list[str]:
    missing = []
    for package, program in PACKAGES.items():
        present = shutil.which(program) is not None if program else (
            shutil.which("dpkg-query") is not None and _dpkg_installed(package)
        )
        if not present:
            missing.append(package)
    return missing


@contextmanager
def _services_not_started() -> Iterator[None]:
    """Keep the packages' init scripts from starting dockerd (with its default bridge network) or a
    registry on :5000 during installation: a temporary policy-rc.d that forbids starting services."""
    policy = Path("/usr/sbin/policy-rc.d")
    if policy.exists():
        yield
        return
    try:  # created here and now (O_EXCL): never writes through a file or link someone put there meanwhile
        files.write_new(policy, b"#!/bin/sh\n# written by the ECR sandbox during apt-get install\nexit 101\n", 0o755)
    except FileExistsError:
        yield
        return
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def ensure_packages(log_file: Path) -> None:
    """apt-get install what is missing (root only); otherwise say exactly what to install."""
    missing = missing_packages()
    if not missing:
        return
    names = " ".join(missing)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise MissingPackageError(
            f"missing Debian package(s) {names}; install them with `sudo apt-get install -y {names}` "
            "(the sandbox installs them itself when run as root on Debian)"
        )
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with open(log_file, "ab") as log, _services_not_started():
        for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
            done = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
            if done.returncode != 0:
                raise MissingPackageError(
                    f"`{' '.join(argv)}` failed (exit {done.returncode}); see {log_file}"
                )
    still = missing_packages()
    if still:
        raise MissingPackageError(f"Debian package(s) {' '.join(still)} still missing after apt-get; see {log_file}")
