"""What a destination already holds for some tags, and what that means for a publish.

Asked through ECR's ``batch_get_image`` (fast API calls, the registry's own record).
An image is the same as the local one when the manifest's config digest equals the local image id (a
rebuild of identical content has the same id) or when the manifest digest is one of the local RepoDigests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

import botocore.exceptions

from ..core.errors import ImmutableTagError, RegistryError
from ..oci import media
from .aws import api_failure
from .targets import Destination

MANIFEST_TYPES = list(media.MANIFESTS)


@dataclass(frozen=True)
class RemoteImage:
    tag: str
    digest: str
    config_digest: str | None


@dataclass(frozen=True)
class Plan:
    """``push`` are the tags to push; when empty, every tag already points at ``digest``."""

    push: tuple[str, ...]
    digest: str | None


def remote_images(ecr: Any, repository: str, tags: Sequence[str]) -> dict[str, RemoteImage]:
    """One ``batch_get_image`` per tag: the answer's ``imageId.imageTag`` cannot be trusted to say which
    requested tag an image answers (moto names the image's last tag), so each call asks for one tag."""
    found: dict[str, RemoteImage] = {}
    for tag in tags:
        try:
            answer = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}],
                                         acceptedMediaTypes=MANIFEST_TYPES)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise api_failure(error, f"cannot read tag {tag!r} of {repository}") from error
        for image in answer.get("images", [])[:1]:
            digest = image.get("imageId", {}).get("imageDigest")
            if digest:
                found[tag] = RemoteImage(tag, digest, config_digest(image.get("imageManifest", "")))
    return found


def config_digest(manifest_text: str) -> str | None:
    try:
        config = json.loads(manifest_text).get("config")
    except (ValueError, AttributeError):
        return None
    return config.get("digest") if isinstance(config, dict) else None


def local_digests(repo_digests: Sequence[str], repository_uri: str) -> set[str]:
    """The manifest digests this engine has pushed or pulled for ``repository_uri`` (from RepoDigests)."""
    return {entry.split("@", 1)[1] for entry in repo_digests if entry.split("@", 1)[0] == repository_uri}


def plan(destination: Destination, tags: Sequence[str], image_id: str, repo_digests: Sequence[str],
         remote: dict[str, RemoteImage]) -> Plan:
    """Which tags need a push. Raises ``ImmutableTagError`` for an immutable tag at another image (with
    several such tags, a ``RegistryError`` whose message has one line per tag)."""
    mine = local_digests(repo_digests, destination.repository_uri)
    same: dict[str, str] = {}
    conflicts: list[ImmutableTagError] = []
    for tag in tags:
        image = remote.get(tag)
        if image is None:
            continue
        if image.config_digest == image_id or image.digest in mine:
            same[tag] = image.digest
        elif destination.tag_is_immutable(tag):
            ours = sorted(mine)[0] if len(mine) == 1 else f"{image_id} (image id)"
            conflicts.append(ImmutableTagError(tag, destination.repository_uri, image.digest, ours))
    if len(conflicts) == 1:
        raise conflicts[0]
    if conflicts:
        raise RegistryError("\n".join(str(c) for c in conflicts))
    push = tuple(t for t in tags if t not in same)
    digests = set(same.values())
    if not push and len(digests) == 1:
        return Plan((), digests.pop())
    return Plan(push or tuple(tags), None)
