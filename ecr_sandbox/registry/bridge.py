"""The push bridge: registry notifications in, moto ``put_image`` (and ``batch_delete_image``) out.

Each registry POSTs its events to ``/events/ACCOUNT/REGION`` on the gateway. For every manifest
``push`` the bridge reads the manifest's exact bytes from that registry's storage and calls moto's
``put_image`` in that account and region with the registry's digest, tag and media type, so
``describe_images`` / ``list_images`` / ``batch_get_image`` agree with the registry.

The registry sends its notifications on its own, around the time it answers the push; the TLS front holds
its answer to a manifest PUT until the bridge has handled that push (``Records``, at most ``RECORD_WAIT``
seconds), so a client that pushed sees the image in ``describe_images`` at once, as on ECR. Events are
processed before the bridge answers; when moto cannot be reached the bridge answers 503 and the registry
retries them.

Tag immutability is enforced at push time by the registry's TLS front (``ecr_sandbox.registry.front``), which
refuses the manifest PUT as ECR does; a push that reaches the bridge never moves an immutable tag.

Event data never names a file freely: only digests of the form ``sha256:`` + 64 lowercase hex are read
from storage; any other event is skipped (and logged).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from botocore.exceptions import ClientError, EndpointConnectionError

from ecr_sandbox.registry import store
from ecr_sandbox.registry.storage import DIGEST, blob_path

MANIFEST_MEDIA_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    }
)
ALREADY_THERE = {"ImageAlreadyExistsException"}

log = logging.getLogger("ecr_sandbox.registry.bridge")


RECORD_WAIT = 5.0  # seconds a manifest PUT's answer waits for the bridge (then it leaves anyway, logged)
Push = tuple[str, str, str, "str | None"]  # (registry host, repository, digest, tag)


class Retry(Exception):
    """moto could not be reached: ask the registry to send the events again."""


class Records:
    """Which pushes the bridge has handled (recorded in moto, or refused there), numbered in the order handled,
    so the front can answer a manifest PUT once the ECR API shows it: ``mark`` before forwarding the PUT,
    ``wait_since`` after."""

    def __init__(self, keep: int = 4096) -> None:
        self._last: dict[Push, int] = {}  # each push's number the last time it was handled
        self._number = 0
        self._changed = threading.Condition()
        self._keep = keep

    def mark(self) -> int:
        with self._changed:
            return self._number

    def handled(self, push: Push) -> None:
        with self._changed:
            self._number += 1
            self._last[push] = self._number
            if len(self._last) > self._keep:  # forget the oldest: whoever waits for them has had its answer
                for old in sorted(self._last, key=self._last.__getitem__)[:len(self._last) - self._keep // 2]:
                    del self._last[old]
            self._changed.notify_all()

    def wait_since(self, push: Push, mark: int, timeout: float = RECORD_WAIT) -> bool:
        """Whether the bridge handled ``push`` after ``mark`` was taken, waiting up to ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._last.get(push, 0) > mark, timeout)


def _deleted(target: dict[str, Any], storage_root: Path, ecr_client: Callable[[], Any]) -> None:
    """A manifest a client deleted in the registry (``DELETE /v2/NAME/manifests/DIGEST``, ECR's
    ``ecr:BatchDeleteImage``) is deleted in moto too; deletes the store made for moto are not sent back."""
    digest, repository = target.get("digest"), target.get("repository")
    if not isinstance(digest, str) or not DIGEST.fullmatch(digest) or not repository:
        return
    if store.made_here(storage_root, repository, digest):
        return
    try:
        ecr_client().batch_delete_image(repositoryName=repository, imageIds=[{"imageDigest": digest}])
    except EndpointConnectionError as exc:
        raise Retry(str(exc)) from exc
    except ClientError as exc:
        log.info("delete of %s %s not recorded: %s", repository, digest, exc)


def handle_events(
    events: list[dict[str, Any]],
    storage_root: Path,
    ecr_client: Callable[[], Any],
    after_put: Callable[[str, str, str, str | None], None] | None = None,
    handled: Callable[[str, str, str | None], None] = lambda repository, digest, tag: None,
) -> int:
    """Record every manifest push of ``events`` in moto; return how many were recorded.

    ``after_put(repository, digest, media_type, tag)`` runs after each image moto recorded; ``handled(repository,
    digest, tag)`` after each push moto recorded or refused (not when it could not be reached)."""
    recorded = 0
    for event in events:
        target = event.get("target") or {}
        if event.get("action") == "delete":
            _deleted(target, storage_root, ecr_client)
            continue
        if event.get("action") != "push" or target.get("mediaType") not in MANIFEST_MEDIA_TYPES:
            continue
        repository, digest, tag = target.get("repository"), target.get("digest"), target.get("tag")
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            log.error("event for %r ignored: its digest %r is not sha256: and 64 hex digits", repository, digest)
            continue
        try:
            manifest = blob_path(storage_root, digest).read_bytes().decode()
        except (OSError, UnicodeDecodeError, AttributeError) as exc:
            log.error("cannot read manifest %s of %s: %s", digest, repository, exc)
            continue
        params = {
            "repositoryName": repository,
            "imageManifest": manifest,
            "imageManifestMediaType": target["mediaType"],
            "imageDigest": digest,
        }
        if tag:
            params["imageTag"] = tag
        try:
            ecr_client().put_image(**params)
            recorded += 1
            log.info("put_image %s:%s %s", repository, tag or "", digest)
            if after_put is not None:
                after_put(repository, digest, target["mediaType"], tag)
        except EndpointConnectionError as exc:
            raise Retry(str(exc)) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ALREADY_THERE:
                log.info("put_image %s:%s %s: already recorded", repository, tag or "", digest)
            else:
                log.error("put_image %s:%s %s refused by moto: %s", repository, tag or "", digest, exc)
        handled(repository, digest, tag or None)
    return recorded
