"""The TLS front of every sandbox registry: what clients reach at ``https://ACCOUNT.dkr.ecr.REGION.amazonaws.com``.

It runs inside the gateway process, one listener per registry on ``127.0.0.N:443`` with the host's
certificate, and forwards each request to that registry's Debian ``docker-registry`` on
``127.0.0.N:5000`` (plain HTTP on loopback), streaming bodies in 1 MiB pieces (never a whole blob in
memory). The front is where the registry answers as ECR does (``ecr_sandbox.model.registry_api``):

- **Authentication as ECR's.** ECR takes its authorization token as HTTP basic credentials (user ``AWS``): no or
  wrong credentials get 401 with a ``Basic`` challenge; an expired token, or the token-expiry fault, 403
  ``denied: Your authorization token has expired. Reauthenticate and try again.``; a token of another region
  400 at ``/v2/`` (``docker login``) and the expired answer elsewhere. The token names the principal
  (``ecr_sandbox.common.credentials``).
- **Access decided as IAM decides**, per request: each request's ECR action (``ecr:BatchGetImage``,
  ``ecr:InitiateLayerUpload``, ...) for the token's principal is decided by the gateway (``decide``: the
  repository and its policy, ``ecr_sandbox.model.iam``); a repository that does not exist is 404
  ``name unknown``; a refusal 403 ``denied`` with IAM's sentence. The registry behind only sees the front's own
  bearer token.
- **Immutable tags at push time.** A manifest ``PUT`` to a tag the repository's tag mutability makes immutable
  (``IMMUTABLE``, ``IMMUTABLE_WITH_EXCLUSION`` unless an exclusion filter matches the tag,
  ``MUTABLE_WITH_EXCLUSION`` when one matches) is refused when the tag already exists, whatever digest it
  names, as ECR refuses it (aws/containers-roadmap#2179, moby/buildkit#3776): HTTP 400, ``TAG_INVALID``,
  ``tag invalid: The image tag 'v1' already exists in the 'team/app' repository and cannot be overwritten because
  the tag is immutable.`` The check and the PUT hold a lock per tag, so of two concurrent pushes one wins.
- **Cross-repository mounts only where ECR mounts.** ECR mounts a blob (``POST .../blobs/uploads/?mount=&from=``)
  only when the registry's account setting ``BLOB_MOUNTING`` is ``ENABLED`` (user guide, "Blob mounting in
  Amazon ECR"); otherwise the front forwards the POST without ``mount`` and ``from``, so the registry starts a
  plain upload (202) as ECR does.
- **Faults** armed through ``ecr_sandbox.common.faults`` (5xx, reset, stall, expired token, tampered manifest)
  for tests.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import re
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ecr_sandbox.common import credentials
from ecr_sandbox.common.faults import FaultBook
from ecr_sandbox.model import limits, registry_api, tags, tokens
from ecr_sandbox.model.registry_api import RegistryRequest

log = logging.getLogger("ecr_sandbox.registry.front")

CHUNK = 1 << 20
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
MANIFEST_PUT = re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)$")
MANIFEST_ACCEPT = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])


def immutable_message(tag: str, repository: str) -> str:
    """ECR's refusal of a manifest PUT that would move an immutable tag (``ecr_sandbox.model.registry_api``)."""
    return registry_api.immutable_tag(tag, repository)


def tag_is_immutable(mutability: str, exclusion_filters: list[dict[str, str]], tag: str) -> bool:
    """ECR's tag mutability for one tag (``ecr_sandbox.model.tags``), on the API's ``[{"filter": ...}]`` shape."""
    return tags.is_immutable(mutability, tags.filter_values(exclusion_filters), tag)


def send_json(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
    """A small JSON answer (the gateway's and the fronts' errors). Every registry answer names the API version,
    as distribution's (and ECR's) do: a client that sees it knows it reached a v2 registry and reports that
    registry's error instead of trying plain http next (the Docker engine does that for loopback addresses).
    The answer to a ``HEAD`` has the headers only (RFC 9110, 9.3.2): a body there would be read as the start of
    the connection's next answer."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Docker-Distribution-API-Version", "registry/2.0")
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if handler.command != "HEAD":  # a HEAD answer has headers only (RFC 9110); a body would corrupt the connection
        handler.wfile.write(data)


@dataclass(frozen=True)
class Refusal:
    """How ECR turns a request away: HTTP status, distribution error code, message (and headers)."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def expired() -> Refusal:
    return Refusal(403, "DENIED", registry_api.EXPIRED)


class Site:
    """One registry behind the front: its host name, account, region, backend address and the gateway's callbacks.

    ``decide(credential, request)``: None when the token's principal may do ``request``, else ECR's refusal.
    ``backend_token(repositories)``: the front's own bearer token for the registry behind.
    ``mutability(repository)``: the repository's tag mutability and exclusion filters (None: no repository).
    ``pulled(repository, digest)``: a client pulled that manifest (ECR records ``lastRecordedPullTime``).
    ``referrers(repository, digest, artifact_type)``: the descriptors of the manifests whose subject is ``digest``.
    ``push_mark()`` before a manifest PUT, then ``push_recorded(repository, digest, tag, mark)`` once the registry
    took it: waits until the ECR API shows that push (the push bridge), so the answer leaves after it does."""

    def __init__(self, host: str, account: str, region: str, backend: tuple[str, int], faults: FaultBook, *,
                 secret: Callable[[], str],
                 decide: Callable[[credentials.Credential, RegistryRequest], Refusal | None],
                 backend_token: Callable[[tuple[str, ...]], str],
                 mutability: Callable[[str], tuple[str, list[dict[str, str]]] | None],
                 blob_mounting: Callable[[], bool] = lambda: False,
                 pulled: Callable[[str, str], None] = lambda repository, digest: None,
                 referrers: Callable[[str, str, str | None], list[dict[str, Any]]] = lambda r, d, t: [],
                 push_mark: Callable[[], int] = lambda: 0,
                 push_recorded: Callable[[str, str, str | None, int], bool] = lambda r, d, t, m: True,
                 clock: Callable[[], float] = time.time) -> None:
        self.host, self.account, self.region, self.backend, self.faults = host, account, region, backend, faults
        self.secret, self.decide, self.backend_token = secret, decide, backend_token
        self.mutability, self.clock, self.pulled, self.referrers = mutability, clock, pulled, referrers
        self.blob_mounting = blob_mounting  # is the registry's BLOB_MOUNTING setting ENABLED? (ECR's default: no)
        self.push_mark, self.push_recorded = push_mark, push_recorded
        self._tag_locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def tag_lock(self, repository: str, tag: str) -> threading.Lock:
        with self._guard:
            return self._tag_locks.setdefault((repository, tag), threading.Lock())

    def authenticate(self, authorization: str, ping: bool) -> credentials.Credential | Refusal:
        """The credential in a ``Basic`` header, or ECR's refusal (see the module docstring)."""
        challenge = {"WWW-Authenticate": registry_api.basic_challenge(self.host)}
        unauthorized = Refusal(401, "UNAUTHORIZED", "Not Authorized", challenge)
        if not authorization.lower().startswith("basic "):
            return unauthorized
        try:
            user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return unauthorized
        if user != tokens.USER:
            return unauthorized
        try:
            credential = credentials.read(self.secret(), password)
        except credentials.BadCredentials:
            return unauthorized
        if credential.region != self.region:
            return Refusal(400, "UNSUPPORTED", "the token was issued for another region") if ping else expired()
        if credential.expired(self.clock()):
            return expired()
        if authorization in self.faults.expired_tokens and self.faults.take(self.host, "token-expiry"):
            return expired()
        return credential

    def upload_target(self, target: str) -> str:
        """The request target of an upload ``POST`` as the registry should see it: without ``mount`` and
        ``from`` unless blob mounting is enabled ("Amazon ECR attempts mounting only when these parameters are
        present", and only when the setting is enabled: user guide, "Blob mounting in Amazon ECR")."""
        url = urlsplit(target)
        query = parse_qsl(url.query, keep_blank_values=True)
        if not any(key == "mount" for key, _ in query) or self.blob_mounting():
            return target
        kept = [(key, value) for key, value in query if key not in ("mount", "from")]
        return urlunsplit(url._replace(query=urlencode(kept)))

    def current_digest(self, repository: str, tag: str) -> str | None:
        """The digest the registry has under ``tag`` (None when the tag is new)."""
        conn = http.client.HTTPConnection(*self.backend, timeout=30)
        try:
            conn.request("HEAD", f"/v2/{repository}/manifests/{tag}", headers={
                "Host": self.host, "Accept": MANIFEST_ACCEPT,
                "Authorization": f"Bearer {self.backend_token((repository,))}"})
            answer = conn.getresponse()
            answer.read()
            return answer.getheader("Docker-Content-Digest") if answer.status == 200 else None
        finally:
            conn.close()

    def refusal(self, repository: str, tag: str) -> str | None:
        """ECR's message when a manifest PUT to ``tag`` would overwrite an immutable tag, else None."""
        setting = self.mutability(repository)
        if setting is None or not tag_is_immutable(setting[0], setting[1], tag):
            return None
        return immutable_message(tag, repository) if self.current_digest(repository, tag) is not None else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 900
    server: "Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s " + format, self.server.site.host, self.address_string(), *args)

    # -- small answers ---------------------------------------------------------------------------
    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        send_json(self, status, body, headers)

    def _registry_error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self._answer(status, registry_api.error_body(code, message), headers)

    def _refuse(self, refusal: Refusal) -> None:
        self._drain()
        self._registry_error(refusal.status, refusal.code, refusal.message, refusal.headers)

    # -- request bodies --------------------------------------------------------------------------
    def _chunked(self) -> bool:
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def _body_pieces(self):  # type: ignore[no-untyped-def]
        """The request body in pieces of at most CHUNK bytes (Content-Length or chunked)."""
        if self._chunked():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                while size:
                    piece = self.rfile.read(min(size, CHUNK))
                    if not piece:
                        raise ConnectionError("client closed mid-body")
                    size -= len(piece)
                    yield piece
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                piece = self.rfile.read(min(remaining, CHUNK))
                if not piece:
                    raise ConnectionError("client closed mid-body")
                remaining -= len(piece)
                yield piece

    def _has_body(self) -> bool:
        return self._chunked() or int(self.headers.get("Content-Length") or 0) > 0

    def _drain(self) -> None:
        for _ in self._body_pieces():
            pass

    # -- dispatch --------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        site = self.server.site
        path = urlsplit(self.path).path
        auth = self.headers.get("Authorization") or ""
        ping = path.rstrip("/") == "/v2"
        credential = site.authenticate(auth, ping)
        if isinstance(credential, Refusal):
            log.info("%s %s on %s refused: %s", self.command, path, site.host, credential.message)
            self._refuse(credential)
            return
        if ping:
            self._drain()
            self._answer(200, {})
            return
        request = registry_api.classify(self.command, path)
        if request is None:
            self._refuse(Refusal(404, "UNSUPPORTED", f"{path} is not part of Amazon ECR's registry API"))
            return
        if request.kind == "blobs" and self.command == "DELETE":  # layers go with their images, never alone
            self._refuse(Refusal(405, "UNSUPPORTED", "The operation is unsupported."))
            return
        refusal = site.decide(credential, request)
        if refusal is not None:
            log.info("%s %s on %s for %s refused: %s", self.command, path, site.host, credential.principal,
                     refusal.message)
            self._refuse(refusal)
            return
        if request.kind == "referrers":
            self._referrers(request)
            return
        upload = request.kind == "blobs/uploads"
        if upload and (fault := site.faults.take(site.host, "blob-5xx")):
            self._refuse(Refusal(fault.status, "UNKNOWN", "injected fault: blob upload failed"))
            return
        repositories = (request.repository,)
        if upload and self.command == "POST":
            self.path = site.upload_target(self.path)
            source = dict(parse_qsl(urlsplit(self.path).query)).get("from")
            if source and site.decide(credential, RegistryRequest(source, "blobs", "", "ecr:GetDownloadUrlForLayer")):
                self.path = urlunsplit(urlsplit(self.path)._replace(query=urlencode(
                    [(k, v) for k, v in parse_qsl(urlsplit(self.path).query) if k not in ("mount", "from")])))
            elif source:
                repositories += (source,)
        bearer = f"Bearer {site.backend_token(repositories)}"
        if request.kind == "manifests" and self.command == "PUT":
            if request.reference.startswith("sha256:"):
                self._put_manifest(request, bearer)
            else:
                with site.tag_lock(request.repository, request.reference):
                    self._put_manifest(request, bearer)
            return
        reset = upload and self._has_body() and site.faults.take(site.host, "reset")
        stall = site.faults.take(site.host, "stall") if upload else None
        pull = request.repository if request.kind == "manifests" and self.command == "GET" else None
        tamper = bool(self.command == "GET" and request.kind == "manifests" and site.faults.take(site.host, "tamper"))
        self._forward(None, bearer, reset=bool(reset), stall=stall.seconds if stall else 0.0, pulled=pull,
                      tamper=tamper)
        if upload and self.command == "PUT" and "digest=" in self.path:
            site.faults.expire(site.host, auth)  # the first blob is complete: with token-expiry armed, it "expires" now

    def _put_manifest(self, request: RegistryRequest, bearer: str) -> None:
        """A manifest PUT (under its tag's lock for a tag): refused when the tag is immutable and exists; the answer
        names the manifest's ``subject`` in ``OCI-Subject`` (OCI distribution spec 1.1, "Pushing Manifests with
        Subject"), so clients know the registry keeps the referrers and need no fallback tag."""
        site = self.server.site
        body = b"".join(self._body_pieces())
        if len(body) > limits.MANIFEST_BYTES:
            self._registry_error(400, "MANIFEST_INVALID", "manifest too large")
            return
        if not request.reference.startswith("sha256:"):
            try:
                refused = site.refusal(request.repository, request.reference)
            except (OSError, http.client.HTTPException) as exc:
                log.warning("cannot check tag mutability of %s: %s", request.repository, exc)
                self._registry_error(503, "UNAVAILABLE", "the sandbox cannot check the tag's mutability")
                return
            if refused:
                log.info("refused overwriting immutable tag %s:%s on %s", request.repository, request.reference,
                         site.host)
                self._registry_error(400, "TAG_INVALID", refused)
                return
        try:
            subject = (json.loads(body).get("subject") or {}).get("digest")
        except (ValueError, AttributeError):
            subject = None
        tag = None if request.reference.startswith("sha256:") else request.reference
        mark = site.push_mark()

        def recorded(digest: str) -> None:  # the ECR API shows the push before the client hears of it
            if not site.push_recorded(request.repository, digest, tag, mark):
                log.warning("%s: the push of %s@%s is not in the ECR API yet; answering anyway", site.host,
                            request.repository, digest)

        self._forward(body, bearer, reset=False, stall=0.0, extra={"OCI-Subject": subject} if subject else None,
                      created=recorded)

    def _referrers(self, request: RegistryRequest) -> None:
        """``GET /v2/NAME/referrers/DIGEST`` (OCI distribution spec 1.1, "Listing Referrers"): an image index of the
        manifests whose subject is DIGEST, filtered by ``artifactType`` when asked (``OCI-Filters-Applied``)."""
        self._drain()
        wanted = dict(parse_qsl(urlsplit(self.path).query)).get("artifactType")
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": self.server.site.referrers(request.repository, request.reference, wanted)}
        data = json.dumps(index).encode()
        self.send_response(200)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Type", "application/vnd.oci.image.index.v1+json")
        self.send_header("Content-Length", str(len(data)))
        if wanted:
            self.send_header("OCI-Filters-Applied", "artifactType")
        self.end_headers()
        self.wfile.write(data)

    # -- forwarding ------------------------------------------------------------------------------
    def _forward(self, body: bytes | None, authorization: str, reset: bool, stall: float,
                 pulled: str | None = None, extra: dict[str, str] | None = None, tamper: bool = False,
                 created: Callable[[str], None] | None = None) -> None:
        site = self.server.site
        conn = http.client.HTTPConnection(*site.backend, timeout=900)
        try:
            conn.connect()
        except OSError as exc:
            # What a load balancer in front of a dead registry answers; nothing reached the registry.
            log.warning("%s is not answering on %s:%d: %s", site.host, *site.backend, exc)
            self.close_connection = True
            self._registry_error(502, "UNAVAILABLE", f"the registry behind {site.host} is not answering",
                                 {"Connection": "close"})
            return
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                lower = key.lower()
                if lower not in HOP_BY_HOP and lower != "authorization" and not (
                        body is not None and lower == "content-length"):
                    conn.putheader(key, value)
            conn.putheader("Authorization", authorization)  # the front's own token: the registry trusts the front
            conn.putheader("X-Forwarded-Proto", "https")
            conn.putheader("X-Forwarded-For", self.client_address[0])
            chunked = body is None and self._chunked()
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            elif chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            if body is not None:
                conn.send(body)
            else:
                self._relay_body(conn, chunked, reset)
                if reset:
                    return
            answer = conn.getresponse()
            if stall:
                time.sleep(stall)
            if pulled and answer.status == 200 and answer.getheader("Docker-Content-Digest"):
                site.pulled(pulled, answer.getheader("Docker-Content-Digest") or "")
            if created and answer.status == 201 and answer.getheader("Docker-Content-Digest"):
                created(answer.getheader("Docker-Content-Digest") or "")
            if tamper and answer.status == 200:
                self._relay_tampered(answer)
            else:
                self._relay_answer(answer, extra if answer.status < 300 else None)
        except (ConnectionError, http.client.HTTPException, socket.timeout) as exc:
            log.warning("%s %s on %s failed: %s", self.command, self.path, site.host, exc)
            self.close_connection = True
        finally:
            conn.close()

    def _relay_body(self, conn: http.client.HTTPConnection, chunked: bool, reset: bool) -> None:
        total = int(self.headers.get("Content-Length") or 0)
        sent = 0
        for piece in self._body_pieces():
            conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
            if reset and (sent >= total // 2 if total else sent >= CHUNK // 16):
                self._reset()
                return
        if chunked:
            conn.send(b"0\r\n\r\n")

    def _reset(self) -> None:
        """Abort the client's connection with a TCP RST (what a crashing proxy or load balancer does)."""
        log.info("injected reset of %s %s on %s", self.command, self.path, self.server.site.host)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw = socket.socket(fileno=self.connection.detach())  # skip the TLS close_notify
            raw.close()
        except OSError:
            pass

    def _relay_tampered(self, answer: http.client.HTTPResponse) -> None:
        """The ``tamper`` fault: the manifest with a space after its first ``{``, every header (the digest among
        them) as the registry sent it, but the length."""
        body = answer.read().replace(b"{", b"{ ", 1)
        log.info("injected tampering of %s on %s", self.path, self.server.site.host)
        self.send_response_only(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _relay_answer(self, answer: http.client.HTTPResponse, extra: dict[str, str] | None = None) -> None:
        self.send_response_only(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        bodyless = self.command == "HEAD" or answer.status in (204, 304) or 100 <= answer.status < 200
        rechunk = not bodyless and answer.chunked
        until_close = not bodyless and not answer.chunked and answer.length is None
        if rechunk:
            self.send_header("Transfer-Encoding", "chunked")
        if until_close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if bodyless:
            answer.read()
            return
        while piece := answer.read1(CHUNK) if rechunk else answer.read(CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if rechunk else piece)
        if rechunk:
            self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    """A threading HTTPS server whose TLS handshake runs in the connection's thread, not in accept()."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: str, context: ssl.SSLContext, site: Site) -> None:
        self.context, self.site = context, site
        super().__init__((address, 443), Handler)

    def finish_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        try:
            request.settimeout(60)
            tls = self.context.wrap_socket(request, server_side=True)
            tls.settimeout(Handler.timeout)
        except (OSError, ssl.SSLError) as exc:
            log.debug("TLS handshake with %s failed: %s", client_address, exc)
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class Fronts:
    """The listeners of every registry in the gateway config, started and stopped as the config changes."""

    def __init__(self, make_site: Callable[[str, dict[str, Any]], Site]) -> None:
        self.make_site = make_site
        self.servers: dict[str, tuple[tuple[str, str, str], Server]] = {}
        self._failed: set[str] = set()

    def sync(self, registries: dict[str, dict[str, Any]]) -> None:
        for host in list(self.servers):
            wanted = registries.get(host)
            key = self.servers[host][0]
            if wanted is None or (wanted["address"], wanted["tls_cert"], wanted["tls_key"]) != key:
                _, server = self.servers.pop(host)
                threading.Thread(target=lambda s=server: (s.shutdown(), s.server_close()), daemon=True).start()
        for host, registry in registries.items():
            if host in self.servers:
                continue
            key = (registry["address"], registry["tls_cert"], registry["tls_key"])
            try:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(registry["tls_cert"], registry["tls_key"])
                server = Server(registry["address"], context, self.make_site(host, registry))
            except OSError as exc:
                if host not in self._failed:
                    log.error("cannot serve %s on %s:443 (will retry): %s", host, registry["address"], exc)
                    self._failed.add(host)
                continue
            self._failed.discard(host)
            self.servers[host] = (key, server)
            threading.Thread(target=server.serve_forever, name=f"front-{host}", daemon=True).start()
            log.info("front for %s on https://%s:443 -> http://%s:%d", host, registry["address"],
                     registry["address"], registry["backend_port"])

    def watch(self, current: Callable[[], dict[str, dict[str, Any]]], every: float = 0.3) -> None:
        """Keep the listeners in step with the config (runs forever in a daemon thread)."""
        def loop() -> None:
            while True:
                try:
                    self.sync(current())
                except Exception:  # noqa: BLE001 - a bad config must not stop the watcher
                    log.exception("front sync failed")
                time.sleep(every)

        threading.Thread(target=loop, name="front-watch", daemon=True).start()
