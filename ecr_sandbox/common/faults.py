"""Fault injection for tests: what a registry host or the ECR API does wrong, for the next N requests.

The faults live in the process that serves the requests: registry faults in the gateway's TLS front
(``ecr_sandbox.registry.front``), API faults in the sandbox's moto process (``ecr_sandbox.moto_ext.server``). Both take
them through an admin call authenticated with the per-sandbox secret (``.sandbox/secret``, mode 0600);
``ecr_sandbox.api.inject_fault`` / ``clear_faults`` make those calls. See docs/sandbox-faults.md.

Registry kinds (``target`` is a registry host name):

- ``blob-5xx``      the next ``count`` blob-upload requests (POST/PATCH/PUT under ``/blobs/uploads/``) are
                    answered ``status`` (default 500) without reaching the registry;
- ``reset``         the next ``count`` blob-upload requests that carry a body are cut off half-way: the
                    client's connection is reset (TCP RST) after about half of the body was forwarded;
- ``stall``         the next ``count`` blob-upload requests get no byte of their answer for ``seconds``;
- ``token-expiry``  the push's credentials stop working after its first completed blob: the next
                    ``count`` requests with them get 403 ``DENIED`` (an expired token); one set of credentials
                    per arming, so credentials fetched after that work;
- ``tamper``        the next ``count`` manifest ``GET``s are answered with one byte more in the manifest
                    (a space after its first ``{``) and the registry's unchanged ``Docker-Content-Digest``:
                    bytes that no longer hash to the digest asked for (what a broken or hostile proxy serves).

API kind (``target`` is ``"api"``):

- ``throttle``      the next ``count`` ECR API calls (only ``operation``'s, e.g. ``DescribeImages``, when
                    given) get HTTP 429 ``ThrottlingException``.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

REGISTRY_KINDS = ("blob-5xx", "reset", "stall", "token-expiry", "tamper")
API_KINDS = ("throttle",)
SECRET_HEADER = "X-Sandbox-Secret"


class FaultError(ValueError):
    """An admin call named an unknown kind or target, or had bad numbers."""


@dataclass
class Fault:
    target: str  # registry host, or "api"
    kind: str
    count: int = 1
    seconds: float = 0.0
    status: int = 500
    operation: str = ""  # api faults: only this ECR operation ("" = any)

    def check(self) -> "Fault":
        kinds = API_KINDS if self.target == "api" else REGISTRY_KINDS
        if self.kind not in kinds:
            raise FaultError(f"kind {self.kind!r} is not one of {', '.join(kinds)} (target {self.target!r})")
        if self.count < 1:
            raise FaultError(f"count must be at least 1, got {self.count}")
        if self.seconds < 0 or (self.kind == "stall" and self.seconds == 0):
            raise FaultError(f"seconds must be positive for stall, got {self.seconds}")
        if not 500 <= self.status <= 599 and self.kind == "blob-5xx":
            raise FaultError(f"status must be a 5xx code, got {self.status}")
        return self


class FaultBook:
    """The armed faults of one process; thread-safe. ``take`` uses up one application of a fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.expired_tokens: dict[str, str] = {}  # token-expiry: credentials it expired -> the registry host

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault.check())

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.expired_tokens.clear()

    def armed(self, target: str, kind: str) -> Fault | None:
        with self._lock:
            return next((f for f in self._faults if f.target == target and f.kind == kind), None)

    def take(self, target: str, kind: str, operation: str = "") -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.target == target and fault.kind == kind and fault.operation in ("", operation):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                        if kind == "token-expiry":  # used up: the credentials it expired work again
                            self.expired_tokens = {a: h for a, h in self.expired_tokens.items() if h != target}
                    return Fault(**asdict(fault))
        return None

    def expire(self, target: str, authorization: str) -> None:
        """``token-expiry`` armed on ``target``: ``authorization`` (the credentials of a push whose first blob just
        completed) expires, unless the fault already expired one. Credentials fetched after that work, as a renewed
        ECR token does, whatever the order in which concurrent uploads complete."""
        with self._lock:
            armed = any(f.target == target and f.kind == "token-expiry" for f in self._faults)
            if armed and target not in self.expired_tokens.values():
                self.expired_tokens[authorization] = target

    def handle_admin(self, method: str, body: bytes) -> tuple[int, dict[str, object]]:
        """``POST`` adds the fault in the JSON body, ``DELETE`` clears all; (status, answer)."""
        if method == "DELETE":
            self.clear()
            return 200, {"cleared": True}
        try:
            raw = json.loads(body or b"{}")
            fault = Fault(target=str(raw["target"]), kind=str(raw["kind"]), count=int(raw.get("count", 1)),
                          seconds=float(raw.get("seconds", 0.0)), status=int(raw.get("status", 500)),
                          operation=str(raw.get("operation", "")))
            self.add(fault)
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"error": str(exc)}
        return 200, {"armed": asdict(fault)}


def read_secret(secret_file: Path) -> str:
    """The per-sandbox secret in ``secret_file``; ``""`` when it cannot be read."""
    try:
        return secret_file.read_text().strip()
    except OSError:
        return ""


def authorized(header: str | None, secret_file: Path) -> bool:
    expected = read_secret(secret_file)
    return bool(header) and bool(expected) and secrets.compare_digest(header or "", expected)


def admin_call(url: str, secret: str, method: str, payload: dict[str, object] | None = None) -> dict[str, object]:
    """One admin request to the gateway or moto; raises FaultError with the server's word on refusal."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={SECRET_HEADER: secret, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise FaultError(f"{url} refused the fault: HTTP {exc.code} {exc.read().decode(errors='replace')}") from exc
