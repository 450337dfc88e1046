"""Reading docker-py's push/pull JSON streams. The engine answers HTTP 200 and reports failures inside
the stream (``error`` / ``errorDetail``); only ``aux.Digest`` (push) or a ``Digest:`` status (pull)
proves the registry stored the image.

The engine retries a failed layer upload by itself, silently, five times 5 to 20 s apart ("Retrying in N
seconds" progress lines). A push stream stops at the first such line (a transient ``EngineRetryError``):
our own retry policy (bounded, jittered, within the deadline) decides what happens next."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .deadline import Deadline
from .errors import RegistryError
from .retry import is_auth_refusal, is_transient


@dataclass(frozen=True)
class LayerEvent:
    layer: str
    status: str
    current: int | None = None
    total: int | None = None


OnLayer = Callable[[LayerEvent], None]


class CountingReader:
    """A readable stream that reports the bytes read so far as ``status`` events of ``layer`` (the progress
    of an upload the client sends itself) and checks ``deadline`` before each read."""

    def __init__(self, stream: Any, layer: str, total: int, on_layer: OnLayer, deadline: Deadline | None = None,
                 status: str = "Copying") -> None:
        self._stream, self._layer, self._total, self._on_layer = stream, layer, total, on_layer
        self._deadline, self._status = deadline, status
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        if self._deadline is not None:
            self._deadline.check(f"upload of layer {self._layer}")
        data = self._stream.read(size)
        self._done += len(data)
        self._on_layer(LayerEvent(self._layer, self._status, self._done, self._total))
        return data
_PULL_DIGEST = re.compile(r"^Digest: (sha256:[0-9a-f]{64})$")
_ENGINE_RETRY = re.compile(r"^Retrying in \d+ seconds?$")


class EngineRetryError(RegistryError):
    """The engine started retrying an upload on its own; the push is stopped so we retry instead."""


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


def read_stream(chunks: Iterable[Mapping[str, Any]], what: str, on_layer: OnLayer,
                deadline: Deadline | None = None, stop_on_engine_retry: bool = False) -> str:
    """Consumes a push or pull stream for ``what`` (``URI:TAG``) and returns the registry's digest.

    Raises ``RegistryError`` (``transient`` set from the message) on an error chunk, and when the stream
    ends without a digest: a stream that just stops never counts as success. With ``deadline``, checks it
    between chunks; with ``stop_on_engine_retry``, raises ``EngineRetryError`` at the engine's first
    "Retrying in N seconds"."""
    digest: str | None = None
    accepted: set[str] = set()  # layers the registry already served under this push's credentials
    for chunk in chunks:
        if deadline is not None:
            deadline.check(what)
        if stop_on_engine_retry and _ENGINE_RETRY.match(str(chunk.get("status") or "")):
            raise EngineRetryError(f"{what}: the upload of layer {chunk.get('id', '?')} failed and the engine "
                                   f"began retrying on its own ({chunk['status']}); stopped it", transient=True)
        message = stream_error(chunk)
        if message is not None:
            if accepted and is_auth_refusal(message) and not is_transient(message):
                # A registry that took some of this push's layers accepted its credentials; refusing them now
                # means its (bearer) authorization lapsed mid-push: a new push, with a new token, may work.
                raise RegistryError(f"{what}: {message} (after the registry accepted the credentials for "
                                    f"{len(accepted)} layer(s): the authorization lapsed mid-push)", transient=True)
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
        if event is not None and (event.status in ("Pushed", "Layer already exists") or event.status.startswith(
                "Mounted from") or (event.status == "Pushing" and (event.current or 0) > 0)):
            accepted.add(event.layer)  # the registry answered this push's credentials with a success
        if event is not None:
            on_layer(event)
    if digest is None:
        raise RegistryError(f"{what}: the registry returned no digest; the image was not stored",
                            transient=True)
    return digest
