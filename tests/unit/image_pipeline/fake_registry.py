"""A small registry for unit tests: a real HTTPS server on 127.0.0.1 (a throwaway CA), speaking the OCI
distribution spec v1.1 as written ("Pulling manifests", "Pushing blobs", "Pushing a blob in chunks",
"Mounting a blob from another repository", "Pushing manifests", "Listing referrers"), so the one registry
client and the transfer engine are tested over real sockets, with faults a test arms:

- ``fail(method, pattern, status, count)``: answer ``status`` (a JSON error body) to matching requests;
- ``reset(pattern, count)``: take half of a matching request's body, keep it (as a registry that stores what
  it received), then drop the connection;
- ``truncate(pattern, count)``: answer with a ``Content-Length`` and only half of the body;
- ``tamper(reference)``: serve a manifest with one byte changed (the digest header unchanged);
- ``expire(status)``: the current password stops working (401, or ECR's 403 "Your authorization token has
  expired"); ``password`` is the one accepted after that;
- ``use_bearer(realm)``: distribution's token auth instead of ECR's Basic ("Docker Registry v2 authentication via
  central service"): a 401 names the realm (``https://HOST/token`` by default), which hands out tokens for the
  password; ``state.worthless_tokens`` makes it hand out tokens the registry then refuses.

Every request is recorded in ``requests`` as (method, path)."""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

INDEXES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_ca(directory: Path) -> tuple[Path, Path, Path]:
    """(ca.crt, server.crt, server.key) for 127.0.0.1, made with ``cryptography``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake registry test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.crt", directory / "server.crt", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Fault:
    kind: str
    method: str
    pattern: re.Pattern[str]
    count: int
    status: int = 500
    then: Callable[[], None] | None = None  # what else happens when it fires (e.g. another store catches up)


@dataclass
class State:
    username: str = "AWS"
    password: str = "secret"
    expired_status: int = 401
    refused: set[str] = field(default_factory=set)  # passwords that expired
    mounts: bool = True
    blobs: dict[str, bytes] = field(default_factory=dict)
    holds: dict[str, set[str]] = field(default_factory=dict)  # repository -> blob digests
    uploads: dict[str, tuple[str, bytearray]] = field(default_factory=dict)  # uuid -> (repository, bytes)
    manifests: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)  # (repo, digest)
    tags: dict[tuple[str, str], str] = field(default_factory=dict)  # (repo, tag) -> digest
    referrers_api: bool = True  # the referrers API and OCI-Subject on a PUT; False: a 404 (clients keep the tag)
    bearer_realm: str | None = None  # token auth at this realm instead of Basic
    tokens: set[str] = field(default_factory=set)
    worthless_tokens: bool = False
    faults: list[Fault] = field(default_factory=list)
    on_manifest: Callable[[str, str, str, bytes], None] | None = None  # (repository, reference, digest, body)
    tampered: set[str] = field(default_factory=set)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, method: str, path: str, kinds: tuple[str, ...]) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind in kinds and fault.method in (method, "*") and fault.pattern.search(path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "Server"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    @property
    def state(self) -> State:
        return self.server.state

    # -- answers ------------------------------------------------------------------------------------
    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self.answer(status, json.dumps({"errors": [{"code": code, "message": message}]}).encode(),
                    {"Content-Type": "application/json", **(headers or {})})

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # -- dispatch -----------------------------------------------------------------------------------
    def handle_one(self) -> None:
        state = self.state
        with state.lock:
            state.requests.append((self.command, self.path))
        auth = self.headers.get("Authorization") or ""
        expected = "Basic " + base64.b64encode(f"{state.username}:{state.password}".encode()).decode()
        if state.bearer_realm is not None:
            if urlsplit(self.path).path == "/token":
                self.give_token(auth == expected)
                return
            if auth.removeprefix("Bearer ") not in state.tokens:
                self.body()
                name = (re.match(r"/v2/(.+?)/(?:blobs|manifests|tags|referrers)/", self.path) or [None, ""])[1]
                self.error(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": (
                    f'Bearer realm="{state.bearer_realm}",service="fake",scope="repository:{name}:pull,push"')})
                return
        elif auth != expected:
            self.body()
            refused = auth.startswith("Basic ") and base64.b64decode(auth[6:]).decode().split(":", 1)[-1] in state.refused
            if refused and state.expired_status == 403:
                self.error(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.")
            else:
                self.error(401, "UNAUTHORIZED", "authentication required",
                           {"WWW-Authenticate": 'Basic realm="https://fake/",service="fake"'})
            return
        fault = state.take(self.command, self.path, ("status",))
        if fault is not None:
            self.body()
            if fault.then is not None:
                fault.then()
            self.error(fault.status, "UNKNOWN" if fault.status >= 500 else "DENIED", "injected fault")
            return
        path = urlsplit(self.path).path
        if path == "/v2/":
            self.answer(200, b"{}")
            return
        for pattern, handler in ROUTES:
            found = re.fullmatch(pattern, path)
            if found and self.command in handler:
                handler[self.command](self, **found.groupdict())
                return
        self.error(404, "NOT_FOUND", f"no route for {self.command} {path}")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one  # noqa: N815

    def give_token(self, allowed: bool) -> None:
        if not allowed:
            self.error(401, "UNAUTHORIZED", "bad credentials")
            return
        token = uuid.uuid4().hex
        if not self.state.worthless_tokens:
            self.state.tokens.add(token)
        self.answer(200, json.dumps({"token": token}).encode(), {"Content-Type": "application/json"})

    # -- blobs --------------------------------------------------------------------------------------
    def get_blob(self, name: str, digest: str) -> None:
        if digest not in self.state.holds.get(name, set()):
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
            return
        data = self.state.blobs[digest]
        if self.state.take(self.command, self.path, ("truncate",)) and self.command == "GET":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.answer(200, data, {"Docker-Content-Digest": digest, "Content-Type": "application/octet-stream"})

    def start_upload(self, name: str) -> None:
        self.body()
        query = parse_qs(urlsplit(self.path).query)
        mount, source = (query.get("mount") or [None])[0], (query.get("from") or [None])[0]
        state = self.state
        if mount and source and state.mounts and mount in state.holds.get(source, set()):
            state.holds.setdefault(name, set()).add(mount)
            self.answer(201, headers={"Location": f"/v2/{name}/blobs/{mount}", "Docker-Content-Digest": mount})
            return
        session = uuid.uuid4().hex
        state.uploads[session] = (name, bytearray())
        self.answer(202, headers={"Location": f"/v2/{name}/blobs/uploads/{session}", "Range": "0-0",
                                  "Docker-Upload-UUID": session})

    def upload_status(self, name: str, session: str) -> None:
        found = self.state.uploads.get(session)
        if found is None:
            self.error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
            return
        size = len(found[1])
        self.answer(204, headers={"Location": f"/v2/{name}/blobs/uploads/{session}",
                                  "Range": f"0-{max(size - 1, 0)}", "Docker-Upload-UUID": session})

    def patch_upload(self, name: str, session: str) -> None:
        found = self.state.uploads.get(session)
        length = int(self.headers.get("Content-Length") or 0)
        if found is None:
            self.rfile.read(length)
            self.error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
            return
        start = int((self.headers.get("Content-Range") or "0-0").split("-")[0])
        if start != len(found[1]):
            self.rfile.read(length)
            self.error(416, "BLOB_UPLOAD_INVALID", f"range starts at {start}, the upload holds {len(found[1])}")
            return
        if self.state.take("PATCH", self.path, ("reset",)):
            found[1].extend(self.rfile.read(length // 2))  # what arrived is kept; then the connection dies
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            self.close_connection = True
            return
        found[1].extend(self.rfile.read(length))
        self.answer(202, headers={"Location": f"/v2/{name}/blobs/uploads/{session}",
                                  "Range": f"0-{len(found[1]) - 1}", "Docker-Upload-UUID": session})

    def finish_upload(self, name: str, session: str) -> None:
        found = self.state.uploads.pop(session, None)
        data = self.body()
        if found is None:
            self.error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
            return
        content = bytes(found[1] + data)
        digest = (parse_qs(urlsplit(self.path).query).get("digest") or [""])[0]
        if sha(content) != digest:
            self.error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
            return
        self.state.blobs[digest] = content
        self.state.holds.setdefault(name, set()).add(digest)
        self.answer(201, headers={"Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest})

    def cancel_upload(self, name: str, session: str) -> None:
        self.state.uploads.pop(session, None)
        self.answer(204)

    # -- manifests ----------------------------------------------------------------------------------
    def get_manifest(self, name: str, reference: str) -> None:
        state = self.state
        digest = reference if reference.startswith("sha256:") else state.tags.get((name, reference))
        stored = state.manifests.get((name, digest or ""))
        if stored is None:
            self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            return
        body, media_type = stored
        if digest in state.tampered:
            body = body.replace(b"{", b"{ ", 1)
        self.answer(200, body, {"Content-Type": media_type, "Docker-Content-Digest": digest or ""})

    def put_manifest(self, name: str, reference: str) -> None:
        state = self.state
        body = self.body()
        media_type = self.headers.get("Content-Type") or ""
        digest = sha(body)
        if reference.startswith("sha256:") and reference != digest:
            self.error(400, "DIGEST_INVALID", "manifest digest did not match")
            return
        document = json.loads(body)
        if media_type in INDEXES:
            missing = [m["digest"] for m in document.get("manifests", []) if (name, m["digest"]) not in state.manifests]
        else:
            wanted = [document["config"]["digest"], *(layer["digest"] for layer in document.get("layers", []))]
            missing = [d for d in wanted if d not in state.holds.get(name, set())]
        if missing:
            self.error(400, "MANIFEST_BLOB_UNKNOWN", f"blob unknown to registry: {missing[0]}")
            return
        state.manifests[(name, digest)] = (body, media_type)
        if not reference.startswith("sha256:"):
            state.tags[(name, reference)] = digest
        if state.on_manifest is not None:  # as a registry's notifications feed ECR's API (the sandbox's bridge)
            state.on_manifest(name, reference, digest, body)
        headers = {"Location": f"/v2/{name}/manifests/{digest}", "Docker-Content-Digest": digest}
        if state.referrers_api and isinstance(document.get("subject"), dict):
            headers["OCI-Subject"] = document["subject"]["digest"]
        self.answer(201, headers=headers)

    def get_referrers(self, name: str, digest: str) -> None:
        if not self.state.referrers_api:
            self.error(404, "NOT_FOUND", "no referrers API here")
            return
        found = []
        for (repository, manifest_digest), (body, media_type) in self.state.manifests.items():
            document = json.loads(body)
            if repository == name and (document.get("subject") or {}).get("digest") == digest:
                found.append({"mediaType": media_type, "digest": manifest_digest, "size": len(body),
                              "artifactType": document.get("artifactType")
                              or (document.get("config") or {}).get("mediaType")})
        index = {"schemaVersion": 2, "mediaType": INDEXES[0], "manifests": found}
        self.answer(200, json.dumps(index).encode(), {"Content-Type": INDEXES[0]})


NAME = r"(?P<name>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
ROUTES = [
    (rf"/v2/{NAME}/blobs/uploads/", {"POST": Handler.start_upload}),
    (rf"/v2/{NAME}/blobs/uploads/(?P<session>[0-9a-f]+)",
     {"GET": Handler.upload_status, "PATCH": Handler.patch_upload, "PUT": Handler.finish_upload,
      "DELETE": Handler.cancel_upload}),
    (rf"/v2/{NAME}/blobs/(?P<digest>sha256:[0-9a-f]{{64}})", {"GET": Handler.get_blob, "HEAD": Handler.get_blob}),
    (rf"/v2/{NAME}/manifests/(?P<reference>[^/]+)",
     {"GET": Handler.get_manifest, "HEAD": Handler.get_manifest, "PUT": Handler.put_manifest}),
    (rf"/v2/{NAME}/referrers/(?P<digest>sha256:[0-9a-f]{{64}})", {"GET": Handler.get_referrers}),
]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    state: State

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # connections the tests cut off (resets, interrupts) are expected here


class FakeRegistry:
    """``with FakeRegistry(pki) as registry:`` -> ``registry.host`` (127.0.0.1:PORT) and ``registry.ca``."""

    def __init__(self, pki: tuple[Path, Path, Path]) -> None:
        self.ca, certificate, key = pki
        self.state = State()
        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.state = self.state
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeRegistry:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- arming -------------------------------------------------------------------------------------
    def fail(self, method: str, pattern: str, status: int, count: int = 1,
             then: Callable[[], None] | None = None) -> None:
        self.state.faults.append(Fault("status", method, re.compile(pattern), count, status, then))

    def reset(self, pattern: str = r"/blobs/uploads/", count: int = 1) -> None:
        self.state.faults.append(Fault("reset", "PATCH", re.compile(pattern), count))

    def truncate(self, pattern: str, count: int = 1) -> None:
        self.state.faults.append(Fault("truncate", "GET", re.compile(pattern), count))

    def tamper(self, digest: str) -> None:
        self.state.tampered.add(digest)

    def use_bearer(self, realm: str | None = None) -> None:
        self.state.bearer_realm = realm or f"https://{self.host}/token"

    def expire(self, new_password: str, status: int = 401) -> None:
        self.state.refused.add(self.state.password)
        self.state.password, self.state.expired_status = new_password, status

    # -- reading ------------------------------------------------------------------------------------
    def put_blob(self, repository: str, data: bytes) -> str:
        digest = sha(data)
        self.state.blobs[digest] = data
        self.state.holds.setdefault(repository, set()).add(digest)
        return digest

    def put_manifest(self, repository: str, body: bytes, media_type: str, tag: str | None = None) -> str:
        digest = sha(body)
        self.state.manifests[(repository, digest)] = (body, media_type)
        if tag:
            self.state.tags[(repository, tag)] = digest
        return digest

    def holds(self, repository: str, digest: str) -> bool:
        return digest in self.state.holds.get(repository, set())

    def tag(self, repository: str, tag: str) -> str | None:
        return self.state.tags.get((repository, tag))

    def count(self, method: str, fragment: str = "") -> int:
        with self.state.lock:
            return sum(1 for m, p in self.state.requests if m == method and fragment in p)
