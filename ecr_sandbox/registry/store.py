"""The registry side of one store: what the gateway does to a registry when the ECR API changed its images
(``ecr_sandbox.moto_ext.store`` asks, ``POST /store/ACCOUNT/REGION`` with the per-sandbox secret).

Operations (JSON ``{"op": ...}``), each on the registry behind the TLS front, with the front's own token:

- ``missing`` (``repository``, ``digests``): which of these blobs the repository lacks (``HEAD`` each);
- ``put`` (``repository``, ``reference``, ``manifest``, ``mediaType``): the manifest under a tag or its digest;
- ``untag`` (``repository``, ``tag``): the tag goes, the image stays (distribution's API has no tag delete: the
  tag's folder in the registry's filesystem storage is removed; tags are read from storage on every request);
- ``delete`` (``repository``, ``digest``): ``DELETE /v2/NAME/manifests/DIGEST`` (distribution drops the tags that
  name it too);
- ``delete_repository`` (``repository``): every manifest and layer link of the repository through the API (so
  distribution's cache forgets them), then its folder.

Distribution notifies the push bridge of the puts and deletes like any other; the bridge's calls carry the sandbox's
secret and moto, which made the change, takes them as already done. Deletes made here are remembered until their
notification comes back (``made_here``), so a late one never deletes an image pushed again meanwhile (a repository
deleted and created anew, the same image pushed to it).
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from ecr_sandbox.registry.client import RegistryCallError, RegistryClient
from ecr_sandbox.registry.storage import DIGEST, repository_dir

log = logging.getLogger("ecr_sandbox.registry.store")
_MADE_HERE: set[tuple[str, str, str]] = set()  # (storage, repository, digest) deleted by the store, not yet notified
_LOCK = threading.Lock()


def _remember(storage: Path, repository: str, digest: str) -> None:
    with _LOCK:
        _MADE_HERE.add((str(storage), repository, digest))


def made_here(storage: Path, repository: str, digest: str) -> bool:
    """Whether a delete notification is of a delete the store made (then forgotten: one notification each)."""
    with _LOCK:
        key = (str(storage), repository, digest)
        if key in _MADE_HERE:
            _MADE_HERE.discard(key)
            return True
    return False


class StoreRequestError(ValueError):
    """An operation the store cannot read."""


def _digests_in(folder: Path) -> list[str]:
    return [f"sha256:{p.name}" for p in sorted(folder.glob("sha256/*")) if DIGEST.fullmatch(f"sha256:{p.name}")]


def apply(operation: dict[str, Any], client: RegistryClient, storage: Path) -> dict[str, Any]:
    op, repository = operation.get("op"), str(operation.get("repository") or "")
    try:
        folder = repository_dir(storage, repository)
    except ValueError as exc:
        raise StoreRequestError(str(exc)) from exc
    if op == "missing":
        return {"missing": [d for d in operation.get("digests") or () if not client.has_blob(repository, d)]}
    if op == "put":
        digest = client.put_manifest(repository, str(operation["reference"]), str(operation["manifest"]).encode(),
                                     str(operation["mediaType"]))
        return {"digest": digest}
    if op == "untag":
        tag = str(operation["tag"])
        if "/" in tag or tag in ("", ".", ".."):
            raise StoreRequestError(f"not a tag: {tag!r}")
        shutil.rmtree(folder / "_manifests" / "tags" / tag, ignore_errors=True)
        return {}
    if op == "delete":
        _remember(storage, repository, str(operation["digest"]))
        client.delete_manifest(repository, str(operation["digest"]))
        return {}
    if op == "delete_repository":
        for digest in _digests_in(folder / "_manifests" / "revisions"):
            _remember(storage, repository, digest)
            client.delete_manifest(repository, digest)
        for digest in _digests_in(folder / "_layers"):
            _remember(storage, repository, digest)
            client.delete_blob(repository, digest)
        shutil.rmtree(folder, ignore_errors=True)
        return {}
    raise StoreRequestError(f"unknown store operation {op!r}")


def answer(operation: dict[str, Any], client: RegistryClient, storage: Path) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for the gateway's ``/store`` handler."""
    try:
        return 200, apply(operation, client, storage)
    except (StoreRequestError, KeyError) as exc:
        return 400, {"error": str(exc)}
    except RegistryCallError as exc:
        log.warning("store %s on %s failed: %s", operation.get("op"), operation.get("repository"), exc)
        return 409, {"error": str(exc)}
    except OSError as exc:
        return 503, {"error": f"the registry is not answering: {exc}"}
