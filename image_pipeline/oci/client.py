"""The project's one client for the registry HTTP API (OCI distribution spec v1.1): manifests, blobs, chunked
and resumable uploads, cross-repository mounts and referrers.

Authentication: ``credentials`` gives a user name and password (ECR: ``AWS`` and the authorization token),
sent as HTTP Basic as ECR takes them. A registry answering 401 with a ``Bearer`` challenge (distribution's
token auth) gets the token flow: those credentials at the challenge's realm, which must be ``https``
(credentials are never sent in clear text), at most ``AUTH_ROUNDS`` times per request. When the registry
still refuses, or says the token expired (ECR: HTTP 403 ``Your authorization token has expired``),
``credentials.renew`` is asked once for a fresh token and the request is sent again; a second refusal is a
permanent ``RegistryAuthError``.

Every request first checks the deadline (so after an interrupt no new request starts), every socket has a
timeout no longer than what is left, and a request blocked on a socket registers the socket with
``core.cancel`` so an interrupt closes it at once. Connections are kept alive and reused per host. Failures
are classified once, in ``oci.errors``. TLS trusts ``ca_file`` when given, else the CA the Docker engine
trusts for that host (``/etc/docker/certs.d/HOST/ca.crt``, docker's convention for private registries)
when there is one, else the system's."""
from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import ssl
import threading
from pathlib import Path
from typing import Any, BinaryIO, Callable, Protocol, Sequence, Union
from urllib.parse import urlencode, urljoin, urlsplit

from ..core import cancel
from ..core.deadline import Deadline
from ..core.errors import IntegrityError
from . import media
from .digest import sha256, verify
from .errors import (RegistryAuthError, RegistryRequestError, connection_failure, status_failure,
                     token_expired)

CERTS_DIR = Path("/etc/docker/certs.d")
BLOCK = 1024 * 1024
AUTH_ROUNDS = 2
DEFAULT_TIMEOUT = 60.0
MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # ECR's manifest size limit (user guide, "Amazon ECR service quotas")
IDLE_PER_HOST = 8
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class Readable(Protocol):
    def read(self, size: int = -1) -> bytes: ...


# A request body: nothing, bytes, or a function that opens it afresh (so it can be sent again).
Body = Union[None, bytes, Callable[[], Readable]]


class Credentials(Protocol):
    def current(self) -> tuple[str, str]:
        """(user name, password) to use now."""
        ...

    def renew(self, stale: tuple[str, str]) -> bool:
        """The registry refused ``stale``: get fresh ones; False when none can be had."""
        ...


class Fixed:
    """Credentials that never change (a test registry, a login someone else manages)."""

    def __init__(self, username: str, password: str) -> None:
        self._pair = (username, password)

    def __repr__(self) -> str:
        return f"Fixed({self._pair[0]!r}, <hidden>)"

    def current(self) -> tuple[str, str]:
        return self._pair

    def renew(self, stale: tuple[str, str]) -> bool:
        return False


def tls_context(host: str, ca_file: str | Path | None = None) -> ssl.SSLContext:
    if ca_file:
        return ssl.create_default_context(cafile=str(ca_file))
    ca = CERTS_DIR / host / "ca.crt"
    return ssl.create_default_context(cafile=str(ca)) if ca.exists() else ssl.create_default_context()


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection that checks ``check`` (the deadline, hence an interrupt) between the TCP connect and
    the TLS handshake: an interrupt that came while it connected cannot leave it blocked in the handshake
    (once the socket exists, ``core.cancel`` shuts it down)."""

    def __init__(self, netloc: str, *, check: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(netloc, **kwargs)
        self._check = check

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self._check()
        # the handshake runs on the wrapped socket once it is ``self.sock``, where an interrupt can shut it down
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host,  # type: ignore[attr-defined]
                                              do_handshake_on_connect=False)
        self.sock.do_handshake()


class _Sending:
    """A request body read through ``check`` (deadline, interrupt) and ``on_bytes`` (progress)."""

    def __init__(self, stream: Readable, check: Callable[[], None], on_bytes: Callable[[int], None]) -> None:
        self._stream, self._check, self._on_bytes = stream, check, on_bytes

    def read(self, size: int = -1) -> bytes:
        self._check()
        data = self._stream.read(size)
        if data:
            self._on_bytes(len(data))
        return data


class Response:
    """A finished exchange: status, headers (lower-case names) and the whole body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


class RegistryClient:
    """Calls of the registry API against one host (``HOST`` or ``HOST:PORT``, always https)."""

    def __init__(self, host: str, credentials: Credentials | None = None, *, ca_file: str | Path | None = None,
                 timeout: float = DEFAULT_TIMEOUT, deadline: Deadline | None = None) -> None:
        self.host = host
        self._credentials = credentials
        self._timeout = timeout
        self.deadline = deadline or Deadline()
        self._ca_file = ca_file
        self._tls = tls_context(host, ca_file)
        self._bearer: str | None = None
        self._idle: list[http.client.HTTPSConnection] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RegistryClient({self.host!r}, auth=<hidden>)"

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- connections ----------------------------------------------------------------------------------
    def _connect(self, netloc: str, what: str) -> http.client.HTTPSConnection:
        self.deadline.check(what)  # no new request after an interrupt or past the limit
        context = self._tls if netloc == self.host else tls_context(netloc.split(":")[0])
        return _Connection(netloc, check=lambda: self.deadline.check(what), timeout=self.deadline.timeout(self._timeout),
                           context=context, blocksize=BLOCK)

    def _take(self, what: str) -> tuple[http.client.HTTPSConnection, bool]:
        self.deadline.check(what)
        with self._lock:
            if self._idle:
                connection = self._idle.pop()
                if connection.sock is not None:
                    connection.sock.settimeout(self.deadline.timeout(self._timeout))
                return connection, True
        return self._connect(self.host, what), False

    def _give_back(self, connection: http.client.HTTPSConnection, response: http.client.HTTPResponse) -> None:
        if response.will_close:
            connection.close()
            return
        with self._lock:
            if len(self._idle) < IDLE_PER_HOST:
                self._idle.append(connection)
                return
        connection.close()

    @staticmethod
    def _closer(connection: http.client.HTTPConnection) -> Callable[[], None]:
        def close() -> None:
            sock = connection.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        return close

    # -- authentication -------------------------------------------------------------------------------
    def _authorization(self, netloc: str) -> str | None:
        if netloc != self.host:
            return None  # never send credentials to another host (ECR serves layers from S3)
        if self._bearer:
            return f"Bearer {self._bearer}"
        if self._credentials is None:
            return None
        username, password = self._credentials.current()
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def _token_flow(self, challenge: str, scopes: Sequence[str]) -> bool:
        """A bearer token for a ``WWW-Authenticate: Bearer ...`` challenge; False when it is not one."""
        if not challenge.lower().startswith("bearer ") or self._credentials is None:
            return False
        fields = dict(_CHALLENGE.findall(challenge))
        realm = fields.pop("realm", "")
        if not realm:
            return False
        parts = urlsplit(realm)
        if parts.scheme != "https":
            raise RegistryAuthError(f"{self.host} names the token realm {realm}, which is not https; refusing to "
                                    f"send registry credentials there")
        query = [("service", fields["service"])] if "service" in fields else []
        for scope in dict.fromkeys([*([fields["scope"]] if "scope" in fields else []), *scopes]):
            query.append(("scope", scope))
        what = f"token request to {parts.netloc}"
        username, password = self._credentials.current()
        connection = self._connect(parts.netloc, what)
        basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        try:
            with cancel.holding(self._closer(connection)):
                path = (parts.path or "/") + (f"?{urlencode(query)}" if query else "")
                connection.request("GET", path, headers={"Authorization": basic})
                response = connection.getresponse()
                body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.deadline.check(what)
            raise connection_failure(error, parts.netloc, what) from error
        finally:
            connection.close()
        if response.status != 200:
            return False
        try:
            answer = json.loads(body)
            self._bearer = str(answer.get("token") or answer["access_token"])
        except (ValueError, KeyError, AttributeError) as error:
            raise RegistryAuthError(f"{what}: the answer holds no token") from error
        return True

    # -- one request ----------------------------------------------------------------------------------
    def _exchange(self, method: str, url: str, headers: dict[str, str], body: Body,
                  on_bytes: Callable[[int], None], stream: bool = False
                  ) -> tuple[http.client.HTTPSConnection, http.client.HTTPResponse, bytes | None]:
        parts = urlsplit(url if "://" in url else f"https://{self.host}{url}")
        what = f"{method} {parts.netloc}{parts.path}"
        if parts.scheme != "https":
            raise RegistryRequestError(f"{what}: refusing plain {parts.scheme}")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers)
        authorization = self._authorization(parts.netloc)
        if authorization:
            sent["Authorization"] = authorization
        for fresh_try in (False, True):
            if parts.netloc == self.host:
                connection, reused = self._take(what) if not fresh_try else (self._connect(self.host, what), False)
            else:
                connection, reused = self._connect(parts.netloc, what), False
            payload: Any = body() if callable(body) else body
            if payload is not None and not isinstance(payload, (bytes, bytearray)):
                payload = _Sending(payload, lambda: self.deadline.check(what), on_bytes)
            try:
                with cancel.holding(self._closer(connection)):
                    connection.request(method, target, body=payload, headers=sent)
                    response = connection.getresponse()
                    data = None if stream else response.read()
                if not stream:
                    if parts.netloc == self.host:
                        self._give_back(connection, response)
                    else:
                        connection.close()
                return connection, response, data
            except BaseException as error:
                connection.close()
                if not isinstance(error, (OSError, http.client.HTTPException)):
                    raise  # the body failed (content shorter than announced), an interrupt: no answer to read
                self.deadline.check(what)  # interrupted or out of time: say that, not the broken socket
                # a kept-alive connection the server had closed meanwhile: sent again on a new one, but only
                # without a body (a body that was cut off may have partly arrived: the caller asks where it stands)
                stale = reused and not payload and isinstance(error, (ConnectionResetError, BrokenPipeError,
                                                                      http.client.RemoteDisconnected))
                if stale and not fresh_try:
                    continue
                raise connection_failure(error, parts.netloc, what) from error
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: Body = None,
                expect: Sequence[int] = (200,), scopes: Sequence[str] = (),
                on_bytes: Callable[[int], None] = lambda count: None) -> Response:
        """One request with the authentication dance; raises on a status outside ``expect``."""
        renewed = False
        rounds = 0
        while True:
            stale = self._credentials.current() if self._credentials else None
            connection, response, data = self._exchange(method, path, headers or {}, body, on_bytes)
            assert data is not None
            answer = Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
            # ECR answers an expired token with 403 "Your authorization token has expired"; a HEAD carries no
            # body to say so, so a 403 there gets the one fresh token too (at worst one token fetch more)
            refused = answer.status == 401 or token_expired(answer.status, data) or (
                method == "HEAD" and answer.status == 403)
            if refused and answer.status not in expect:
                challenge = answer.header("www-authenticate")
                if (answer.status == 401 and rounds < AUTH_ROUNDS and not token_expired(answer.status, data)
                        and self._token_flow(challenge, scopes)):
                    rounds += 1
                    continue
                if not renewed and self._credentials is not None and stale is not None \
                        and self._credentials.renew(stale):
                    renewed, rounds, self._bearer = True, 0, None
                    continue
                failure = status_failure(method, self.host, path, answer.status, data)
                raise RegistryAuthError(f"{failure} (credentials refused{', also after a fresh token' if renewed else ''})")
            if answer.status not in expect:
                raise status_failure(method, self.host, path, answer.status, data)
            return answer

    # -- the API --------------------------------------------------------------------------------------
    def status(self, path: str = "/v2/") -> int:
        """The HTTP status of a GET (200, 401, ...), without raising for it: e.g. is this login accepted."""
        return self.request("GET", path, expect=range(100, 600)).status

    def has_blob(self, repository: str, digest: str) -> bool:
        return self.request("HEAD", f"/v2/{repository}/blobs/{digest}", expect=(200, 404)).status == 200

    def manifest(self, repository: str, reference: str,
                 accept: Sequence[str] = media.MANIFESTS) -> tuple[bytes, str, str]:
        """(bytes, media type, digest) of a manifest; by digest, the bytes are verified against it."""
        answer = self.request("GET", f"/v2/{repository}/manifests/{reference}", {"Accept": ", ".join(accept)})
        body = answer.body
        if len(body) > MAX_MANIFEST_BYTES:
            raise IntegrityError(f"{self.host}/{repository}@{reference}: a manifest of {len(body)} bytes is over "
                                 f"the {MAX_MANIFEST_BYTES} byte limit")
        if reference.startswith("sha256:"):
            verify(body, reference, f"manifest {self.host}/{repository}@{reference}")
        digest = sha256(body)
        claimed = answer.header("docker-content-digest")
        if claimed and claimed != digest:
            raise IntegrityError(f"manifest {self.host}/{repository}:{reference}: the registry says {claimed}, "
                                 f"the bytes hash to {digest}")
        return body, answer.header("content-type").split(";")[0].strip(), digest

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """The digest a tag (or digest) points at, from a HEAD; None when there is none."""
        answer = self.request("HEAD", f"/v2/{repository}/manifests/{reference}",
                              {"Accept": ", ".join(media.MANIFESTS)}, expect=(200, 404))
        return answer.header("docker-content-digest") or None if answer.status == 200 else None

    def put_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> str:
        """Stores ``manifest`` under ``reference`` (a tag or its digest); returns its digest, which the registry
        must confirm."""
        return self.store_manifest(repository, reference, manifest, media_type)[0]

    def store_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> tuple[str, bool]:
        """``put_manifest``, and whether the registry said it indexed the manifest's ``subject`` (the
        ``OCI-Subject`` header of distribution spec v1.1, "Pushing Manifests with Subject"): when it did not, the
        client keeps the referrers tag itself."""
        digest = sha256(manifest)
        answer = self.request("PUT", f"/v2/{repository}/manifests/{reference}", {"Content-Type": media_type},
                              manifest, expect=(201,))
        stored = answer.header("docker-content-digest")
        if stored and stored != digest:
            raise IntegrityError(f"{self.host}/{repository}:{reference} was stored at {stored}, not {digest}")
        return digest, bool(answer.header("oci-subject"))

    def open_blob(self, repository: str, digest: str, offset: int = 0) -> tuple[Callable[[], None], BinaryIO]:
        """A streaming GET of a blob (from ``offset``); follows redirects (ECR serves layers from S3) without
        credentials. Returns (close, stream)."""
        url = f"/v2/{repository}/blobs/{digest}"
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        for _ in range(4):
            connection, response, _ = self._exchange("GET", url, headers, None, lambda count: None, stream=True)
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                connection.close()
                url = urljoin(f"https://{self.host}{url}", location)
                continue
            if response.status not in ((206,) if offset else (200,)):
                body = response.read(4096)
                connection.close()
                raise status_failure("GET", self.host, f"/v2/{repository}/blobs/{digest[:19]}", response.status, body)
            sock_closer = self._closer(connection)

            def close() -> None:
                sock_closer()
                connection.close()
            return close, response  # type: ignore[return-value]
        raise RegistryRequestError(f"GET {self.host}/v2/{repository}/blobs/{digest[:19]}: too many redirects")

    # -- uploads (distribution spec: "Pushing a blob in chunks", "Mounting a blob") ---------------------------
    def start_upload(self, repository: str, mount: str | None = None, source: str | None = None) -> str | None:
        """Opens an upload session; with ``mount``/``source`` asks for a cross-repository mount first. None
        when the blob was mounted (201); else the session's location (202)."""
        query = f"?{urlencode({'mount': mount, 'from': source})}" if mount and source else ""
        scopes = [f"repository:{repository}:pull,push"] + ([f"repository:{source}:pull"] if source else [])
        answer = self.request("POST", f"/v2/{repository}/blobs/uploads/{query}", {"Content-Length": "0"},
                              expect=(201, 202), scopes=scopes)
        if answer.status == 201:
            return None
        location = answer.header("location")
        if not location:
            raise RegistryRequestError(f"POST {self.host}/v2/{repository}/blobs/uploads/: no Location in the answer",
                                       transient=True)
        return self._own(location)

    def upload_status(self, location: str) -> int:
        """How many bytes of the session the registry holds (from its ``Range: 0-N`` answer), or raises
        ``RegistryRequestError`` with status 404 when the session is gone."""
        answer = self.request("GET", location, expect=(204,))
        taken = answer.header("range")
        if not taken:
            return 0
        try:
            return int(taken.replace("bytes=", "").split("-", 1)[1]) + 1
        except (IndexError, ValueError):
            raise RegistryRequestError(f"{self.host}: unreadable upload Range {taken!r}", transient=True) from None

    def upload_part(self, location: str, opener: Callable[[int], Readable], start: int, length: int,
                    on_bytes: Callable[[int], None] = lambda count: None) -> str:
        """Sends bytes ``start .. start+length-1`` (``opener(start)`` reads them) as one PATCH; returns the
        session's next location."""
        def body() -> Readable:
            return _Limited(opener(start), length)
        answer = self.request("PATCH", location, {"Content-Type": "application/octet-stream",
                                                  "Content-Range": f"{start}-{start + length - 1}",
                                                  "Content-Length": str(length)}, body, expect=(202,),
                              on_bytes=on_bytes)
        return self._own(answer.header("location") or location)

    def finish_upload(self, location: str, digest: str) -> None:
        """Closes the session: the registry checks that what it holds hashes to ``digest``."""
        separator = "&" if "?" in location else "?"
        self.request("PUT", f"{location}{separator}{urlencode({'digest': digest})}", {"Content-Length": "0"},
                     b"", expect=(201,))

    def abandon_upload(self, location: str) -> None:
        try:
            self.request("DELETE", location, expect=(204, 404))
        except Exception:  # noqa: BLE001 - best effort: the registry expires abandoned sessions anyway
            pass

    def _own(self, location: str) -> str:
        """An upload URL on this registry becomes a path (always over https, with our auth)."""
        parts = urlsplit(location)
        if parts.netloc in ("", self.host):
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return location

    # -- referrers (OCI distribution spec v1.1, "Listing Referrers") -----------------------------------------
    def referrers(self, repository: str, digest: str) -> list[media.Descriptor]:
        """The manifests whose ``subject`` is ``digest``: from the referrers API (``GET /v2/NAME/referrers/DIGEST``),
        or, where the registry has none (404), from the referrers tag (``sha256-HEX``) clients keep instead
        (distribution spec v1.1, "Listing Referrers" and "Referrers Tag Schema")."""
        answer = self.request("GET", f"/v2/{repository}/referrers/{digest}", {"Accept": media.OCI_INDEX},
                              expect=(200, 404))
        if answer.status == 200 and answer.header("content-type").split(";")[0].strip() == media.OCI_INDEX:
            return list(media.parse(answer.body, media.OCI_INDEX).manifests)
        return list(self.referrers_tag(repository, digest)[0])

    def referrers_tag(self, repository: str, digest: str) -> tuple[tuple[media.Descriptor, ...], bytes | None]:
        """The referrers the fallback tag lists, and its index's bytes (None when there is no such tag)."""
        tag = referrers_tag(digest)
        answer = self.request("GET", f"/v2/{repository}/manifests/{tag}", {"Accept": media.OCI_INDEX},
                              expect=(200, 404))
        if answer.status == 404:
            return (), None
        return media.parse(answer.body, media.OCI_INDEX).manifests, answer.body


def referrers_tag(digest: str) -> str:
    """The fallback tag of ``digest``'s referrers: ``<alg>-<hex>``, at most 128 characters."""
    return digest.replace(":", "-", 1)[:128]


class _Limited:
    """Exactly ``length`` bytes of ``stream``: a stream that ends sooner is an error at once (the request is
    abandoned), never a request the registry waits on until its socket times out."""

    def __init__(self, stream: Readable, length: int) -> None:
        self._stream, self._left, self._length = stream, length, length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            close = getattr(self._stream, "close", None)
            if close:
                close()
            return b""
        data = self._stream.read(self._left if size < 0 else min(size, self._left))
        if not data:
            raise IntegrityError(f"the content ended after {self._length - self._left} of its {self._length} bytes")
        self._left -= len(data)
        return data
