"""Reading docker-py's push/pull JSON streams. The engine answers HTTP 200 and reports failures inside
the stream (``error`` / ``errorDetail``); only ``aux.Digest`` (push) or a ``Digest:`` status (pull)
proves the registry stored the image."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .errors import RegistryError
from .retry import is_transient


@dataclass(frozen=True)
class LayerEvent:
    layer: str
    status: str
    current: int | None = None
    total: int | None = None


OnLayer = Callable[[LayerEvent], None]
_PULL_DIGEST = re.compile(r"^Digest: (sha256:[0-9a-f]{64})$")


def stream_error(chunk: Mapping[str, Any]) -> str | None:
    if "error" not in chunk and "errorDetail" not in chunk:
        return None
    detail = chunk.get("errorDetail") or {}
    return str(chunk.get("error") or detail.get("message") or "unknown registry error").strip()


def layer_event(chunk: Mapping[str, Any]) -> LayerEvent | None:
    layer, status = chunk.get("id"), chunk.get("status")
    if not isinstance(layer, str) or not isinstance(status, str) or ":" in layer:
        return None
    detail = chunk.get("progressDetail") or {}
    return LayerEvent(layer, status, detail.get("current"), detail.get("total"))


def read_stream(chunks: Iterable[Mapping[str, Any]], what: str, on_layer: OnLayer) -> str:
    """Consumes a push or pull stream for ``what`` (``URI:TAG``) and returns the registry's digest.

    Raises ``RegistryError`` (``transient`` set from the message) on an error chunk, and when the stream
    ends without a digest: a stream that just stops never counts as success."""
    digest: str | None = None
    for chunk in chunks:
        message = stream_error(chunk)
        if message is not None:
            raise RegistryError(f"{what}: {message}", transient=is_transient(message))
        aux = chunk.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
            digest = aux["Digest"]
            continue
        status = chunk.get("status")
        if isinstance(status, str):
            found = _PULL_DIGEST.match(status)
            if found:
                digest = found.group(1)
                continue
        event = layer_event(chunk)
        if event is not None:
            on_layer(event)
    if digest is None:
        raise RegistryError(f"{what}: the registry returned no digest; the image was not stored",
                            transient=True)
    return digest
