"""``publish``: build once, check every destination (``preflight``), then for every destination in
parallel: tag with the destination's URI, push each tag explicitly, and report the digest the registry
returned and the tags that moved.

Nothing is pushed anywhere when any destination fails pre-flight (unless ``allow_partial``). The first
destination is pushed through the engine; the others then copy the image from that registry blob by blob
(``blobcopy``: no second compression), falling back to an engine push when the copy cannot be done.
Each destination runs under its own ``timeout`` inside the publish's ``deadline``; whatever goes wrong
inside a destination, exceptions included, becomes that destination's ``failed`` result."""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from ecr_spec import Target

from . import build, preflight, publish_fanout, replicated, tags as tagging, targets
from .deadline import Deadline
from .errors import PipelineError, RegistryError, unexpected
from .outcomes import Moves, failed, moved_after_failure, planned, result, tag_locally
from .preflight import Checked
from .push import push_tag
from .report import DestinationResult, PublishResult
from .retry import is_token_expiry, with_retry
from .runtime import Runtime, token_key
from .settings import BuildSettings, PublishSettings, RetrySettings
from .targets import Destination

_NOT_BUILT = "not published: the image was not built"
_SKIPPED = ("not pushed: another destination failed the pre-flight check (--allow-partial pushes to the ones "
            "that pass)")
Source = tuple["Future[DestinationResult]", Target]


@dataclass(frozen=True)
class Ready:
    """A publish through pre-flight with nothing pushed yet: the image built, every destination planned."""

    settings: PublishSettings
    image_id: str
    tag_list: tuple[str, ...]
    checked: tuple[Checked, ...]


def publish(settings: PublishSettings, runtime: Runtime, overall: Deadline | None = None) -> PublishResult:
    """Raises ``PipelineError`` only for bad input; every destination's failure is in the result."""
    overall = overall or Deadline(settings.deadline, label="--deadline")
    ready = prepare(settings, runtime, overall)
    return ready if isinstance(ready, PublishResult) else push_ready(ready, runtime, overall)


def prepare(settings: PublishSettings, runtime: Runtime, overall: Deadline) -> Ready | PublishResult:
    """Pre-flight and the build; a ``PublishResult`` when the publish ends here (dry run, a destination
    that would fail, a failed build), else what ``push_ready`` pushes."""
    chosen = replicated.sources(runtime, settings.repository,
                                targets.select(runtime.spec, settings.repository, settings.environments))
    tag_list = tagging.compute(settings.tags, settings.build.context)
    with ThreadPoolExecutor(max_workers=1) as side:  # hash the build inputs while ECR answers
        prepared = None if settings.dry_run or settings.rebuild else side.submit(
            build.reusable, runtime.inspector(), settings.build)
        checked = preflight.access(chosen, settings.repository, runtime)
        reuse = prepared.result() if prepared else None
    if settings.dry_run:
        return PublishResult(settings.repository, None, tuple(
            planned(c.target, c.destination, tag_list) if c.destination and c.ok else
            failed(c.target, c.destination, tag_list, c.problem, 0.0) for c in checked) + replicated.planned_rows(
            runtime, settings.repository, chosen, tag_list))
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(settings.repository, None, checked, tag_list)
    image_id: str | None = None
    repo_digests: list[str] = []
    build_error = _NOT_BUILT
    if any(c.ok for c in checked):
        try:
            image_id, repo_digests = build_once(settings.build, runtime, not settings.rebuild, reuse, overall)
        except PipelineError as error:
            build_error = str(error)
    if image_id is None:
        return PublishResult(settings.repository, None, tuple(
            failed(c.target, c.destination, tag_list, c.problem or build_error, 0.0) for c in checked))
    checked = preflight.tags(checked, tag_list, image_id, repo_digests, runtime, settings.retry,
                             overall.child(settings.timeout))
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(settings.repository, image_id, checked, tag_list)
    return Ready(settings, image_id, tuple(tag_list), tuple(checked))


def push_ready(ready: Ready, runtime: Runtime, overall: Deadline) -> PublishResult:
    """Pushes to the sources, then reports (and by default waits for) the replicas ECR replication feeds."""
    settings, tally = ready.settings, replicated.counting(runtime)
    pushed = replicated.with_uploads(push_all(ready.checked, ready.image_id, ready.tag_list, runtime, settings,
                                              overall), tally, runtime, settings.repository, ready.image_id)
    fed = replicated.replica_rows(runtime, settings.repository, [c.target for c in ready.checked], pushed,
                                  ready.tag_list, settings.wait, replicated.wait_limit(overall))
    return PublishResult(settings.repository, ready.image_id, pushed + fed)


def held_back(ready: Ready) -> PublishResult:
    """Another publish of the same run (a compose service) failed pre-flight: this one pushes nothing."""
    return stopped(ready.settings.repository, ready.image_id, ready.checked, ready.tag_list)


def push_all(checked: Sequence[Checked], image_id: str, tag_list: Sequence[str], runtime: Runtime,
             settings: PublishSettings, overall: Deadline) -> tuple[DestinationResult, ...]:
    """Two or more cold destinations: compress once, upload to all (``fanout``). Otherwise (or when the
    image cannot be exported) one engine push, and the others copy from the registry that has the image:
    a destination that already holds it comes first, so every destination ends at its digest."""
    fed = publish_fanout.fan_out(checked, image_id, tag_list, runtime, settings, overall)
    order = sorted(range(len(checked)), key=lambda i: not (checked[i].plan and checked[i].plan.digest))
    pool = ThreadPoolExecutor(max_workers=max(len(checked), 1))
    try:
        futures: dict[int, Future[DestinationResult]] = {}
        primary: Source | None = None
        for index in order:
            item = checked[index]
            if index in fed or not item.ok or item.destination is None or item.plan is None:
                continue
            futures[index] = pool.submit(publish_to, item, image_id, tag_list, runtime, settings, overall,
                                         primary if runtime.copier else None)
            primary = primary or (futures[index], item.target)
        results = tuple(fed[i] if i in fed else futures[i].result() if i in futures else
                        failed(c.target, c.destination, tag_list, c.problem, 0.0) for i, c in enumerate(checked))
    except KeyboardInterrupt:
        overall.cancel()  # every destination stops at its next check; the CLI exits 130
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    runtime.progress.close()
    return results


def stopped(repository: str, image_id: str | None, checked: Sequence[Checked],
            tag_list: Sequence[str]) -> PublishResult:
    """Pre-flight found problems: nothing is pushed; the others are ``skipped`` (or ``unchanged``)."""
    rows = []
    for c in checked:
        if not c.ok:
            rows.append(failed(c.target, c.destination, tag_list, c.problem, 0.0))
        elif c.plan is not None and c.plan.digest is not None and c.destination is not None:
            rows.append(result(c.target, c.destination, tag_list, c.plan.digest, "unchanged", None, 0.0))
        else:
            rows.append(failed(c.target, c.destination, tag_list, _SKIPPED, 0.0, status="skipped"))
    return PublishResult(repository, image_id, tuple(rows))


def build_once(settings: BuildSettings, runtime: Runtime, reuse: bool = True,
               prepared: build.Reusable | None = None, deadline: Deadline | None = None) -> tuple[str, list[str]]:
    """Builds the image (unless one from the same inputs exists); returns its id and its RepoDigests."""
    key, cached = (prepared or build.reusable(runtime.inspector(), settings)) if reuse else (None, None)
    if cached:
        runtime.progress.log(f"inputs of {settings.context} unchanged since the build of {cached['Id'][7:19]}: "
                             f"not building again (--rebuild forces a build)")
        return str(cached["Id"]), list(cached.get("RepoDigests") or [])
    runtime.progress.log(f"building {settings.context}")
    image_id = build.build_image(runtime.docker(), settings, runtime.progress.log, key, deadline)
    runtime.progress.log(f"built {image_id}")
    try:
        return image_id, list(runtime.inspector().inspect_image(image_id).get("RepoDigests") or [])
    except LookupError as error:
        raise PipelineError(f"the built image {image_id} is gone from the engine") from error


def publish_to(item: Checked, image_id: str, tag_list: Sequence[str], runtime: Runtime,
               settings: PublishSettings, overall: Deadline, source: Source | None = None) -> DestinationResult:
    """One destination, already through pre-flight. With ``source`` (the first pushed destination's
    future), copies the image from that registry once it holds it, instead of pushing (and compressing)
    it through the engine again. Never raises: every failure is a ``failed`` result naming the tags that
    moved before it."""
    target, destination, plan = item.target, item.destination, item.plan
    assert destination is not None and plan is not None
    started = time.monotonic()
    label = destination.label
    moves = Moves()
    try:
        if plan.digest is not None:
            runtime.progress.state(label, "unchanged")
            return result(target, destination, tag_list, plan.digest, "unchanged", None, time.monotonic() - started)
        origin = wait_for(source, overall) if source else None
        deadline = overall.child(settings.timeout)  # this destination's own clock starts now
        runtime.progress.state(label, "pushing")
        digest = copy_from(origin, destination, image_id, plan.push, runtime, settings.retry, deadline,
                           moves) if origin else None
        digest = digest or push_tags(target, destination, image_id, plan.push, runtime, settings.retry, deadline,
                                     moves)
        runtime.progress.state(label, "pushed")
        return result(target, destination, tag_list, digest, "pushed", None, time.monotonic() - started,
                      tuple(moves.tags))
    except PipelineError as error:
        message = str(error)
    except Exception as error:  # noqa: BLE001 - a bug in one destination must not take the others down
        message = unexpected(error)
    runtime.progress.state(label, "failed")
    moved = moved_after_failure(item, image_id, tag_list, runtime, moves)
    if moved:
        message += f" (tags moved before the failure: {', '.join(moved)})"
    return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                             tuple(tag_list), moves.digest if moved else None, "failed", message,
                             time.monotonic() - started, moved)


def wait_for(source: Source, overall: Deadline) -> tuple[DestinationResult, Target] | None:
    future, source_target = source
    try:
        return future.result(timeout=None if overall.seconds is None else max(overall.remaining(), 0.0)), source_target
    except TimeoutError:
        return None


def push_tags(target: Target, destination: Destination, image_id: str, tag_list: Sequence[str],
              runtime: Runtime, retry: RetrySettings, deadline: Deadline, moves: Moves) -> str:
    """Tags the local image with the destination's URI and pushes each tag; returns the one digest."""
    api = runtime.docker()
    uri, label = destination.repository_uri, destination.label
    digests: dict[str, str] = {}
    tag_locally(api, image_id, uri, tag_list)
    for tag in tag_list:
        def attempt(tag: str = tag) -> str:
            token = runtime.token(target)
            try:
                return push_tag(api, uri, tag, token.auth_config(destination.host),
                                lambda event: runtime.progress.layer(label, event), deadline)
            except RegistryError as error:
                if is_token_expiry(str(error)) and not runtime.tokens.invalidate(token_key(target), token):
                    raise RegistryError(str(error)) from error
                raise

        def on_retry(error: RegistryError, attempt_number: int, delay: float) -> None:
            runtime.progress.log(f"[{label}] attempt {attempt_number} failed ({error}); retrying in {delay:.1f}s")

        digests[tag] = with_retry(attempt, retry, on_retry, sleep=runtime.sleep, deadline=deadline,
                                  rng=runtime.jitter)
        moves.add(tag, digests[tag])
    if len(set(digests.values())) != 1:
        raise RegistryError(f"{uri}: the tags were stored at different digests {digests}; publish again")
    return next(iter(digests.values()))


def copy_from(origin: tuple[DestinationResult, Target], destination: Destination, image_id: str,
              tag_list: Sequence[str], runtime: Runtime, retry: RetrySettings, deadline: Deadline,
              moves: Moves) -> str | None:
    """The fast path; None (after saying why) when the engine push has to do it."""
    first, source_target = origin
    if first.status not in ("pushed", "unchanged") or not first.digest or not first.repository_uri:
        return None
    source_host = first.repository_uri.split("/", 1)[0]
    copier = runtime.copier
    assert copier is not None
    try:
        source_token, token = runtime.token(source_target), runtime.token_for_host(destination)
        digest = with_retry(lambda: copier(first.repository_uri or "", source_token, str(first.digest),
                                           destination, token, tag_list,
                                           lambda event: runtime.progress.layer(destination.label, event),
                                           deadline=deadline, on_tag=lambda tag: moves.add(tag, first.digest)),
                            retry, sleep=runtime.sleep, deadline=deadline, rng=runtime.jitter)
    except (PipelineError, OSError, ValueError, KeyError) as error:
        deadline.check(f"copy to {destination.repository_uri}")
        runtime.progress.log(f"[{destination.label}] copying from {source_host} failed ({error}); pushing instead")
        return None
    tag_locally(runtime.docker(), image_id, destination.repository_uri, tag_list)
    runtime.progress.log(f"[{destination.label}] copied {first.digest[:19]} from {source_host}")
    return digest
