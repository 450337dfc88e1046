"""Starting and stopping the gateway process (``ecr_sandbox.registry.gateway``) and writing its config."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

from ecr_sandbox.common import generation
from ecr_sandbox.control import certs, processes, registry_process
from ecr_sandbox.control.files import write_private
from ecr_sandbox.control.secretfile import ensure_secret, secret_path
from ecr_sandbox.control.state import Paths, State

NAME = "gateway"
MARKER = "ecr_sandbox.registry.gateway"


def write_config(paths: Paths, state: State, signer: tuple[Path, Path]) -> None:
    """What the gateway needs (mode 0600); it re-reads this file when it changes (no restart): its TLS
    fronts start and stop with the registries listed here."""
    ensure_secret(paths)
    data = {
        "moto_url": f"http://localhost:{state.moto_port}",
        "accounts": state.accounts,
        "organization": {"id": state.organization_id, "accounts": state.organization_accounts}
        if state.organization_id else None,
        "ca_cert": str(paths.pki_dir / "ca.crt"),
        "signer_cert": str(signer[0]),
        "signer_key": str(signer[1]),
        "secret_file": str(secret_path(paths)),
        "generation_file": str(paths.root / generation.FILE),
        "registries": {
            r.host: {
                "account": r.account,
                "region": r.region,
                "storage": str(paths.registry_dir(r.host) / "storage"),
                "address": r.address,
                "backend_port": registry_process.BACKEND_PORT,
                "tls_cert": str(tls[0]),
                "tls_key": str(tls[1]),
            }
            for r in state.registries
            for tls in [certs.ensure_host_cert(paths.pki_dir, r.host)]
        },
    }
    text = json.dumps(data, indent=2) + "\n"
    if not paths.gateway_config.exists() or paths.gateway_config.read_text() != text:
        write_private(paths.gateway_config, text)


def running(paths: Paths) -> int | None:
    return processes.running_pid(paths, NAME, MARKER)


def ensure_running(paths: Paths, port: int) -> bool:
    """Start the gateway unless it runs; True when it was started now."""
    if running(paths) is not None:
        return False
    processes.start(
        paths, NAME,
        [sys.executable, "-m", MARKER, "--config", str(paths.gateway_config), "--port", str(port)],
    )
    return True


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def stop(paths: Paths) -> bool:
    return processes.stop(paths, NAME, MARKER)
