"""``publish`` with ECR replication: what ``image_pipeline.publish`` calls to push only to the sources, to
report the replicas, and to count the bytes the client uploaded to each destination.

- ``sources``: the destinations to push (``replicas.split`` of the publish's destinations and the registries
  the spec replicates the repository to from them);
- ``planned_rows`` (``--dry-run``) and ``replica_rows`` (after the push: ``replicas.wait_for_replicas``, one
  row per replica with ``replicated`` / ``replicating`` / ``failed``, the digest and the seconds waited;
  ``skipped`` when its source was not published);
- ``counting`` / ``with_uploads``: a progress proxy that tallies each destination's layer events, then
  ``uploaded_bytes`` per row (``image_pipeline.uploads``; 0 for a replica).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Sequence

from ecr_spec import Target

from . import replicas, targets
from .errors import PipelineError
from .progress import Progress
from .report import DestinationResult
from .runtime import Runtime
from .stream import LayerEvent
from .uploads import UploadTally, uploaded_bytes_of

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
    fed = _split(runtime, repository, chosen).replicas
    return tuple(_row(runtime, t, repository, tags, None, "planned", None, 0.0) for t in fed)


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


class _Counting:
    """A ``Progress`` that also tallies layer events per destination label."""

    def __init__(self, inner: Progress, tally: UploadTally) -> None:
        self._inner, self._tally = inner, tally

    def log(self, line: str) -> None:
        self._inner.log(line)

    def state(self, label: str, text: str) -> None:
        self._inner.state(label, text)

    def layer(self, label: str, event: LayerEvent) -> None:
        self._tally.observe(label, event)
        self._inner.layer(label, event)

    def close(self) -> None:
        self._inner.close()


def counting(runtime: Runtime) -> UploadTally:
    """A fresh tally of the uploads of ``runtime``'s pushes from now on (its progress is wrapped once; each
    publish of a compose-publish, one after the other, gets its own tally)."""
    tally = UploadTally()
    if isinstance(runtime.progress, _Counting):
        runtime.progress._tally = tally
    else:
        runtime.progress = _Counting(runtime.progress, tally)
    return tally


def with_uploads(rows: Sequence[DestinationResult], tally: UploadTally, runtime: Runtime, repository: str,
                 image_id: str) -> tuple[DestinationResult, ...]:
    """``rows`` with ``uploaded_bytes``: compressed sizes of the layers pushed to each (None when unknown)."""
    try:
        diff_ids = list((runtime.inspector().inspect_image(image_id).get("RootFS") or {}).get("Layers") or [])
    except LookupError:
        diff_ids = []
    result = []
    for row in rows:
        label = f"{row.environment}/{row.region}"
        target = Target(row.environment, row.account, row.region)

        def manifest(row: DestinationResult = row, target: Target = target) -> dict[str, Any]:
            answer = runtime.ecr_for(target).batch_get_image(repositoryName=repository,
                                                             imageIds=[{"imageDigest": row.digest}])
            return json.loads(answer["images"][0]["imageManifest"])
        try:
            count: int | None = uploaded_bytes_of(tally, label, manifest, diff_ids)
        except Exception:  # noqa: BLE001 - the count is a report; an unreadable manifest leaves it unknown
            count = None
        result.append(dataclasses.replace(row, uploaded_bytes=count))
    return tuple(result)
