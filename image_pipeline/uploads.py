"""How many bytes the client uploaded to each destination (``--json``'s ``uploaded_bytes``).

A layer counts when its last event for a destination is ``Pushed`` (the engine or the blob copy sent it);
``Layer already exists`` / ``Mounted from`` count 0, and so does a replica (ECR copied it, not the client).
Its bytes are its *compressed* size from the pushed manifest (what goes over the wire), matched by id:

- the engine's push stream names a layer by its truncated DiffID (moby ``distribution/push_v2.go``:
  ``pushDescriptor.ID()`` is ``stringid.TruncateID(DiffID)``) and reports progress in *uncompressed* bytes,
  so the DiffID at position i (``docker inspect`` ``RootFS.Layers``) is the manifest's layer i;
- the blob copy (``image_pipeline.blobcopy``) names a blob by its digest's first 12 hex characters.

An unmatched ``Pushed`` layer counts the ``total`` its events reported. Retried uploads are counted once;
the image config and the manifest (a few kB) are not counted.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Mapping, Sequence

from .stream import LayerEvent, OnLayer

PUSHED = "Pushed"


def _short(digest: str) -> str:
    return digest.split(":", 1)[-1][:12]


def layer_sizes(manifest: Mapping[str, Any], diff_ids: Sequence[str] = ()) -> dict[str, int]:
    """Short layer id -> compressed size, by blob digest and by the DiffID at the same position."""
    sizes: dict[str, int] = {}
    layers = list(manifest.get("layers") or [])
    config = manifest.get("config")
    for blob in ([config] if config else []) + layers:
        sizes[_short(str(blob["digest"]))] = int(blob["size"])
    for diff_id, blob in zip(diff_ids, layers):
        sizes[_short(diff_id)] = int(blob["size"])
    return sizes


class UploadTally:
    """Per destination label, the last event of each layer (thread-safe: destinations push in parallel)."""

    def __init__(self) -> None:
        self._last: dict[str, dict[str, LayerEvent]] = {}
        self._totals: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def observe(self, label: str, event: LayerEvent) -> None:
        with self._lock:
            self._last.setdefault(label, {})[event.layer] = event
            if event.total:
                self._totals[(label, event.layer)] = event.total

    def wrap(self, label: str, on_layer: OnLayer) -> OnLayer:
        """``on_layer`` that also counts for ``label``."""
        def both(event: LayerEvent) -> None:
            self.observe(label, event)
            on_layer(event)
        return both

    def pushed_layers(self, label: str) -> list[str]:
        with self._lock:
            return [layer for layer, event in self._last.get(label, {}).items() if event.status == PUSHED]

    def uploaded_bytes(self, label: str, sizes: Mapping[str, int]) -> int:
        pushed = self.pushed_layers(label)
        with self._lock:
            return sum(sizes.get(layer, self._totals.get((label, layer), 0)) for layer in pushed)


def uploaded_bytes_of(tally: UploadTally, label: str, manifest: Callable[[], Mapping[str, Any]],
                      diff_ids: Sequence[str]) -> int:
    """``tally``'s count for ``label`` with sizes from the pushed manifest (read only when a layer was pushed)."""
    if not tally.pushed_layers(label):
        return 0
    return tally.uploaded_bytes(label, layer_sizes(manifest(), diff_ids))
