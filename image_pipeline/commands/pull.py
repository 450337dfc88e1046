"""``pull``: pull REPOSITORY:TAG from one destination and check the digest against the registry."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ecr_spec import Target

from ..core.deadline import Deadline
from ..core.errors import DigestMismatchError, RegistryError, SettingsError
from ..core.retry import with_retry
from ..ecr import targets
from ..ecr.targets import Destination
from ..ecr.tokens import Token
from ..engine.docker import engine_errors, interruptible
from ..engine.stream import engine_message_transient, read_pull_stream
from ..oci.client import Fixed, RegistryClient
from .runtime import Runtime
from .settings import PullSettings, split_reference

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


def registry_digest(client: RegistryClient, repository: str, tag: str) -> str:
    """The digest the registry holds for ``repository:tag`` (a ``HEAD`` of the manifest)."""
    digest = client.manifest_digest(repository, tag)
    if digest is None:
        raise RegistryError(f"{client.host}/{repository}:{tag} is not in the registry (no such tag)")
    return digest


def pull(settings: PullSettings, runtime: Runtime, token_for: TokenFor | None = None) -> PullResult:
    """``token_for`` gives the puller's token (another account's, for cross-account pulls); default: the
    destination account's own."""
    started = time.monotonic()
    target = choose(settings, runtime)
    destination: Destination = targets.resolve(target, settings.repository, runtime.ecr_for(target))
    token = (token_for or runtime.token)(target)
    auth_config = token.auth_config(destination.host)
    reference = f"{destination.repository_uri}:{settings.tag}"
    client = runtime.registry(destination, Deadline(), Fixed(token.username, token.password))
    expected = with_retry(lambda: registry_digest(client, destination.repository, settings.tag), settings.retry,
                          sleep=runtime.sleep)
    api = runtime.docker()
    runtime.progress.state(destination.label, f"pulling {reference}")

    def attempt() -> str:
        try:
            chunks = api.pull(destination.repository_uri, tag=settings.tag, stream=True, decode=True,
                              auth_config=auth_config)
            return read_pull_stream(interruptible(chunks), f"pull of {reference}",
                                    lambda e: runtime.progress.layer(destination.label, e))
        except engine_errors() as error:
            raise RegistryError(f"pull of {reference}: {error}",
                                transient=engine_message_transient(str(error))) from error

    digest = with_retry(attempt, settings.retry, sleep=runtime.sleep)
    runtime.progress.close()
    if digest != expected:
        raise DigestMismatchError(f"pulled {reference} at {digest} but the registry says {expected}")
    local = api.inspect_image(f"{reference}").get("RepoDigests") or []
    if f"{destination.repository_uri}@{digest}" not in local:
        raise DigestMismatchError(f"the local image {reference} does not carry digest {digest} (has {local})")
    return PullResult(destination.repository_uri, settings.tag, digest, time.monotonic() - started)
