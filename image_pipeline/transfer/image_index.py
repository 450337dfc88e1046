"""Several images as one: an OCI image index (or a Docker manifest list) over child images, each named with its
platform (OCI image spec, "Image Index"). A source like any other: each child's blobs and manifest, then the
index, the root, the only manifest the tags go on; the children go up by digest and stay untagged (so an
IMMUTABLE repository takes the index once, whatever the children)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

from ..oci import media
from .content import Item, Manifest, Source


@dataclass
class ImageIndex:
    """``Source`` of an index over ``children`` (each a source whose root manifest names its platform)."""

    children: Sequence[Source]
    media_type: str = media.OCI_INDEX
    roots: list[Manifest] = field(default_factory=list)  # each child's manifest, once handed over

    def items(self) -> Iterator[Item]:
        roots = self.roots
        roots.clear()
        for child in self.children:
            last: Item | None = None
            for item in child.items():
                if last is not None:
                    yield last
                last = item
            if not isinstance(last, Manifest):
                raise ValueError("an index child handed over no manifest")
            roots.append(last)
            yield last
        yield Manifest.of(media.index([root.descriptor for root in roots], self.media_type), self.media_type)
