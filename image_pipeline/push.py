"""Pushing one tag, explicitly (``tag=None`` would push every local tag of the repository)."""
from __future__ import annotations

from typing import Any

from .engine import engine_errors
from .errors import RegistryError
from .retry import is_transient
from .stream import OnLayer, read_stream


def push_tag(api: Any, repository_uri: str, tag: str, auth_config: dict[str, str], on_layer: OnLayer) -> str:
    """Pushes ``repository_uri:tag`` and returns the digest the registry returned."""
    if not tag:
        raise ValueError("push_tag needs an explicit tag")
    what = f"push of {repository_uri}:{tag}"
    try:
        chunks = api.push(repository_uri, tag=tag, stream=True, decode=True, auth_config=auth_config)
        return read_stream(chunks, what, on_layer)
    except engine_errors() as error:
        message = str(error)
        raise RegistryError(f"{what}: {message}", transient=is_transient(message)) from error
