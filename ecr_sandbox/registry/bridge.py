"""The push bridge: registry notifications in, moto ``put_image`` (and ``batch_delete_image``) out.

Each registry POSTs its events to ``/events/ACCOUNT/REGION`` on the gateway. For every manifest
``push`` the bridge reads the manifest's exact bytes from that registry's storage and calls moto's
``put_image`` in that account and region with the registry's digest, tag and media type, so
``describe_images`` / ``list_images`` / ``batch_get_image`` agree with the registry.

The registry sends its notifications after answering the push, so a client that pushed may have to
poll ``describe_images`` for a moment (typically well under a second). Events are processed before the
bridge answers; when moto cannot be reached the bridge answers 503 and the registry retries them.

Tag immutability is enforced at push time by the registry's TLS front (``ecr_sandbox.registry.front``), which
refuses the manifest PUT as ECR does; a push that reaches the bridge never moves an immutable tag.

Event data never names a file freely: only digests of the form ``sha256:`` + 64 lowercase hex are read
from storage; any other event is skipped (and logged).
"""

from __future__ import annotations

import logging
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


class Retry(Exception):
    """moto could not be reached: ask the registry to send the events again."""


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
) -> int:
    """Record every manifest push of ``events`` in moto; return how many were recorded.

    ``after_put(repository, digest, media_type, tag)`` runs after each image moto recorded."""
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
                continue
            log.error("put_image %s:%s %s refused by moto: %s", repository, tag or "", digest, exc)
    return recorded
