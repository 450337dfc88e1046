"""One CNCF distribution registry (Debian's ``docker-registry``) per (account, region).

Each listens on its own loopback address at port 443 with a certificate for the real ECR host name,
uses token auth against the gateway, and notifies the gateway's push bridge of every manifest push.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from ecr_sandbox import processes
from ecr_sandbox.state import Paths, RegistryRecord

PROGRAM = "docker-registry"


def process_name(host: str) -> str:
    return f"registry-{host}"


def write_config(paths: Paths, record: RegistryRecord, gateway_port: int, ca_cert: Path,
                 tls: tuple[Path, Path]) -> tuple[Path, bool]:
    """Write the registry's config (JSON is valid YAML); return its path and whether it changed."""
    folder = paths.registry_dir(record.host)
    storage = folder / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    secret_file = folder / "http-secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(16))
        secret_file.chmod(0o600)
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
            "addr": f"{record.address}:443",
            "secret": secret_file.read_text().strip(),
            "tls": {"certificate": str(tls[0]), "key": str(tls[1])},
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
        "auth": {
            "token": {
                "realm": f"{gateway}/token",
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
        path.write_text(text)
        path.chmod(0o600)
    return path, changed


def running(paths: Paths, record: RegistryRecord) -> int | None:
    return processes.running_pid(paths, process_name(record.host), str(paths.registry_dir(record.host)))


def start(paths: Paths, record: RegistryRecord, config: Path) -> int:
    return processes.start(paths, process_name(record.host), [PROGRAM, "serve", str(config)])


def stop(paths: Paths, host: str) -> bool:
    return processes.stop(paths, process_name(host), str(paths.registry_dir(host)))
