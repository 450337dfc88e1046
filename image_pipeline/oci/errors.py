"""What a failed registry request means: the one place that turns socket, TLS and HTTP failures into a
``RegistryError`` with a plain message and the retry policy's verdict (``transient``).

Transient (another attempt may work): a reset, aborted or broken connection; a truncated answer
(``http.client.IncompleteRead``, a bad or missing status line); a timeout; a TLS failure other than the
certificate check; HTTP 5xx, 408 and 429. Permanent (fails at once): an unknown host, a refused connection, an
unreachable network, a failed TLS verification, and every other 4xx (401 gets one fresh token first, in the
client)."""
from __future__ import annotations

import errno
import http.client
import json
import socket
import ssl

from ..core.errors import AuthError, RegistryError

PERMANENT_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.EACCES}
TRANSIENT_STATUSES = {408, 429}


class RegistryRequestError(RegistryError):
    """A registry request failed; ``status`` is the HTTP status when there was an answer."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, transient=transient)
        self.status, self.code = status, code


class RegistryAuthError(AuthError):
    """The registry refused the credentials, also after a fresh token, or its token realm is unsafe."""


def connection_failure(error: BaseException, host: str, what: str) -> RegistryRequestError:
    """A request that got no (whole) answer, as one line and a verdict."""
    if isinstance(error, socket.gaierror):
        return RegistryRequestError(f"{what}: cannot resolve the host {host} (unknown host: {error.strerror})")
    if isinstance(error, ConnectionRefusedError):
        return RegistryRequestError(f"{what}: {host} refused the connection (nothing listens there)")
    if isinstance(error, ssl.SSLCertVerificationError):
        return RegistryRequestError(f"{what}: TLS verification of {host} failed ({error.verify_message}); "
                                    f"is its CA trusted (/etc/docker/certs.d/{host}/ca.crt)?")
    if isinstance(error, http.client.IncompleteRead):
        return RegistryRequestError(f"{what}: the answer from {host} was cut off after {len(error.partial)} "
                                    f"bytes", transient=True)
    if isinstance(error, (http.client.RemoteDisconnected, http.client.BadStatusLine)):
        return RegistryRequestError(f"{what}: {host} closed the connection without a whole answer",
                                    transient=True)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return RegistryRequestError(f"{what}: {host} did not answer in time (timed out)", transient=True)
    if isinstance(error, OSError) and error.errno in PERMANENT_ERRNOS:
        return RegistryRequestError(f"{what}: {host} is unreachable ({error.strerror or error})")
    if isinstance(error, (OSError, http.client.HTTPException)):
        return RegistryRequestError(f"{what}: connection to {host} failed ({type(error).__name__}: "
                                    f"{error or 'no message'})", transient=True)
    raise error


def registry_message(body: bytes) -> tuple[str | None, str]:
    """The distribution spec's error body (``{"errors": [{"code", "message"}]}``) as (code, text)."""
    try:
        errors = json.loads(body).get("errors") or []
        first = errors[0]
        code = str(first.get("code") or "") or None
        return code, f"{(code or '').lower().replace('_', ' ')}: {first.get('message') or ''}".strip(": ")
    except (ValueError, AttributeError, IndexError, TypeError):
        return None, body[:200].decode(errors="replace").strip()


def token_expired(status: int, body: bytes) -> bool:
    """ECR's answer to an expired authorization token: ``denied: Your authorization token has expired.
    Reauthenticate and try again.`` (HTTP 403)."""
    return status in (401, 403) and b"token has expired" in body.lower()


def status_failure(method: str, host: str, path: str, status: int, body: bytes) -> RegistryRequestError:
    code, text = registry_message(body)
    text = text or http.client.responses.get(status, "")  # a HEAD, or a bodyless answer: the status's name
    message = f"{method} {host}{path.split('?')[0]}: HTTP {status}" + (f" {text}" if text else "")
    return RegistryRequestError(message, transient=status >= 500 or status in TRANSIENT_STATUSES, status=status,
                                code=code)
