"""The fast path: copy an image that one registry already holds to another registry, blob by blob, over
the registry HTTP API (the OCI distribution spec), without the engine compressing the layers again.

The manifest bytes are copied unchanged, so the destination stores the very same digest. Only single-image
manifests (Docker v2 schema 2, OCI) are copied; anything else raises ``CopyError`` and the caller pushes
through the engine instead. TLS trusts the CA the Docker engine trusts for that host
(``/etc/docker/certs.d/HOST/ca.crt``) when there is one, else the system's."""
from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
from pathlib import Path
from typing import Any, BinaryIO, Protocol, Sequence
from urllib.parse import urlencode, urljoin, urlsplit

from .errors import RegistryError
from .stream import LayerEvent, OnLayer

CERTS_DIR = Path("/etc/docker/certs.d")
BLOCK = 1024 * 1024
SINGLE_MANIFESTS = ("application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.oci.image.manifest.v1+json")


class Readable(Protocol):
    def read(self, size: int = -1) -> bytes: ...


class CopyError(RegistryError):
    """The fast path cannot copy this image; pushing through the engine still can."""


def tls_context(host: str) -> ssl.SSLContext:
    ca = CERTS_DIR / host / "ca.crt"
    return ssl.create_default_context(cafile=str(ca)) if ca.exists() else ssl.create_default_context()


_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class RegistryClient:
    """A few calls of the registry API against one host. Sends basic auth (what ECR takes, AWS:token);
    a registry that answers 401 with a ``Bearer`` challenge (the distribution registry's token auth) gets
    the token flow: basic auth at the realm for the challenged scope, then the bearer token."""

    def __init__(self, host: str, username: str, password: str, timeout: float = 300.0) -> None:
        self.host = host
        self._basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self._auth = self._basic
        self._timeout = timeout
        self._tls = tls_context(host)

    def _bearer(self, challenge: str) -> bool:
        """Fetches a bearer token for a ``WWW-Authenticate: Bearer ...`` challenge; False if not one."""
        if not challenge.lower().startswith("bearer "):
            return False
        fields = dict(_CHALLENGE.findall(challenge))
        realm = fields.pop("realm", "")
        if not realm:
            return False
        url = realm + "?" + urlencode({k: v for k, v in fields.items() if k in ("service", "scope")})
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.netloc, timeout=self._timeout)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}", headers={"Authorization": self._basic})
            response = connection.getresponse()
            body = response.read()
        except OSError as error:
            raise CopyError(f"token request to {parts.netloc}: {error}", transient=True) from error
        finally:
            connection.close()
        if response.status != 200:
            raise CopyError(f"token request to {parts.netloc}: HTTP {response.status} (credentials refused)")
        answer = json.loads(body)
        self._auth = "Bearer " + str(answer.get("token") or answer.get("access_token"))
        return True

    def __repr__(self) -> str:
        return f"RegistryClient({self.host!r}, auth=<hidden>)"

    def _send(self, method: str, url: str, headers: dict[str, str], body: Any = None,
              auth: bool = True) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        parts = urlsplit(url if "://" in url else f"https://{self.host}{url}")
        connection = http.client.HTTPSConnection(parts.netloc, timeout=self._timeout, context=self._tls,
                                                 blocksize=BLOCK)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers)
        if auth and parts.netloc == self.host:
            sent["Authorization"] = self._auth
        try:
            connection.request(method, path, body=body, headers=sent)
            return connection, connection.getresponse()
        except OSError as error:
            connection.close()
            raise CopyError(f"{method} {parts.netloc}{parts.path}: {error}", transient=True) from error

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None,
             expect: Sequence[int] = (200,)) -> tuple[int, dict[str, str], bytes]:
        connection, response = self._send(method, path, headers or {}, body)
        try:
            data = response.read()
        finally:
            connection.close()
        if response.status == 401 and body is None and self._bearer(response.getheader("WWW-Authenticate") or ""):
            return self.call(method, path, headers, body, expect)
        if response.status not in expect:
            raise CopyError(f"{method} {self.host}{path.split('?')[0]}: HTTP {response.status} "
                            f"{data[:200].decode(errors='replace')}", transient=response.status >= 500)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        _, headers, body = self.call("GET", f"/v2/{repository}/manifests/{reference}",
                                     {"Accept": ", ".join(SINGLE_MANIFESTS)})
        return body, headers.get("content-type", "")

    def has_blob(self, repository: str, digest: str) -> bool:
        status, _, _ = self.call("HEAD", f"/v2/{repository}/blobs/{digest}", expect=(200, 404))
        return status == 200

    def open_blob(self, repository: str, digest: str) -> tuple[http.client.HTTPConnection, BinaryIO]:
        """A streaming GET of a blob; follows one redirect (ECR serves layers from S3) without credentials."""
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
                raise CopyError(f"GET {self.host}/v2/{repository}/blobs/{digest[:19]}: HTTP {response.status}",
                                transient=response.status >= 500)
            return connection, response
        raise CopyError(f"GET {self.host}/v2/{repository}/blobs/{digest[:19]}: too many redirects")

    def authorize(self, repository: str, actions: str) -> None:
        """Asks for the scope up front (so a streamed body is never sent unauthenticated)."""
        connection, response = self._send("GET", f"/v2/{repository}/tags/list?n=1", {})
        response.read()
        connection.close()
        if response.status == 401:
            challenge = response.getheader("WWW-Authenticate") or ""
            self._bearer(re.sub(r'scope="[^"]*"', f'scope="repository:{repository}:{actions}"', challenge))

    def upload_blob(self, repository: str, digest: str, size: int, data: Readable) -> None:
        _, headers, _ = self.call("POST", f"/v2/{repository}/blobs/uploads/", {"Content-Length": "0"},
                                  expect=(202,))
        location = headers.get("location", "")
        separator = "&" if "?" in location else "?"
        self.call("PUT", f"{location}{separator}digest={digest}",
                  {"Content-Length": str(size), "Content-Type": "application/octet-stream"}, data,
                  expect=(201,))

    def put_manifest(self, repository: str, tag: str, body: bytes, media_type: str) -> str:
        _, headers, _ = self.call("PUT", f"/v2/{repository}/manifests/{tag}", {"Content-Type": media_type},
                                  body, expect=(201,))
        return headers.get("docker-content-digest", "")


class _Counting:
    """A readable stream that reports the bytes read so far (progress per layer)."""

    def __init__(self, stream: BinaryIO, layer: str, total: int, on_layer: OnLayer) -> None:
        self._stream, self._layer, self._total, self._on_layer = stream, layer, total, on_layer
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._done += len(data)
        self._on_layer(LayerEvent(self._layer, "Copying", self._done, self._total))
        return data


def copy_image(source: RegistryClient, source_repository: str, digest: str, target: RegistryClient,
               target_repository: str, tags: Sequence[str], on_layer: OnLayer = lambda event: None) -> str:
    """Copies ``source_repository@digest`` to ``target_repository`` under ``tags``; returns the digest the
    target registry reported (the same one, or ``CopyError``)."""
    target.authorize(target_repository, "pull,push")
    body, media_type = source.manifest(source_repository, digest)
    if media_type not in SINGLE_MANIFESTS:
        raise CopyError(f"{media_type or 'unknown'} manifests are not copied; pushing instead")
    manifest = json.loads(body)
    for blob in [manifest["config"], *manifest["layers"]]:
        layer, size = str(blob["digest"])[7:19], int(blob["size"])
        if target.has_blob(target_repository, blob["digest"]):
            on_layer(LayerEvent(layer, "Layer already exists", size, size))
            continue
        connection, stream = source.open_blob(source_repository, blob["digest"])
        try:
            target.upload_blob(target_repository, blob["digest"], size, _Counting(stream, layer, size, on_layer))
        finally:
            connection.close()
        on_layer(LayerEvent(layer, "Pushed", size, size))
    for tag in tags:
        stored = target.put_manifest(target_repository, tag, body, media_type)
        if stored != digest:
            raise CopyError(f"{target.host}/{target_repository}:{tag} was stored at {stored or 'no digest'}, "
                            f"not {digest}")
    return digest
