"""Reading docker-py's pull stream. The engine answers HTTP 200 and reports failures inside the stream
(``error`` / ``errorDetail``); only a ``Digest:`` status proves what the registry served."""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ..core.deadline import Deadline
from ..core.errors import RegistryError
from ..core.events import LayerEvent, OnLayer

_PULL_DIGEST = re.compile(r"^Digest: (sha256:[0-9a-f]{64})$")
_TRANSIENT = re.compile(r"\b5\d\d\b(?!\d)|connection reset|broken pipe|unexpected eof|timed? ?out|toomanyrequests"
                        r"|too many requests|\b429\b|throttl", re.IGNORECASE)


def stream_error(chunk: Mapping[str, Any]) -> str | None:
    if "error" not in chunk and "errorDetail" not in chunk:
        return None
    detail = chunk.get("errorDetail") or {}
    return str(chunk.get("error") or detail.get("message") or "unknown registry error").strip()


def engine_message_transient(message: str) -> bool:
    """The engine reports a registry's failure only as text: whether that text names a transient one."""
    return _TRANSIENT.search(message) is not None


def layer_event(chunk: Mapping[str, Any]) -> LayerEvent | None:
    layer, status = chunk.get("id"), chunk.get("status")
    if not isinstance(layer, str) or not isinstance(status, str) or ":" in layer:
        return None
    detail = chunk.get("progressDetail") or {}
    return LayerEvent(layer, status, detail.get("current"), detail.get("total"))


def read_pull_stream(chunks: Iterable[Mapping[str, Any]], what: str, on_layer: OnLayer,
                     deadline: Deadline | None = None) -> str:
    """Consumes a pull stream for ``what`` (``URI:TAG``) and returns the digest the registry served.

    Raises ``RegistryError`` on an error chunk, and when the stream ends without a digest."""
    digest: str | None = None
    for chunk in chunks:
        if deadline is not None:
            deadline.check(what)
        message = stream_error(chunk)
        if message is not None:
            raise RegistryError(f"{what}: {message}", transient=engine_message_transient(message))
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
        raise RegistryError(f"{what}: the engine reported no digest; the image was not pulled", transient=True)
    return digest
