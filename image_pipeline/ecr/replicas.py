"""Replication-aware publishing: push only to the destinations ECR replication does not feed, then wait
for the replicas.

ECR (user guide "Private image replication in Amazon ECR"): a registry's replication configuration sends every
repository whose name starts with a rule's ``PREFIX_MATCH`` filter to the rule's destinations, after each push;
"a replication action only occurs once per image push" (an image replicated into B is not replicated again from
B to C). So, of a publish's destinations:

- ``split``: a *replica* is a destination the spec's replication rules (``RegistrySpec.replication_rules``) of
  another destination of the same publish feed, where that other destination is a *source* (pushed by the
  publisher); every other destination is a source;
- ``wait_for_replicas``: after the sources were pushed, polls each replica (``describe_images`` in the replica's
  registry; ``DescribeImageReplicationStatus`` in its source's) with exponential backoff and full jitter until
  it shows the source's digest under every published tag (``replicated``), ECR reports the replication
  ``FAILED``, or the time is up (``failed``, one line each). Without waiting, one look: ``replicating`` unless
  already there or failed.

Pure functions and a small client protocol (boto3's ECR client satisfies it); unit tested with fakes.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from ecr_spec import RegistrySpec, Target
from ecr_spec.plan.replication import all_targets
from ..core import retry

REPLICATED, REPLICATING, FAILED = "replicated", "replicating", "failed"
# Not there yet: the replica repository (ECR creates it on first replication) or the image. In the source, the
# push may not show in the API for a moment.
_PENDING_CODES = frozenset({"RepositoryNotFoundException", "ImageNotFoundException"})


class EcrClient(Protocol):
    """The two ECR calls the wait makes (boto3's ``ecr`` client has them)."""

    def describe_images(self, **kwargs: Any) -> Mapping[str, Any]: ...

    def describe_image_replication_status(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Split:
    """The publish's destinations: ``sources`` are pushed; each replica is fed by ECR from ``replicas[replica]``."""

    sources: tuple[Target, ...]
    replicas: Mapping[Target, Target]


@dataclass(frozen=True)
class Replica:
    """A replica to wait for: the source it is replicated from and what was pushed there."""

    target: Target
    source: Target
    digest: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ReplicaResult:
    target: Target
    status: str  # REPLICATED | REPLICATING | FAILED
    digest: str | None
    waited_seconds: float
    reason: str | None = None


def _where(target: Target) -> str:
    return f"{target.environment}/{target.region} ({target.account})"


def replicates(spec: RegistrySpec, source: Target, destination: Target, repository: str) -> bool:
    """Whether the spec's replication configuration for ``source``'s registry sends ``repository`` to
    ``destination``'s registry (a rule's filter is a prefix of the name: ECR's PREFIX_MATCH)."""
    if (source.account, source.region) == (destination.account, destination.region):
        return False
    return any(rule.replicates(repository) and any((d.account, d.region) == (destination.account, destination.region)
                                                   for d in rule.destinations)
               for rule in spec.replication_rules(source))


def with_replicas(spec: RegistrySpec, repository: str, destinations: Sequence[Target]) -> tuple[Target, ...]:
    """``destinations`` and, after them, every registry the spec replicates ``repository`` to from one of them
    that is not already listed. The spec refuses ``replicate_to`` a registry where the repository lives, so a
    repository's own destinations (``RegistrySpec.targets_for``) never include its replicas: a replication-aware
    publish adds them, each with its stack's environment (``ecr_spec.plan.replication.all_targets``; the spec only
    replicates to its environments' accounts)."""
    known = {(t.account, t.region): t for t in all_targets(spec)}
    result = list(destinations)
    for source in destinations:
        for rule in spec.replication_rules(source):
            if not rule.replicates(repository):
                continue
            for registry in rule.destinations:
                target = known.get((registry.account, registry.region)) or Target(
                    registry.account, registry.account, registry.region)
                if all((t.account, t.region) != (target.account, target.region) for t in result):
                    result.append(target)
    return tuple(result)


def split(spec: RegistrySpec, repository: str, destinations: Sequence[Target]) -> Split:
    """Sources and replicas of one publish, in the order given. A destination fed by several sources gets
    the first; one fed only by replicas is a source (replication is not transitive)."""
    feeders = {t: [s for s in destinations if s != t and replicates(spec, s, t, repository)] for t in destinations}
    fed_by: dict[Target, Target | None] = {}  # None: a source
    while len(fed_by) < len(destinations):
        decided = [t for t in destinations if t not in fed_by and all(f in fed_by for f in feeders[t])]
        if not decided:  # a replication cycle (the spec checks refuse them): push to the rest
            decided = [t for t in destinations if t not in fed_by][:1]
            fed_by[decided[0]] = None
            continue
        for t in decided:
            fed_by[t] = next((f for f in feeders[t] if f in fed_by and fed_by[f] is None), None)
    return Split(tuple(t for t in destinations if fed_by[t] is None),
                 {t: fed_by[t] for t in destinations if fed_by[t] is not None})  # type: ignore[misc]


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    return (response or {}).get("Error", {}).get("Code") if isinstance(response, dict) else None


def _look(replica: Replica, repository: str, ecr_for: Callable[[Target], EcrClient]) -> tuple[str, str | None]:
    """One look: (REPLICATED, None), (FAILED, reason) or (REPLICATING, what is still missing)."""
    try:
        found = ecr_for(replica.target).describe_images(
            repositoryName=repository, imageIds=[{"imageDigest": replica.digest}]).get("imageDetails") or []
        tags = {tag for image in found if image.get("imageDigest") == replica.digest
                for tag in image.get("imageTags") or ()}
        missing = [t for t in replica.tags if t not in tags]
        if found and not missing:
            return REPLICATED, None
        waiting = f"tags {', '.join(missing)} not yet on {replica.digest}" if found else "image not there yet"
    except Exception as error:  # noqa: BLE001 - botocore's errors; only "not there yet" keeps waiting
        if _error_code(error) not in _PENDING_CODES:
            return FAILED, f"cannot read the replica in {_where(replica.target)}: {error}"
        waiting = "image not there yet"
    try:
        statuses = ecr_for(replica.source).describe_image_replication_status(
            repositoryName=repository, imageId={"imageDigest": replica.digest}).get("replicationStatuses") or []
    except Exception as error:  # noqa: BLE001
        if _error_code(error) not in _PENDING_CODES:
            return FAILED, f"cannot read the replication status in {_where(replica.source)}: {error}"
        return REPLICATING, waiting
    for status in statuses:
        if (status.get("registryId"), status.get("region")) == (replica.target.account, replica.target.region):
            if status.get("status") == "FAILED":
                return FAILED, (f"ECR replication from {_where(replica.source)} failed: "
                                f"{status.get('failureCode') or 'no failure code'}")
            return REPLICATING, f"{waiting}, replication {status.get('status', 'IN_PROGRESS')}"
    return REPLICATING, f"{waiting}, and {_where(replica.source)} reports no replication to it (is the spec deployed?)"


def backoff(attempt: int, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)] (``retry.ceiling``)."""
    return rng() * retry.ceiling(attempt, base, cap)


def wait_for_replicas(replicas: Iterable[Replica], repository: str, ecr_for: Callable[[Target], EcrClient], *,
                      wait: bool = True, timeout: float = 300.0, base: float = 0.5, cap: float = 4.0,
                      clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                      rng: Callable[[], float] = random.random) -> list[ReplicaResult]:
    """Each replica's result, in the order given. With ``wait=False`` one look each (``replicating`` unless
    already replicated or failed); else looks again, backing off, until every replica is replicated or failed
    or ``timeout`` seconds have passed (then ``failed`` with what was still missing)."""
    pending = list(replicas)
    start = clock()
    results: dict[Replica, ReplicaResult] = {}
    attempt = 0
    while True:
        for replica in [r for r in pending if r not in results]:
            status, note = _look(replica, repository, ecr_for)
            if status != REPLICATING:
                results[replica] = ReplicaResult(replica.target, status, replica.digest if status == REPLICATED
                                                 else None, clock() - start, note)
            elif not wait:
                results[replica] = ReplicaResult(replica.target, REPLICATING, replica.digest, clock() - start, note)
            else:
                last_note = note
                if clock() - start >= timeout:
                    results[replica] = ReplicaResult(
                        replica.target, FAILED, None, clock() - start,
                        f"not replicated from {_where(replica.source)} after {timeout:g} s: {last_note}")
        if len(results) == len(pending):
            return [results[r] for r in pending]
        remaining = timeout - (clock() - start)
        sleep(max(0.0, min(backoff(attempt, base, cap, rng), remaining)))
        attempt += 1
