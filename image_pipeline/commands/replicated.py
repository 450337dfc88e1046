"""``publish`` with ECR replication: what ``commands.publish`` calls to push only to the sources and to report
the replicas.

- ``sources``: the destinations to push (``replicas.split`` of the publish's destinations and the registries
  the spec replicates the repository to from them);
- ``planned_rows`` (``--dry-run``) and ``replica_rows`` (after the push: ``replicas.wait_for_replicas``, one
  row per replica with ``replicated`` / ``replicating`` / ``failed``, the digest and the seconds waited;
  ``skipped`` when its source was not published);
"""
from __future__ import annotations

from typing import Any, Sequence

from ecr_spec import Target

from ..core.errors import PipelineError
from ..ecr import registries, replicas, targets
from .results import DestinationResult
from .runtime import Runtime

REPLICA_TIMEOUT = 300.0  # seconds a publish waits for its replicas (ECR replicates "typically within minutes")


def wait_limit(overall: Any) -> float:
    """How long to wait for replicas: ``REPLICA_TIMEOUT``, never past the publish's ``--deadline``."""
    return REPLICA_TIMEOUT if overall.seconds is None else max(0.0, min(REPLICA_TIMEOUT, overall.remaining()))


def _split(runtime: Runtime, repository: str, chosen: Sequence[Target]) -> replicas.Split:
    return replicas.split(runtime.spec, repository, replicas.with_replicas(runtime.spec, repository, chosen))


def sources(runtime: Runtime, repository: str, chosen: Sequence[Target]) -> tuple[Target, ...]:
    """The destinations the publisher pushes to: ``chosen`` minus those ECR replication feeds."""
    return _split(runtime, repository, chosen).sources


def _uri(runtime: Runtime, target: Target, repository: str) -> str | None:
    try:
        return targets.resolve(target, repository, runtime.ecr_for(target)).repository_uri
    except PipelineError:
        return None  # not declared there (yet): ECR creates it on the first replication


def _row(runtime: Runtime, target: Target, repository: str, tags: Sequence[str], digest: str | None, status: str,
         error: str | None, seconds: float) -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region, _uri(runtime, target, repository),
                             tuple(tags), digest, status, error, seconds, uploaded_bytes=0)


def planned_rows(runtime: Runtime, repository: str, chosen: Sequence[Target],
                 tags: Sequence[str]) -> tuple[DestinationResult, ...]:
    """The replicas of a dry run, with their URIs from the spec (no AWS call)."""
    fed = _split(runtime, repository, chosen).replicas
    return tuple(DestinationResult(t.environment, t.account, t.region,
                                   registries.planned(t, repository).repository_uri, tuple(tags), None, "planned",
                                   None, 0.0, uploaded_bytes=0) for t in fed)


def replica_rows(runtime: Runtime, repository: str, chosen: Sequence[Target], pushed: Sequence[DestinationResult],
                 tags: Sequence[str], wait: bool, timeout: float = REPLICA_TIMEOUT) -> tuple[DestinationResult, ...]:
    """One row per replica, in the order of the spec; waits (unless ``wait`` is false) for those whose source
    was published."""
    fed = _split(runtime, repository, chosen).replicas
    by_registry = {(r.account, r.region): r for r in pushed}
    waiting: list[replicas.Replica] = []
    rows: dict[Target, DestinationResult] = {}
    for replica, source in fed.items():
        origin = by_registry.get((source.account, source.region))
        if origin is None or origin.status not in ("pushed", "unchanged") or not origin.digest:
            rows[replica] = _row(runtime, replica, repository, tags, None, "skipped",
                                 f"not replicated: its source {source.environment}/{source.region} was not published",
                                 0.0)
        else:
            waiting.append(replicas.Replica(replica, source, origin.digest, tuple(tags)))
    if waiting:
        runtime.progress.log(f"waiting for ECR replication to {', '.join(f'{r.target.environment}/{r.target.region}' for r in waiting)}"
                             if wait else "not waiting for ECR replication (--no-wait)")
    for result in replicas.wait_for_replicas(waiting, repository, runtime.ecr_for, wait=wait, timeout=timeout,
                                             sleep=runtime.sleep):
        rows[result.target] = _row(runtime, result.target, repository, tags, result.digest, result.status,
                                   result.reason if result.status == replicas.FAILED else None,
                                   result.waited_seconds)
    return tuple(rows[t] for t in fed)
