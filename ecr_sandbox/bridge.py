"""The push bridge: registry notifications in, moto ``put_image`` out.

Each registry POSTs its events to ``/events/ACCOUNT/REGION`` on the gateway. For every manifest
``push`` the bridge reads the manifest's exact bytes from that registry's storage and calls moto's
``put_image`` in that account and region with the registry's digest, tag and media type, so
``describe_images`` / ``list_images`` / ``batch_get_image`` agree with the registry.

The registry sends its notifications after answering the push, so a client that pushed may have to
poll ``describe_images`` for a moment (typically well under a second). Events are processed before the
bridge answers; when moto cannot be reached the bridge answers 503 and the registry retries them.

Tag immutability: the registry itself lets any push move a tag. When moto refuses a tag because the
repository's tags are immutable and the tag holds another digest, the bridge puts the old manifest back
under that tag in the registry (``restore_tag``), so registry and ECR API agree again on the old digest.
The pushing client has already been told "pushed" by then: check ``describe_images`` before pushing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from botocore.exceptions import ClientError, EndpointConnectionError

from ecr_sandbox.registry_client import blob_path

MANIFEST_MEDIA_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    }
)
ALREADY_THERE = {"ImageAlreadyExistsException"}

log = logging.getLogger("ecr_sandbox.bridge")


class Retry(Exception):
    """moto could not be reached: ask the registry to send the events again."""


def _tag_holder(ecr: Any, repository: str, tag: str) -> dict[str, Any] | None:
    """The image moto has under ``tag`` (with its manifest), or None."""
    found = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])
    return found["images"][0] if found.get("images") else None


def handle_events(
    events: list[dict[str, Any]],
    storage_root: Path,
    ecr_client: Callable[[], Any],
    restore_tag: Callable[[str, str, str, str], None] | None = None,
    after_put: Callable[[str, str, str, str | None], None] | None = None,
) -> int:
    """Record every manifest push of ``events`` in moto; return how many were recorded.

    ``restore_tag(repository, tag, manifest, media_type)`` undoes a push that moved an immutable tag;
    ``after_put(repository, digest, media_type, tag)`` runs after each image moto recorded."""
    recorded = 0
    for event in events:
        target = event.get("target") or {}
        if event.get("action") != "push" or target.get("mediaType") not in MANIFEST_MEDIA_TYPES:
            continue
        repository, digest, tag = target.get("repository"), target.get("digest"), target.get("tag")
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
                holder = _tag_holder(ecr_client(), repository, tag) if tag else None
                if holder and holder["imageId"]["imageDigest"] != digest:
                    log.error("immutable tag %s:%s holds %s; the push of %s is undone in the registry",
                              repository, tag, holder["imageId"]["imageDigest"], digest)
                    if restore_tag is not None:
                        restore_tag(repository, tag, holder["imageManifest"],
                                    holder.get("imageManifestMediaType") or target["mediaType"])
                continue
            log.error("put_image %s:%s %s refused by moto: %s", repository, tag or "", digest, exc)
    return recorded
