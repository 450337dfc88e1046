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
class Child:
    """One image of an index, as the registry holds it."""

    platform: str
    digest: str
    config_digest: str | None


@dataclass(frozen=True)
class RemoteImage:
    tag: str
    digest: str
    config_digest: str | None
    children: tuple[Child, ...] = ()  # when the tag points at an image index (a multi-platform image)


@dataclass(frozen=True)
class Wanted:
    """What a tag should point at for a publish to leave it alone: this image (by its image id, or a digest the
    engine knows it by), every platform's image of an index (by their image ids), or one exact manifest."""

    image_ids: tuple[tuple[str, str], ...] = ()  # (platform, image id); one ("", id) for a single image
    repo_digests: tuple[str, ...] = ()  # URI@digest the engine has pushed or pulled (a single image)
    digest: str | None = None  # promote: exactly this manifest

    @classmethod
    def image(cls, image_id: str, repo_digests: Sequence[str] = ()) -> Wanted:
        return cls((("", image_id),), tuple(repo_digests))

    def matches(self, image: RemoteImage, repository_uri: str) -> bool:
        if self.digest is not None:
            return image.digest == self.digest
        if len(self.image_ids) == 1 and self.image_ids[0][0] == "":
            return (image.config_digest == self.image_ids[0][1]
                    or image.digest in local_digests(self.repo_digests, repository_uri))
        return bool(image.children) and sorted((c.platform, c.config_digest) for c in image.children) == sorted(
            self.image_ids)

    def describe(self, repository_uri: str) -> str:
        if self.digest is not None:
            return self.digest
        mine = local_digests(self.repo_digests, repository_uri)
        if len(self.image_ids) == 1 and self.image_ids[0][0] == "":
            return sorted(mine)[0] if len(mine) == 1 else f"{self.image_ids[0][1]} (image id)"
        return "an index of " + ", ".join(f"{p} {i[:19]}" for p, i in self.image_ids) + " (image ids)"


@dataclass(frozen=True)
class Plan:
    """``push`` are the tags to push; when empty, every tag already points at ``digest``."""

    push: tuple[str, ...]
    digest: str | None


def remote_images(ecr: Any, repository: str, tags: Sequence[str]) -> dict[str, RemoteImage]:
    """One ``batch_get_image`` per tag: the API reference (BatchGetImage, Image) does not say that an image's
    ``imageId.imageTag`` names the tag it was asked by, nor that two tags of one image give two entries, so each
    call asks for one tag and its answer is that tag's."""
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
                text = image.get("imageManifest", "")
                found[tag] = RemoteImage(tag, digest, config_digest(text), children(ecr, repository, text))
    return found


def children(ecr: Any, repository: str, manifest_text: str) -> tuple[Child, ...]:
    """The images an index names, with their config digests (one ``batch_get_image`` for all of them); () for
    anything but an index."""
    try:
        document = json.loads(manifest_text)
    except ValueError:
        return ()
    if not isinstance(document, dict) or document.get("mediaType") not in media.INDEXES:
        return ()
    entries = [m for m in document.get("manifests") or () if isinstance(m, dict) and "digest" in m]
    if not entries:
        return ()
    try:
        answer = ecr.batch_get_image(repositoryName=repository, acceptedMediaTypes=MANIFEST_TYPES,
                                     imageIds=[{"imageDigest": m["digest"]} for m in entries[:100]])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise api_failure(error, f"cannot read the images of an index in {repository}") from error
    configs = {i.get("imageId", {}).get("imageDigest"): config_digest(i.get("imageManifest", ""))
               for i in answer.get("images", [])}
    return tuple(Child(platform_name(m.get("platform") or {}), m["digest"], configs.get(m["digest"])) for m in entries)


def platform_name(platform: dict[str, Any]) -> str:
    """``os/architecture[/variant]`` of an index entry's ``platform`` ("" when it names none)."""
    return "/".join(str(platform[k]) for k in ("os", "architecture", "variant") if platform.get(k))


def config_digest(manifest_text: str) -> str | None:
    try:
        config = json.loads(manifest_text).get("config")
    except (ValueError, AttributeError):
        return None
    return config.get("digest") if isinstance(config, dict) else None


def local_digests(repo_digests: Sequence[str], repository_uri: str) -> set[str]:
    """The manifest digests this engine has pushed or pulled for ``repository_uri`` (from RepoDigests)."""
    return {entry.split("@", 1)[1] for entry in repo_digests if entry.split("@", 1)[0] == repository_uri}


def plan(destination: Destination, tags: Sequence[str], wanted: Wanted, remote: dict[str, RemoteImage]) -> Plan:
    """Which tags need a push. Raises ``ImmutableTagError`` for an immutable tag at another image (with
    several such tags, a ``RegistryError`` whose message has one line per tag)."""
    same: dict[str, str] = {}
    conflicts: list[ImmutableTagError] = []
    for tag in tags:
        image = remote.get(tag)
        if image is None:
            continue
        if wanted.matches(image, destination.repository_uri):
            same[tag] = image.digest
        elif destination.tag_is_immutable(tag):
            conflicts.append(ImmutableTagError(tag, destination.repository_uri, image.digest,
                                               wanted.describe(destination.repository_uri)))
    if len(conflicts) == 1:
        raise conflicts[0]
    if conflicts:
        raise RegistryError("\n".join(str(c) for c in conflicts))
    push = tuple(t for t in tags if t not in same)
    digests = set(same.values())
    if not push and len(digests) == 1:
        return Plan((), digests.pop())
    return Plan(push or tuple(tags), None)
