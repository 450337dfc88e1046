"""Everything the command functions talk to, bundled so tests can hand in fakes: the spec, ECR clients
per destination, the token cache, the Docker engine, progress output."""
from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ecr_spec import RegistrySpec, Target

from . import auth, blobcopy, fanout, progress, targets
from .aws import Sessions
from .deadline import Deadline
from .engine import Inspector, api_client, inspector
from .progress import Progress
from .settings import CredentialSettings, SpecSource
from .stream import OnLayer


@dataclass
class Runtime:
    spec: RegistrySpec
    ecr_for: Callable[[Target], Any]
    tokens: auth.TokenCache
    docker: Callable[[], Any]
    progress: Progress
    inspector: Callable[[], Inspector] = inspector
    copier: Copier | None = None  # the registry-to-registry fast path; None: every destination is pushed
    fanout: fanout.FanOut | None = None  # compress once, upload to many; None: the engine pushes each one
    sleep: Callable[[float], None] = field(default=time.sleep)
    jitter: Callable[[float, float], float] = field(default=random.uniform)  # the retry waits' randomness
    known_targets: dict[tuple[str, str], Target] = field(default_factory=dict)

    def token_for_host(self, destination: Any) -> auth.Token:
        """The token for a resolved destination (anything with environment, account and region)."""
        return self.token(Target(destination.environment, destination.account, destination.region))

    def token(self, target: Target) -> auth.Token:
        """The cached ECR token for the target's registry (account + region)."""
        self.known_targets.setdefault(token_key(target), target)
        return self.tokens.get(token_key(target))


# (source URI, its token, digest, destination, its token, tags, on_layer, *, deadline, on_tag) -> digest
Copier = Callable[..., str]


def copy_between_registries(source_uri: str, source_token: auth.Token, digest: str, destination: Any,
                            token: auth.Token, tags: Sequence[str], on_layer: OnLayer, *,
                            deadline: Deadline | None = None,
                            on_tag: Callable[[str], None] = lambda tag: None) -> str:
    """``Copier`` over the registries' HTTP API (see ``blobcopy``)."""
    source_host, source_repository = source_uri.split("/", 1)
    reader = fanout.registry_client(source_host, source_token, deadline)
    writer = fanout.registry_client(destination.host, token, deadline)
    return blobcopy.copy_image(reader, source_repository, digest, writer, destination.repository, tags, on_layer,
                               deadline, on_tag)


def token_key(target: Target) -> tuple[str, str]:
    return (target.account, target.region)


def create(spec_source: SpecSource, credentials: CredentialSettings,
           progress_out: Progress | None = None) -> Runtime:
    """The real thing: AWS sessions per account, docker-py, progress on stderr."""
    spec = targets.load(spec_source)
    sessions = Sessions(credentials)
    known: dict[tuple[str, str], Target] = {}

    def ecr_for(target: Target) -> Any:
        return sessions.ecr(spec.environment(target.environment), target.region)

    def fetch(key: tuple[str, str]) -> auth.Token:
        target = known[key]
        return auth.fetch_token(ecr_for(target), f"account {target.account} region {target.region}")

    return Runtime(spec, ecr_for, auth.TokenCache(fetch), api_client,
                   progress_out or progress.for_stream(sys.stderr), known_targets=known,
                   copier=copy_between_registries, fanout=fanout.FanOut())
