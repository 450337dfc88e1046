"""The project's one client for the registry HTTP API (the OCI distribution spec): manifests, blobs, uploads.

Used by the registry-to-registry copy (``blobcopy``), by the sandbox's own calls into its registries and by
the tests. Authentication: ``username``/``password`` (basic, what ECR takes: ``AWS`` and the token) or a
ready ``token`` (bearer). A registry answering 401 with a ``Bearer`` challenge (distribution's token auth)
gets the token flow: basic auth at the challenge's realm, which must be ``https`` (credentials are never
sent in clear text), at most ``AUTH_ROUNDS`` times per request (a registry that keeps refusing is an
error, not a loop).

Every socket has a timeout (``timeout``, shortened to what is left of ``deadline``), so a stalled registry
cannot hold a request longer. TLS trusts ``ca_file`` when given, else the CA the Docker engine trusts for
that host (``/etc/docker/certs.d/HOST/ca.crt``) when there is one, else the system's."""
from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
from pathlib import Path
from typing import Any, BinaryIO, Protocol, Sequence
from urllib.parse import urlencode, urljoin, urlsplit

from .deadline import Deadline
from .errors import AuthError, RegistryError

CERTS_DIR = Path("/etc/docker/certs.d")
BLOCK = 1024 * 1024
AUTH_ROUNDS = 2
DEFAULT_TIMEOUT = 60.0
SINGLE_MANIFESTS = ("application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.oci.image.manifest.v1+json")
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class Readable(Protocol):
    def read(self, size: int = -1) -> bytes: ...


class RegistryRequestError(RegistryError, OSError):
    """A registry request failed (also an ``OSError``, like the urllib errors callers used to catch)."""


class RegistryAuthError(AuthError, OSError):
    """The registry or its token realm refused, or the realm is not safe to send credentials to."""


def tls_context(host: str, ca_file: str | Path | None = None) -> ssl.SSLContext:
    if ca_file:
        return ssl.create_default_context(cafile=str(ca_file))
    ca = CERTS_DIR / host / "ca.crt"
    return ssl.create_default_context(cafile=str(ca)) if ca.exists() else ssl.create_default_context()


class RegistryClient:
    """Calls of the registry API against one host (``HOST`` or ``HOST:PORT``, always https)."""

    def __init__(self, host: str, ca_file: str | Path | None = None, token: str | None = None, *,
                 username: str | None = None, password: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 deadline: Deadline | None = None) -> None:
        self.host = host
        self._basic = ("Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
                       if username is not None else None)
        self._auth = f"Bearer {token}" if token else self._basic
        self._timeout = timeout
        self._deadline = deadline
        self._tls = tls_context(host, ca_file)

    def __repr__(self) -> str:
        return f"RegistryClient({self.host!r}, auth=<hidden>)"

    # -- plumbing -------------------------------------------------------------------------------------
    def _socket_timeout(self, what: str) -> float:
        if self._deadline is None:
            return self._timeout
        self._deadline.check(what)
        return self._deadline.timeout(self._timeout)

    def _connection(self, netloc: str, what: str) -> http.client.HTTPSConnection:
        context = self._tls if netloc == self.host else tls_context(netloc.split(":")[0])
        return http.client.HTTPSConnection(netloc, timeout=self._socket_timeout(what), context=context,
                                           blocksize=BLOCK)

    def _bearer(self, challenge: str) -> bool:
        """Fetches a bearer token for a ``WWW-Authenticate: Bearer ...`` challenge; False if not one."""
        if not challenge.lower().startswith("bearer ") or self._basic is None:
            return False
        fields = dict(_CHALLENGE.findall(challenge))
        realm = fields.pop("realm", "")
        if not realm:
            return False
        parts = urlsplit(realm)
        if parts.scheme != "https":
            raise RegistryAuthError(f"{self.host} names the token realm {realm}, which is not https; refusing to "
                                    f"send registry credentials there")
        query = urlencode({k: v for k, v in fields.items() if k in ("service", "scope")})
        what = f"token request to {parts.netloc}"
        connection = self._connection(parts.netloc, what)
        try:
            path = parts.path or "/"
            connection.request("GET", f"{path}?{query}" if query else path, headers={"Authorization": self._basic})
            response = connection.getresponse()
            body = response.read()
        except OSError as error:
            raise RegistryRequestError(f"{what}: {error}", transient=True) from error
        finally:
            connection.close()
        if response.status != 200:
            raise RegistryAuthError(f"{what}: HTTP {response.status} (credentials refused)")
        try:
            answer = json.loads(body)
            self._auth = "Bearer " + str(answer.get("token") or answer["access_token"])
        except (ValueError, KeyError, AttributeError) as error:
            raise RegistryAuthError(f"{what}: the answer holds no token") from error
        return True

    def _send(self, method: str, url: str, headers: dict[str, str], body: Any = None
              ) -> tuple[http.client.HTTPSConnection, http.client.HTTPResponse]:
        parts = urlsplit(url if "://" in url else f"https://{self.host}{url}")
        what = f"{method} {parts.netloc}{parts.path}"
        if parts.scheme != "https":
            raise RegistryRequestError(f"{what}: refusing plain {parts.scheme}")
        connection = self._connection(parts.netloc, what)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers)
        if self._auth and parts.netloc == self.host:
            sent["Authorization"] = self._auth
        try:
            connection.request(method, path, body=body, headers=sent)
            return connection, connection.getresponse()
        except OSError as error:
            connection.close()
            raise RegistryRequestError(f"{what}: {error}", transient=True) from error

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None,
             expect: Sequence[int] = (200,)) -> tuple[int, dict[str, str], bytes]:
        """One request; a 401 with a bearer challenge fetches a token and repeats it (only bodies that can be
        sent again: none or bytes), at most ``AUTH_ROUNDS`` times. Raises on a status outside ``expect``."""
        replayable = body is None or isinstance(body, (bytes, bytearray))
        for round_number in range(AUTH_ROUNDS + 1):
            connection, response = self._send(method, path, headers or {}, body)
            try:
                data = response.read()
            except OSError as error:
                raise RegistryRequestError(f"{method} {self.host}{path.split('?')[0]}: {error}",
                                           transient=True) from error
            finally:
                connection.close()
            if (response.status == 401 and 401 not in expect and replayable and round_number < AUTH_ROUNDS
                    and self._bearer(response.getheader("WWW-Authenticate") or "")):
                continue
            break
        if response.status not in expect:
            message = (f"{method} {self.host}{path.split('?')[0]}: HTTP {response.status} "
                       f"{data[:200].decode(errors='replace')}").rstrip()
            if response.status == 401:
                raise RegistryAuthError(message + " (credentials refused)")
            raise RegistryRequestError(message, transient=response.status >= 500 or response.status == 429)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    # -- the API --------------------------------------------------------------------------------------
    def status(self, path: str = "/v2/") -> int:
        """The HTTP status of a GET (200, 401, ...), without raising for it: e.g. is this login accepted."""
        return self.call("GET", path, expect=range(100, 600))[0]

    def manifest(self, repository: str, reference: str,
                 accept: Sequence[str] = SINGLE_MANIFESTS) -> tuple[bytes, str]:
        _, headers, body = self.call("GET", f"/v2/{repository}/manifests/{reference}", {"Accept": ", ".join(accept)})
        return body, headers.get("content-type", "")

    def has_blob(self, repository: str, digest: str) -> bool:
        status, _, _ = self.call("HEAD", f"/v2/{repository}/blobs/{digest}", expect=(200, 404))
        return status == 200

    def open_blob(self, repository: str, digest: str) -> tuple[http.client.HTTPSConnection, BinaryIO]:
        """A streaming GET of a blob; follows redirects (ECR serves layers from S3) without credentials."""
        url = f"/v2/{repository}/blobs/{digest}"
        for _ in range(3):
            connection, response = self._send("GET", url, {})
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                connection.close()
                url = urljoin(f"https://{self.host}{url}", location)
                continue
            if response.status != 200:
                connection.close()
                raise RegistryRequestError(f"GET {self.host}/v2/{repository}/blobs/{digest[:19]}: HTTP "
                                           f"{response.status}", transient=response.status >= 500)
            return connection, response  # type: ignore[return-value]
        raise RegistryRequestError(f"GET {self.host}/v2/{repository}/blobs/{digest[:19]}: too many redirects")

    def authorize(self, repository: str, actions: str) -> None:
        """Asks for the scope up front (so a streamed body is never sent unauthenticated)."""
        connection, response = self._send("GET", f"/v2/{repository}/tags/list?n=1", {})
        try:
            response.read()
        finally:
            connection.close()
        if response.status == 401:
            challenge = response.getheader("WWW-Authenticate") or ""
            self._bearer(re.sub(r'scope="[^"]*"', f'scope="repository:{repository}:{actions}"', challenge))

    def upload_blob(self, repository: str, digest: str, data: Path | bytes | Readable, size: int | None = None,
                    location: str | None = None) -> None:
        """A monolithic upload (POST, then PUT with the digest) of a file, bytes or a stream of ``size`` bytes.
        ``location``: an upload session already started (what ``mount_blob`` returns when it cannot mount)."""
        if isinstance(data, Path):
            with open(data, "rb") as stream:
                self.upload_blob(repository, digest, stream, data.stat().st_size, location)
            return
        if size is None:
            if not isinstance(data, (bytes, bytearray)):
                raise ValueError("upload_blob needs the size of a stream")
            size = len(data)
        if location is None:
            _, headers, _ = self.call("POST", f"/v2/{repository}/blobs/uploads/", {"Content-Length": "0"},
                                      expect=(202,))
            location = self._own(headers.get("location", ""))
        separator = "&" if "?" in location else "?"
        self.call("PUT", f"{location}{separator}digest={digest}",
                  {"Content-Length": str(size), "Content-Type": "application/octet-stream"}, data, expect=(201,))

    def mount_blob(self, repository: str, digest: str, from_repository: str) -> str | None:
        """Asks the registry to mount ``digest`` from another repository of the same registry (OCI
        distribution spec, "Mounting a blob from another repository"; ECR: "Blob mounting in Amazon ECR",
        registry setting ``BLOB_MOUNTING``). None when mounted (201); else the upload session the registry
        started instead (202), for ``upload_blob(location=...)``."""
        query = urlencode({"mount": digest, "from": from_repository})
        status, headers, _ = self.call("POST", f"/v2/{repository}/blobs/uploads/?{query}", {"Content-Length": "0"},
                                       expect=(201, 202))
        return None if status == 201 else self._own(headers.get("location", ""))

    def _own(self, location: str) -> str:
        """An upload URL on this registry becomes a path (always over https, with our auth)."""
        parts = urlsplit(location)
        if parts.netloc in ("", self.host):
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return location

    def put_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> str:
        """Stores ``manifest`` under ``reference`` (a tag or digest); returns the digest the registry reports."""
        _, headers, _ = self.call("PUT", f"/v2/{repository}/manifests/{reference}", {"Content-Type": media_type},
                                  manifest, expect=(201,))
        return headers.get("docker-content-digest", "")
