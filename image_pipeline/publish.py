"""``publish``: build once, then for every destination in parallel: compare with the registry, tag with
the destination's URI, push each tag explicitly, and report the digest the registry returned.

The per-destination step is ``publish_to``. The first destination is pushed through the engine; the others
then copy the image from that registry blob by blob (``blobcopy``: no second compression), falling back to
an engine push when the copy cannot be done."""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Sequence

from ecr_spec import Target

from . import build, remote, tags as tagging, targets
from .engine import engine_errors
from .errors import PipelineError, RegistryError
from .push import push_tag
from .report import DestinationResult, PublishResult
from .retry import is_token_expiry, with_retry
from .runtime import Runtime, token_key
from .settings import BuildSettings, PublishSettings, RetrySettings
from .targets import Destination

_NOT_BUILT = "not published: the image was not built"
Source = tuple["Future[DestinationResult]", Target]


def publish(settings: PublishSettings, runtime: Runtime) -> PublishResult:
    """Raises ``PipelineError`` only for bad input; every destination's failure is in the result."""
    chosen = targets.select(runtime.spec, settings.repository, settings.environments)
    tag_list = tagging.compute(settings.tags, settings.build.context)
    with ThreadPoolExecutor(max_workers=1) as side:  # hash the build inputs while ECR answers
        prepared = None if settings.dry_run or settings.rebuild else side.submit(
            build.reusable, runtime.inspector(), settings.build)
        resolved = resolve_all(chosen, settings.repository, runtime)
        reuse = prepared.result() if prepared else None
    if settings.dry_run:
        return PublishResult(settings.repository, None, tuple(
            planned(t, d, tag_list) if isinstance(d, Destination) else failed(t, None, tag_list, d, 0.0)
            for t, d in resolved))
    image_id: str | None = None
    repo_digests: list[str] = []
    build_error = _NOT_BUILT
    if any(isinstance(d, Destination) for _, d in resolved):
        try:
            image_id, repo_digests = build_once(settings.build, runtime, not settings.rebuild, reuse)
        except PipelineError as error:
            build_error = str(error)
    with ThreadPoolExecutor(max_workers=max(len(resolved), 1)) as pool:
        futures: list[Future[DestinationResult] | None] = []
        primary: Source | None = None
        for t, d in resolved:
            if not (isinstance(d, Destination) and image_id):
                futures.append(None)
                continue
            future = pool.submit(publish_to, t, d, image_id, repo_digests, tag_list, runtime, settings.retry,
                                 primary if runtime.copier else None)
            futures.append(future)
            primary = primary or (future, t)
        results = tuple(
            f.result() if f is not None else failed(t, d if isinstance(d, Destination) else None, tag_list,
                                                    d if isinstance(d, PipelineError) else build_error, 0.0)
            for (t, d), f in zip(resolved, futures))
    runtime.progress.close()
    return PublishResult(settings.repository, image_id, results)


def resolve_all(chosen: Sequence[Target], repository: str,
                runtime: Runtime) -> list[tuple[Target, Destination | PipelineError]]:
    def one(target: Target) -> Destination | PipelineError:
        try:
            return targets.resolve(target, repository, runtime.ecr_for(target))
        except PipelineError as error:
            return error
    with ThreadPoolExecutor(max_workers=max(len(chosen), 1)) as pool:
        return list(zip(chosen, pool.map(one, chosen)))


def build_once(settings: BuildSettings, runtime: Runtime, reuse: bool = True,
               prepared: build.Reusable | None = None) -> tuple[str, list[str]]:
    """Builds the image (unless one from the same inputs exists); returns its id and its RepoDigests."""
    key, cached = (prepared or build.reusable(runtime.inspector(), settings)) if reuse else (None, None)
    if cached:
        runtime.progress.log(f"inputs of {settings.context} unchanged since the build of {cached['Id'][7:19]}: "
                             f"not building again (--rebuild forces a build)")
        return str(cached["Id"]), list(cached.get("RepoDigests") or [])
    runtime.progress.log(f"building {settings.context}")
    image_id = build.build_image(runtime.docker(), settings, runtime.progress.log, key)
    runtime.progress.log(f"built {image_id}")
    try:
        return image_id, list(runtime.inspector().inspect_image(image_id).get("RepoDigests") or [])
    except LookupError as error:
        raise PipelineError(f"the built image {image_id} is gone from the engine") from error


def publish_to(target: Target, destination: Destination, image_id: str, repo_digests: Sequence[str],
               tag_list: Sequence[str], runtime: Runtime, retry: RetrySettings,
               source: Source | None = None) -> DestinationResult:
    """One destination. With ``source`` (the first destination's future), copies the image from that
    registry once it holds it, instead of pushing (and compressing) it through the engine again."""
    started = time.monotonic()
    label = destination.label
    try:
        runtime.progress.state(label, "checking")
        ecr = runtime.ecr_for(target)
        found = with_retry(lambda: remote.remote_images(ecr, destination.repository, tag_list), retry,
                           sleep=runtime.sleep)
        decision = remote.plan(destination, tag_list, image_id, repo_digests, found)
        if decision.digest is not None:
            runtime.progress.state(label, "unchanged")
            return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                                     tuple(tag_list), decision.digest, "unchanged", None,
                                     time.monotonic() - started)
        runtime.progress.state(label, "pushing")
        digest = copy_from(source, destination, image_id, decision.push, runtime, retry) if source else None
        digest = digest or push_tags(target, destination, image_id, decision.push, runtime, retry)
        runtime.progress.state(label, "pushed")
        return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                                 tuple(tag_list), digest, "pushed", None, time.monotonic() - started)
    except PipelineError as error:
        runtime.progress.state(label, "failed")
        return failed(target, destination, tag_list, error, time.monotonic() - started)


def push_tags(target: Target, destination: Destination, image_id: str, tag_list: Sequence[str],
              runtime: Runtime, retry: RetrySettings) -> str:
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
                                lambda event: runtime.progress.layer(label, event))
            except RegistryError as error:
                if is_token_expiry(str(error)) and not runtime.tokens.invalidate(token_key(target), token):
                    raise RegistryError(str(error)) from error
                raise

        def on_retry(error: RegistryError, attempt_number: int, delay: float) -> None:
            runtime.progress.log(f"[{label}] attempt {attempt_number} failed ({error}); retrying in {delay:.1f}s")

        digests[tag] = with_retry(attempt, retry, on_retry, sleep=runtime.sleep)
    if len(set(digests.values())) != 1:
        raise RegistryError(f"{uri}: the tags were stored at different digests {digests}; publish again")
    return next(iter(digests.values()))


def copy_from(source: Source, destination: Destination, image_id: str, tag_list: Sequence[str],
              runtime: Runtime, retry: RetrySettings) -> str | None:
    """The fast path; None (after saying why) when the engine push has to do it."""
    future, source_target = source
    origin = future.result()
    if origin.status not in ("pushed", "unchanged") or not origin.digest or not origin.repository_uri:
        return None
    source_host = origin.repository_uri.split("/", 1)[0]
    copier = runtime.copier
    assert copier is not None
    try:
        source_token, token = runtime.token(source_target), runtime.token_for_host(destination)
        digest = with_retry(lambda: copier(origin.repository_uri or "", source_token, str(origin.digest),
                                           destination, token, tag_list,
                                           lambda event: runtime.progress.layer(destination.label, event)),
                            retry, sleep=runtime.sleep)
    except (PipelineError, OSError, ValueError, KeyError) as error:
        runtime.progress.log(f"[{destination.label}] copying from {source_host} failed ({error}); pushing instead")
        return None
    tag_locally(runtime.docker(), image_id, destination.repository_uri, tag_list)
    runtime.progress.log(f"[{destination.label}] copied {origin.digest[:19]} from {source_host}")
    return digest


def tag_locally(api: Any, image_id: str, repository_uri: str, tag_list: Sequence[str]) -> None:
    for tag in tag_list:
        try:
            api.tag(image_id, repository_uri, tag, force=True)
        except engine_errors() as error:
            raise RegistryError(f"cannot tag {image_id} as {repository_uri}:{tag}: {error}") from error


def planned(target: Target, destination: Destination, tag_list: Sequence[str]) -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                             tuple(tag_list), None, "planned", None, 0.0)


def failed(target: Target, destination: Destination | None, tag_list: Sequence[str], error: Any,
           seconds: float) -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region,
                             destination.repository_uri if destination else None, tuple(tag_list), None,
                             "failed", str(error), seconds)
