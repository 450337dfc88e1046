"""``inject_fault`` / ``clear_faults``: the Python API that arms the sandbox's faults (docs/sandbox-faults.md).

    from ecr_sandbox import api
    api.inject_fault("111111111111.dkr.ecr.us-east-1.amazonaws.com", "blob-5xx", count=2)
    api.inject_fault(host, "reset")                    # connection reset half-way through the next blob
    api.inject_fault(host, "stall", seconds=30)        # no byte of the next blob upload's answer for 30 s
    api.inject_fault(host, "token-expiry", count=3)    # 403 expired token after the push's first blob
    api.inject_fault("api", "throttle", count=4, operation="DescribeImages")   # 429 ThrottlingException
    api.clear_faults()                                 # disarm everything, in the gateway and in moto
    api.set_token_lifetime(5)                          # tokens handed out from now on expire after 5 s

Each fault applies to the next ``count`` matching requests, then disarms itself. The calls go to the
running sandbox's gateway (registry faults) or moto (``"api"``) with the per-sandbox secret.
"""

from __future__ import annotations

from ecr_sandbox.common.admin import GATEWAY_FAULTS, MOTO_FAULTS, MOTO_LIFECYCLE, MOTO_SETTINGS
from ecr_sandbox.common.faults import FaultError, admin_call
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.secretfile import secret_path
from ecr_sandbox.control.state import Paths, State


def _secret(paths: Paths) -> str:
    try:
        return secret_path(paths).read_text().strip()
    except OSError as exc:
        raise SandboxError("the sandbox is not running (no .sandbox/secret); start it with `make sandbox-up`") from exc


def inject_fault(target: str, kind: str, count: int = 1, seconds: float = 0.0, status: int = 500,
                 operation: str = "", paths: Paths | None = None) -> None:
    """Arm ``kind`` for the next ``count`` matching requests to registry host ``target`` or, with
    ``target="api"``, to the ECR API. Raises SandboxError naming what was wrong."""
    paths = paths or Paths.default()
    state = State.load(paths)
    if target != "api" and target not in {r.host for r in state.registries}:
        known = ", ".join(r.host for r in state.registries) or "none"
        raise SandboxError(f"inject_fault: target {target!r} is neither 'api' nor a sandbox registry ({known})")
    url = (f"http://127.0.0.1:{state.moto_port}{MOTO_FAULTS}" if target == "api"
           else f"http://127.0.0.1:{state.gateway_port}{GATEWAY_FAULTS}")
    payload = {"target": target, "kind": kind, "count": count, "seconds": seconds, "status": status,
               "operation": operation}
    try:
        admin_call(url, _secret(paths), "POST", payload)
    except (FaultError, OSError) as exc:
        raise SandboxError(f"inject_fault: {exc}") from exc


def clear_faults(paths: Paths | None = None) -> None:
    """Disarm every fault in the gateway and in moto."""
    paths = paths or Paths.default()
    state = State.load(paths)
    secret = _secret(paths)
    try:
        admin_call(f"http://127.0.0.1:{state.gateway_port}{GATEWAY_FAULTS}", secret, "DELETE")
        admin_call(f"http://127.0.0.1:{state.moto_port}{MOTO_FAULTS}", secret, "DELETE")
    except (FaultError, OSError) as exc:
        raise SandboxError(f"clear_faults: {exc}") from exc


def set_token_lifetime(seconds: float | None, paths: Paths | None = None) -> None:
    """How long the authorization tokens moto hands out from now on live (``None``: ECR's 12 hours); tokens already
    handed out keep their own expiry. For tests of what clients do when a token expires."""
    paths = paths or Paths.default()
    state = State.load(paths)
    try:
        admin_call(f"http://127.0.0.1:{state.moto_port}{MOTO_SETTINGS}", _secret(paths), "POST",
                   {"token_seconds": seconds})
    except (FaultError, OSError) as exc:
        raise SandboxError(f"set_token_lifetime: {exc}") from exc


def apply_lifecycle_policies(paths: Paths | None = None) -> dict[str, object]:
    """Apply every repository's lifecycle policy now (ECR does it on its own within 24 hours; the sandbox when
    asked): expired images are deleted from the ECR API and the registry, transitioned ones archived. Returns what
    was done, ``{"ACCOUNT/REGION/REPOSITORY": {"expired": [...], "archived": [...]}}``."""
    paths = paths or Paths.default()
    state = State.load(paths)
    try:
        answer = admin_call(f"http://127.0.0.1:{state.moto_port}{MOTO_LIFECYCLE}", _secret(paths), "POST", {})
    except (FaultError, OSError) as exc:
        raise SandboxError(f"apply_lifecycle_policies: {exc}") from exc
    return dict(answer.get("applied") or {})  # type: ignore[arg-type]
