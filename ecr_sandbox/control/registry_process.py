"""One CNCF distribution registry (Debian's ``docker-registry``) per (account, region).

Each listens on plain HTTP at ``127.0.0.N:5000`` behind the gateway's TLS front (``ecr_sandbox.registry.front``),
which clients reach at ``127.0.0.N:443`` with a certificate for the real ECR host name. It uses token auth
with the realm ``https://HOST/token`` (served by the front) and notifies the gateway's push bridge of every
manifest push, sending the per-sandbox secret in a header.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from ecr_sandbox.control import processes
from ecr_sandbox.common.faults import SECRET_HEADER
from ecr_sandbox.control.files import write_private
from ecr_sandbox.control.secretfile import ensure_secret
from ecr_sandbox.control.state import Paths, RegistryRecord

PROGRAM = "docker-registry"
BACKEND_PORT = 5000  # on the registry's own 127.0.0.N; the front owns 127.0.0.N:443


def process_name(host: str) -> str:
    return f"registry-{host}"


def write_config(paths: Paths, record: RegistryRecord, gateway_port: int, ca_cert: Path,
                 tls: tuple[Path, Path]) -> tuple[Path, bool]:
    """Write the registry's config (JSON is valid YAML, mode 0600); return its path and whether it changed.
    ``tls`` is served by the front, not by the registry."""

    folder = paths.registry_dir(record.host)
    storage = folder / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    secret_file = folder / "http-secret"
    if not secret_file.exists():
        write_private(secret_file, secrets.token_hex(16))
    gateway = f"http://127.0.0.1:{gateway_port}"
    config = {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(storage)},
            "delete": {"enabled": True},
            "cache": {"blobdescriptor": "inmemory"},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {
            "addr": f"{record.address}:{BACKEND_PORT}",
            "secret": secret_file.read_text().strip(),
            "relativeurls": False,
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
        "auth": {
            "token": {
                "realm": f"https://{record.host}/token",
                "service": record.host,
                "issuer": "ecr-sandbox",
                "rootcertbundle": str(ca_cert),
            }
        },
        "notifications": {
            "endpoints": [
                {
                    "name": "push-bridge",
                    "url": f"{gateway}/events/{record.account}/{record.region}",
                    "headers": {SECRET_HEADER: [ensure_secret(paths)]},
                    "timeout": "5s",
                    "threshold": 3,
                    "backoff": "250ms",
                    "ignoredmediatypes": ["application/octet-stream"],
                    "ignore": {"actions": ["pull"]},
                }
            ]
        },
    }
    path = folder / "config.yml"
    text = json.dumps(config, indent=2) + "\n"
    changed = not path.exists() or path.read_text() != text
    if changed:
        write_private(path, text)
    return path, changed


def running(paths: Paths, record: RegistryRecord) -> int | None:
    return processes.running_pid(paths, process_name(record.host), str(paths.registry_dir(record.host)))


def start(paths: Paths, record: RegistryRecord, config: Path) -> int:
    return processes.start(paths, process_name(record.host), [PROGRAM, "serve", str(config)])


def stop(paths: Paths, host: str) -> bool:
    return bool(stop_all(paths, [host]))


def stop_all(paths: Paths, hosts: list[str]) -> list[str]:
    """Stop the registries of ``hosts`` together; returns the hosts whose registry was running."""
    names = {process_name(host): host for host in hosts}
    stopped = processes.stop_all(paths, [(name, str(paths.registry_dir(host))) for name, host in names.items()])
    return [names[name] for name in stopped]
