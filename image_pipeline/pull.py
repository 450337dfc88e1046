"""``pull``: pull REPOSITORY:TAG from one destination and check the digest against the registry."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ecr_spec import Target

from . import targets
from .auth import Token
from .engine import engine_errors
from .errors import DigestMismatchError, RegistryError, SettingsError
from .retry import is_transient, with_retry
from .runtime import Runtime
from .settings import PullSettings, split_reference
from .stream import read_stream
from .targets import Destination

TokenFor = Callable[[Target], Token]
__all__ = ["PullResult", "pull", "split_reference"]


@dataclass(frozen=True)
class PullResult:
    repository_uri: str
    tag: str
    digest: str
    seconds: float


def choose(settings: PullSettings, runtime: Runtime) -> Target:
    chosen = targets.select(runtime.spec, settings.repository,
                            (settings.environment,) if settings.environment else ())
    if settings.region:
        chosen = tuple(t for t in chosen if t.region == settings.region)
        if not chosen:
            raise SettingsError(f"repository {settings.repository!r} is not deployed to region {settings.region} "
                                f"of the chosen environment")
    return chosen[0]


def registry_digest(api: Any, reference: str, auth_config: dict[str, str]) -> str:
    """The digest the registry holds for ``reference`` (URI:TAG), asked through the engine."""
    import docker.errors
    try:
        return str(api.inspect_distribution(reference, auth_config=auth_config)["Descriptor"]["digest"])
    except docker.errors.NotFound as error:
        raise RegistryError(f"{reference} is not in the registry (no such tag)") from error
    except engine_errors() as error:
        message = str(error)
        raise RegistryError(f"cannot look up {reference} in the registry: {message}",
                            transient=is_transient(message)) from error


def pull(settings: PullSettings, runtime: Runtime, token_for: TokenFor | None = None) -> PullResult:
    """``token_for`` gives the puller's token (another account's, for cross-account pulls); default: the
    destination account's own."""
    started = time.monotonic()
    target = choose(settings, runtime)
    destination: Destination = targets.resolve(target, settings.repository, runtime.ecr_for(target))
    token = (token_for or runtime.token)(target)
    auth_config = token.auth_config(destination.host)
    reference = f"{destination.repository_uri}:{settings.tag}"
    api = runtime.docker()
    expected = with_retry(lambda: registry_digest(api, reference, auth_config), settings.retry, sleep=runtime.sleep)
    runtime.progress.state(destination.label, f"pulling {reference}")

    def attempt() -> str:
        try:
            chunks = api.pull(destination.repository_uri, tag=settings.tag, stream=True, decode=True,
                              auth_config=auth_config)
            return read_stream(chunks, f"pull of {reference}", lambda e: runtime.progress.layer(destination.label, e))
        except engine_errors() as error:
            raise RegistryError(f"pull of {reference}: {error}", transient=is_transient(str(error))) from error

    digest = with_retry(attempt, settings.retry, sleep=runtime.sleep)
    runtime.progress.close()
    if digest != expected:
        raise DigestMismatchError(f"pulled {reference} at {digest} but the registry says {expected}")
    local = api.inspect_image(f"{reference}").get("RepoDigests") or []
    if f"{destination.repository_uri}@{digest}" not in local:
        raise DigestMismatchError(f"the local image {reference} does not carry digest {digest} (has {local})")
    return PullResult(destination.repository_uri, settings.tag, digest, time.monotonic() - started)
