"""The sandbox's own small client of a registry's HTTP API, for what the gateway does to its registries itself
(replication copies, and later the ECR API's changes to the registry's store).

Written from the OCI distribution specification (https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
"Checking if content exists in the registry" (``HEAD /v2/<name>/blobs/<digest>``: 200 or 404), "Pushing a blob
monolithically" (``POST /v2/<name>/blobs/uploads/`` gives 202 and a ``Location``; ``PUT <location>?digest=<digest>``
with the bytes gives 201), "Pushing Manifests" (``PUT /v2/<name>/manifests/<reference>`` with the manifest's
``Content-Type``: 201), "Pulling manifests" (``GET``) and "Deleting Manifests" (``DELETE`` by digest: 202).

It talks to one registry with one ready ``Authorization`` value (the gateway mints its own token); it never
follows challenges or redirects. By default over HTTPS to the host name (trusting ``ca_file``); with ``address``,
plain HTTP to the registry behind the front at that (address, port), naming the host in ``Host``.
"""

from __future__ import annotations

import http.client
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BLOCK = 1 << 20
TIMEOUT = 60.0


class RegistryCallError(OSError):
    """A registry answered with a status the call does not accept."""

    def __init__(self, what: str, status: int, body: bytes) -> None:
        super().__init__(f"{what}: HTTP {status} {body[:200].decode(errors='replace')}".rstrip())
        self.status = status


class RegistryClient:
    def __init__(self, host: str, authorization: str, *, ca_file: str | Path | None = None,
                 address: tuple[str, int] | None = None) -> None:
        self.host, self.authorization, self.address = host, authorization, address
        self._tls = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None

    def __repr__(self) -> str:
        return f"RegistryClient({self.host!r}, authorization=<hidden>)"

    def _call(self, method: str, path: str, expect: tuple[int, ...], headers: dict[str, str] | None = None,
              body: Any = None) -> tuple[int, dict[str, str], bytes]:
        connection: http.client.HTTPConnection
        if self.address is not None:
            connection = http.client.HTTPConnection(*self.address, timeout=TIMEOUT, blocksize=BLOCK)
        else:
            connection = http.client.HTTPSConnection(self.host, 443, timeout=TIMEOUT, context=self._tls,
                                                     blocksize=BLOCK)
        try:
            connection.request(method, path, body=body, headers={"Host": self.host,
                                                                  "Authorization": self.authorization,
                                                                  **(headers or {})})
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        if answer.status not in expect:
            raise RegistryCallError(f"{method} {self.host}{path.split('?')[0]}", answer.status, data)
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data

    def has_blob(self, repository: str, digest: str) -> bool:
        return self._call("HEAD", f"/v2/{repository}/blobs/{digest}", (200, 404))[0] == 200

    def upload_blob(self, repository: str, digest: str, source: Path) -> None:
        """A monolithic upload of the file ``source`` as ``digest``."""
        _, headers, _ = self._call("POST", f"/v2/{repository}/blobs/uploads/", (202,), {"Content-Length": "0"})
        location = urlsplit(headers.get("location", ""))
        separator = "&" if location.query else "?"
        target = f"{location.path}?{location.query}" if location.query else location.path
        with open(source, "rb") as stream:
            self._call("PUT", f"{target}{separator}digest={digest}", (201,),
                       {"Content-Length": str(source.stat().st_size), "Content-Type": "application/octet-stream"},
                       stream)

    def put_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> str:
        """Store ``manifest`` under ``reference`` (tag or digest); the digest the registry reports."""
        _, headers, _ = self._call("PUT", f"/v2/{repository}/manifests/{reference}", (201,),
                                   {"Content-Type": media_type}, manifest)
        return headers.get("docker-content-digest", "")

    def delete_manifest(self, repository: str, digest: str) -> None:
        """``DELETE`` a manifest by digest (202; 404 when it is gone already)."""
        self._call("DELETE", f"/v2/{repository}/manifests/{digest}", (202, 404))

    def delete_blob(self, repository: str, digest: str) -> None:
        """``DELETE`` a blob's link in a repository (202; 404 when it is gone already)."""
        self._call("DELETE", f"/v2/{repository}/blobs/{digest}", (202, 404))
