"""The sandbox's own calls to its processes, on paths AWS does not have; each must carry the per-sandbox secret
(``X-Sandbox-Secret``), else 401.

moto (``ecr_sandbox.moto_ext.server`` routes them): ``MOTO_FAULTS`` arms (``POST``) or clears (``DELETE``) API
faults, ``MOTO_SETTINGS`` reads (``GET``) or changes (``POST``) the token lifetime, ``MOTO_LIFECYCLE`` applies every
lifecycle policy now. The gateway: ``GATEWAY_FAULTS`` arms or clears the registry fronts' faults.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable

from ecr_sandbox.common.faults import SECRET_HEADER, authorized

MOTO_FAULTS = "/_sandbox/faults"
MOTO_SETTINGS = "/_sandbox/settings"
MOTO_LIFECYCLE = "/_sandbox/lifecycle"
GATEWAY_FAULTS = "/admin/faults"
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}

# (method, body) -> (HTTP status, JSON answer)
Handler = Callable[[str, bytes], tuple[int, dict[str, Any]]]


def json_answer(start_response: Callable[..., Any], status: int, body: dict[str, Any],
                content_type: str = "application/json") -> Iterable[bytes]:
    """A WSGI answer of ``body`` as JSON."""
    data = json.dumps(body).encode()
    start_response(f"{status} {REASONS.get(status, 'Error')}",
                   [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def route(environ: dict[str, Any], start_response: Callable[..., Any], routes: dict[str, Handler],
          secret_file: Path) -> Iterable[bytes] | None:
    """The answer to an admin call on one of ``routes``' paths; None for any other request."""
    handler = routes.get(environ.get("PATH_INFO", ""))
    if handler is None:
        return None
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if not authorized(environ.get("HTTP_" + SECRET_HEADER.upper().replace("-", "_")), secret_file):
        return json_answer(start_response, 401, {"error": f"{SECRET_HEADER} must carry the sandbox's secret"})
    status, answer = handler(environ.get("REQUEST_METHOD", "GET"), body)
    return json_answer(start_response, status, answer)
