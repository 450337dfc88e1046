"""Host names and trust: the ``/etc/hosts`` lines and ``/etc/docker/certs.d/HOST/ca.crt`` files.

Every line the sandbox adds to /etc/hosts ends with the tag ``# ecr-sandbox`` so ``down`` removes
exactly those. /etc/hosts is rewritten in place (it is often a bind mount that cannot be replaced).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ecr_sandbox.errors import SandboxError
from ecr_sandbox.state import HOSTS_TAG

HOSTS_FILE = Path(os.environ.get("SANDBOX_HOSTS_FILE", "/etc/hosts"))
CERTS_D = Path(os.environ.get("SANDBOX_DOCKER_CERTS_D", "/etc/docker/certs.d"))


def _rewrite(lines_to_add: list[str]) -> None:
    try:
        with open(HOSTS_FILE, "r+") as fh:
            kept = [line for line in fh.read().splitlines() if not line.rstrip().endswith(HOSTS_TAG)]
            new = "\n".join(kept + lines_to_add) + "\n"
            fh.seek(0)
            fh.write(new)
            fh.truncate()
    except PermissionError as exc:
        raise SandboxError(f"cannot write {HOSTS_FILE}: run the sandbox as root") from exc


def set_hosts(mapping: dict[str, str]) -> None:
    """Make /etc/hosts map each host to its address (replacing the sandbox's previous lines)."""
    wanted = [f"{address} {host} {HOSTS_TAG}" for host, address in sorted(mapping.items())]
    current = [line for line in HOSTS_FILE.read_text().splitlines() if line.rstrip().endswith(HOSTS_TAG)]
    if current != wanted:
        _rewrite(wanted)


def clear_hosts() -> None:
    if HOSTS_FILE.exists() and HOSTS_TAG in HOSTS_FILE.read_text():
        _rewrite([])


def _marker(host: str) -> Path:
    return CERTS_D / host / ".ecr-sandbox"


def trust_ca(host: str, ca_cert: Path) -> None:
    """Let the Docker engine trust the sandbox CA for ``host`` (and mark the folder as ours)."""
    folder = CERTS_D / host
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "ca.crt"
        data = ca_cert.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        _marker(host).touch()
    except PermissionError as exc:
        raise SandboxError(f"cannot write {folder}: run the sandbox as root") from exc


def untrust(host: str) -> bool:
    """Remove the certs.d folder of ``host`` if the sandbox made it."""
    folder = CERTS_D / host
    if not _marker(host).exists():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def untrust_all() -> list[str]:
    """Remove every certs.d folder the sandbox made; return their host names."""
    if not CERTS_D.is_dir():
        return []
    return [folder.name for folder in sorted(CERTS_D.iterdir()) if untrust(folder.name)]
