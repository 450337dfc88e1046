"""The Docker engine connection.

docker-py (``api_client``) builds, tags, pushes and pulls. Its import costs about a quarter of a second, so
the read-only questions of an unchanged republish (does this image exist, what are its RepoDigests) go
through ``reader``: a few stdlib lines over the engine's unix socket."""
from __future__ import annotations

import http.client
import json
import os
import socket
from typing import Any, Iterator, Protocol
from urllib.parse import quote

from ..core import cancel
from ..core.errors import PipelineError

# Builds can be silent for long (a RUN step); docker-py's default 60 s read timeout would cut them.
TIMEOUT_SECONDS = 900
DEFAULT_HOST = "unix:///var/run/docker.sock"


class Inspector(Protocol):
    def inspect_image(self, image: str) -> dict[str, Any]: ...


def engine_errors() -> tuple[type[BaseException], ...]:
    """The exceptions docker-py raises when the engine or the connection fails (imported on first use)."""
    import docker.errors
    import requests.exceptions
    import urllib3.exceptions
    return (docker.errors.DockerException, requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
            OSError)


def close_stream(chunks: Any) -> None:
    """Ends a docker-py stream early *and* its HTTP request, so the engine cancels the work it serves (the
    engine ties a build, pull or export to its client's connection). docker-py hands out only a generator, so
    the response is taken from the generator's frame; closing a finished generator is harmless."""
    frame = getattr(chunks, "gi_frame", None)
    response = frame.f_locals.get("response") if frame is not None else None
    try:
        if response is not None:
            response.close()
    except Exception:  # noqa: BLE001 - best effort: the request is being abandoned anyway
        pass
    close = getattr(chunks, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001
            pass


def interruptible(chunks: Any) -> Iterator[Any]:
    """Iterates a docker-py stream; an interrupt (``core.cancel``) closes its request, so a read blocked on the
    engine ends at once."""
    with cancel.holding(lambda: close_stream(chunks)):
        yield from chunks


def api_client(timeout: int = TIMEOUT_SECONDS) -> Any:
    """A low-level ``docker.APIClient`` for the engine in DOCKER_HOST (default: the local socket)."""
    import docker
    try:
        return docker.from_env(timeout=timeout).api
    except docker.errors.DockerException as error:
        raise PipelineError(f"cannot reach the Docker engine ({error}); start dockerd or set DOCKER_HOST") from error


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class SocketInspector:
    """``inspect_image`` over the engine's unix socket; raises ``LookupError`` for an unknown image."""

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        self._path, self._timeout = path, timeout

    def inspect_image(self, image: str) -> dict[str, Any]:
        connection = _UnixConnection(self._path, self._timeout)
        try:
            connection.request("GET", f"/images/{quote(image, safe='')}/json")
            response = connection.getresponse()
            body = response.read()
        except OSError as error:
            raise PipelineError(f"cannot reach the Docker engine at {self._path} ({error}); start dockerd "
                                f"or set DOCKER_HOST") from error
        finally:
            connection.close()
        if response.status == 404:
            raise LookupError(image)
        if response.status != 200:
            raise PipelineError(f"the Docker engine answered {response.status} for image {image}")
        return dict(json.loads(body))


class ClientInspector:
    """The same through docker-py, for engines not on a local unix socket."""

    def __init__(self, api: Any) -> None:
        self._api = api

    def inspect_image(self, image: str) -> dict[str, Any]:
        import docker.errors
        try:
            return dict(self._api.inspect_image(image))
        except docker.errors.ImageNotFound as error:
            raise LookupError(image) from error


def inspector() -> Inspector:
    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    if host.startswith("unix://"):
        return SocketInspector(host.removeprefix("unix://"))
    return ClientInspector(api_client())
