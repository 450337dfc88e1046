"""The fast path: copy an image that one registry already holds to another registry, blob by blob, over
the registry HTTP API (``registry.RegistryClient``), without the engine compressing the layers again.

The manifest bytes are copied unchanged, so the destination stores the very same digest. Only single-image
manifests (Docker v2 schema 2, OCI) are copied; anything else raises ``CopyError`` and the caller pushes
through the engine instead."""
from __future__ import annotations

import json
from typing import Callable, Sequence

from .deadline import Deadline
from .errors import RegistryError
from .registry import SINGLE_MANIFESTS, RegistryClient
from .stream import CountingReader, LayerEvent, OnLayer

__all__ = ["CopyError", "RegistryClient", "copy_image"]


class CopyError(RegistryError):
    """The fast path cannot copy this image; pushing through the engine still can."""


def copy_image(source: RegistryClient, source_repository: str, digest: str, target: RegistryClient,
               target_repository: str, tags: Sequence[str], on_layer: OnLayer = lambda event: None,
               deadline: Deadline | None = None, on_tag: Callable[[str], None] = lambda tag: None) -> str:
    """Copies ``source_repository@digest`` to ``target_repository`` under ``tags``; returns the digest the
    target registry reported (the same one, or ``CopyError``). ``on_tag`` hears of each tag once it points
    at the image in the target (so a failure later can say which tags moved)."""
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
            target.upload_blob(target_repository, blob["digest"], CountingReader(stream, layer, size, on_layer, deadline),
                               size)
        finally:
            connection.close()
        on_layer(LayerEvent(layer, "Pushed", size, size))
    for tag in tags:
        stored = target.put_manifest(target_repository, tag, body, media_type)
        if stored != digest:
            raise CopyError(f"{target.host}/{target_repository}:{tag} was stored at {stored or 'no digest'}, "
                            f"not {digest}")
        on_tag(tag)
    return digest
