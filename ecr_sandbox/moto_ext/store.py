"""One store: what an ECR API caller changes in moto is changed in the registry too, through the gateway.

moto holds the ECR API's view of each registry (repositories, images, tags); the registry (CNCF distribution, behind
the gateway's TLS front) holds the bytes clients pull. A push reaches moto from the registry (the push bridge); the
other way, this module asks the gateway (``POST /store/ACCOUNT/REGION`` with the per-sandbox secret,
``ecr_sandbox.registry.store``) to do in the registry what an API call just did in moto:

- ``PutImage``: the manifest under its tag (or by digest), after asking which of its blobs the registry lacks
  (``LayersNotFoundException``);
- ``BatchDeleteImage``: the tags removed and the images deleted (when the last tag goes, the image goes:
  API reference BatchDeleteImage);
- ``DeleteRepository`` (``--force``): the repository's manifests and layer links.

Calls that came from the registry (the bridge, recognized by the sandbox's secret: ``from_registry``) are not sent
back. A registry the sandbox does not run (an account outside the spec) has nothing to change.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ecr_sandbox.common.faults import SECRET_HEADER

log = logging.getLogger("ecr_sandbox.moto_ext.store")
_CALLER = threading.local()
STATE_DIR: Path | None = None


class StoreError(RuntimeError):
    """The gateway could not make the registry agree."""


def mark(trusted: bool) -> None:
    """The request this thread serves comes from the sandbox itself (the gateway) or from a caller."""
    _CALLER.trusted = trusted


def from_registry() -> bool:
    return bool(getattr(_CALLER, "trusted", False))


def _gateway() -> tuple[str, str] | None:
    if STATE_DIR is None:
        return None
    try:
        port = json.loads((STATE_DIR / "state.json").read_text())["gateway_port"]
        secret = (STATE_DIR / "secret").read_text().strip()
    except (OSError, ValueError, KeyError):
        return None
    return f"http://127.0.0.1:{port}", secret


def call(account: str, region: str, operation: dict[str, Any]) -> dict[str, Any]:
    """One store operation on the registry of ``account``/``region``; ``{}`` when the sandbox runs none there."""
    found = _gateway()
    if found is None:
        return {}
    url, secret = found
    request = urllib.request.Request(f"{url}/store/{account}/{region}", data=json.dumps(operation).encode(),
                                     method="POST", headers={SECRET_HEADER: secret, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return {}  # no registry for that account and region
        raise StoreError(f"the registry did not follow {operation['op']}: HTTP {exc.code} "
                         f"{exc.read().decode(errors='replace')[:200]}") from exc
    except OSError as exc:
        raise StoreError(f"the gateway is not answering: {exc}") from exc


def missing_blobs(account: str, region: str, repository: str, digests: list[str]) -> list[str]:
    return list(call(account, region, {"op": "missing", "repository": repository, "digests": digests})
                .get("missing", []))


def put(account: str, region: str, repository: str, tag: str | None, manifest: str, media_type: str,
        digest: str) -> None:
    call(account, region, {"op": "put", "repository": repository, "reference": tag or digest, "manifest": manifest,
                           "mediaType": media_type})


def sync_deletions(account: str, region: str, repository: str, before: dict[str, list[str]],
                   after: dict[str, list[str]]) -> None:
    """Make the registry lose what ``BatchDeleteImage`` took: images gone from ``after``, tags gone from images."""
    for digest, tags in before.items():
        if digest not in after:
            call(account, region, {"op": "delete", "repository": repository, "digest": digest})
            continue
        for tag in set(tags) - set(after[digest]):
            call(account, region, {"op": "untag", "repository": repository, "tag": tag})


def delete_repository(account: str, region: str, repository: str) -> None:
    call(account, region, {"op": "delete_repository", "repository": repository})
