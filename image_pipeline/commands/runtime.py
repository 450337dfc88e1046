"""Everything the command functions talk to, bundled so tests can hand in fakes: the spec, ECR clients per
destination, the token cache, registry clients, the Docker engine, progress output."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable

from ecr_spec import RegistrySpec, Target

from ..core import cancel
from ..core.deadline import Deadline
from ..core.events import Progress
from ..ecr import targets, tokens
from ..ecr.aws import Sessions
from ..ecr.config import CredentialSettings, SpecSource
from ..ecr.targets import Destination
from ..engine.docker import Inspector, api_client, inspector
from ..oci.client import Credentials, RegistryClient
from ..transfer.mounts import Sightings

ClientFor = Callable[[Destination, Deadline, Credentials], RegistryClient]


@dataclass
class Runtime:
    spec: RegistrySpec
    ecr_for: Callable[[Target], Any]
    tokens: tokens.TokenCache
    docker: Callable[[], Any]
    progress: Progress
    inspector: Callable[[], Inspector] = inspector
    client_for: ClientFor | None = None  # the registry client of a destination (default: ECR credentials)
    sleep: Callable[[float], None] = cancel.pause  # every wait (retries, replicas); an interrupt ends it
    jitter: Callable[[float, float], float] = field(default=random.uniform)  # the retry waits' randomness
    sightings: Sightings = field(default_factory=Sightings)  # blobs seen per registry, for mounts
    known_targets: dict[tuple[str, str], Target] = field(default_factory=dict)

    def token(self, target: Target) -> tokens.Token:
        """The cached ECR token for the target's registry (account + region)."""
        self.known_targets.setdefault(token_key(target), target)
        return self.tokens.get(token_key(target))

    def registry(self, destination: Destination, deadline: Deadline,
                 credentials: Credentials | None = None) -> RegistryClient:
        """A registry client for ``destination``: with ``credentials``, or (by default) the destination account's
        ECR token, renewed when the registry refuses it."""
        if credentials is None:
            target = Target(destination.environment, destination.account, destination.region)
            self.known_targets.setdefault(token_key(target), target)
            credentials = tokens.EcrCredentials(self.tokens, token_key(target))
        if self.client_for is not None:
            return self.client_for(destination, deadline, credentials)
        return RegistryClient(destination.host, credentials, deadline=deadline)


def token_key(target: Target) -> tuple[str, str]:
    return (target.account, target.region)


def create(spec_source: SpecSource, credentials: CredentialSettings, progress: Progress) -> Runtime:
    """The real thing: AWS sessions per account (created on first use), docker-py, ``progress``."""
    spec = targets.load(spec_source)
    sessions = Sessions(credentials)
    known: dict[tuple[str, str], Target] = {}

    def ecr_for(target: Target) -> Any:
        return sessions.ecr(spec.environment(target.environment), target.region)

    def fetch(key: tuple[str, str]) -> tokens.Token:
        target = known[key]
        return tokens.fetch_token(ecr_for(target), f"account {target.account} region {target.region}")

    return Runtime(spec, ecr_for, tokens.TokenCache(fetch), api_client, progress, known_targets=known)
