"""Pushing one tag, explicitly (``tag=None`` would push every local tag of the repository).

The engine request stops (and the engine cancels the push) at the engine's own first retry, at the
destination's deadline, or when no progress line came for ``stall_seconds``: the socket read timeout."""
from __future__ import annotations

from typing import Any

from .deadline import Deadline
from .engine import STALL_SECONDS, close_stream, engine_errors
from .errors import RegistryError
from .retry import is_transient
from .stream import OnLayer, read_stream


def push_tag(api: Any, repository_uri: str, tag: str, auth_config: dict[str, str], on_layer: OnLayer,
             deadline: Deadline | None = None, stall_seconds: float = STALL_SECONDS) -> str:
    """Pushes ``repository_uri:tag`` and returns the digest the registry returned."""
    if not tag:
        raise ValueError("push_tag needs an explicit tag")
    what = f"push of {repository_uri}:{tag}"
    read_timeout = deadline.timeout(stall_seconds) if deadline is not None else None
    if deadline is not None:
        deadline.check(what)
        if hasattr(api, "timeout"):  # docker-py applies its client timeout to every socket read
            api.timeout = read_timeout
    chunks = None
    try:
        chunks = api.push(repository_uri, tag=tag, stream=True, decode=True, auth_config=auth_config)
        return read_stream(chunks, what, on_layer, deadline, stop_on_engine_retry=True)
    except RegistryError:
        if chunks is not None:
            close_stream(chunks)
        raise
    except engine_errors() as error:
        if chunks is not None:
            close_stream(chunks)
        message = str(error)
        if read_timeout is not None and "timed out" in message.lower():
            raise RegistryError(f"{what}: no progress from the engine for {read_timeout:.0f} s: the registry "
                                f"stalled", transient=True) from error
        raise RegistryError(f"{what}: {message}", transient=is_transient(message)) from error
