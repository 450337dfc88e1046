"""The sandbox talking to its own registries: blobs and manifests over the registry API (TLS with the
sandbox CA, a token the gateway minted for itself), and the exact bytes a registry stored on disk."""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin


DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def blob_path(storage_root: Path, digest: str) -> Path:
    """Where a registry's filesystem storage keeps a blob (manifests are blobs too). Only ``sha256:`` and
    64 lowercase hex digits are accepted (raises ValueError), so no digest can name another file."""
    if not DIGEST.fullmatch(digest or ""):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    algorithm, _, hexdigest = digest.partition(":")
    return storage_root / "docker/registry/v2/blobs" / algorithm / hexdigest[:2] / hexdigest / "data"


class RegistryClient:
    """Push-side calls to one sandbox registry, with a bearer token for the repositories concerned."""

    def __init__(self, host: str, ca_file: str, token: str) -> None:
        self.base = f"https://{host}"
        self.token = token
        self.context = ssl.create_default_context(cafile=ca_file)

    def _send(self, method: str, url: str, body=None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        request = urllib.request.Request(urljoin(self.base, url), data=body, method=method,
                                         headers={"Authorization": f"Bearer {self.token}", **(headers or {})})
        return urllib.request.urlopen(request, context=self.context, timeout=300)

    def has_blob(self, repository: str, digest: str) -> bool:
        try:
            with self._send("HEAD", f"/v2/{repository}/blobs/{digest}"):
                return True
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return False
            raise

    def upload_blob(self, repository: str, digest: str, data: Path) -> None:
        """A monolithic upload of the file ``data`` (streamed, not read into memory)."""
        with self._send("POST", f"/v2/{repository}/blobs/uploads/") as started:
            location = started.headers["Location"]
        separator = "&" if "?" in location else "?"
        with open(data, "rb") as body:
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(data.stat().st_size)}
            with self._send("PUT", f"{location}{separator}digest={digest}", body, headers):
                pass

    def put_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> None:
        with self._send("PUT", f"/v2/{repository}/manifests/{reference}", manifest, {"Content-Type": media_type}):
            pass
