"""``publish``: build once, check every destination (``ecr.preflight``), then move the image to every
destination that needs it through the one transfer engine (``transfer.engine``, driven by ``push``), and
report each destination's digest, the tags that moved and the bytes sent.

Nothing is pushed anywhere when any destination fails pre-flight (unless ``allow_partial``). The source is
the local image (read from the engine once, each layer compressed once), or, when a destination already
holds this very image, that registry's copy, so every destination ends at its digest. Each destination runs
under its own ``timeout`` inside the publish's ``deadline``; whatever goes wrong inside one destination
becomes that destination's ``failed`` row."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Sequence

from ecr_spec import Target

from ..core.deadline import Deadline
from ..core.errors import BuildError, PipelineError, SettingsError, unexpected
from ..ecr import preflight, registries, targets
from ..ecr.preflight import Checked
from ..engine import build, platforms
from ..engine.build_inputs import BuildSettings
from ..oci.media import Platform
from ..transfer.sinks import Sink
from . import replicated, tags as tagging
from .outcomes import failed, planned, unchanged
from .ready import Ready
from .results import DestinationResult, PublishResult
from .runtime import Runtime
from .settings import PublishSettings

_NOT_BUILT = "not published: the image was not built"
_SKIPPED = ("not pushed: another destination failed the pre-flight check (--allow-partial pushes to the ones "
            "that pass)")


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
    several = len(settings.platforms) > 1
    one = replace(settings.build, platform=settings.platforms[0]) if len(settings.platforms) == 1 else settings.build
    for platform in settings.platforms:
        problem = platforms.emulation_problem(_dockerfile(settings.build), Platform.parse(platform))
        if problem:
            raise BuildError(problem)
    if settings.dry_run:
        return dry_run(settings, runtime, chosen, tag_list)
    with ThreadPoolExecutor(max_workers=1) as side:  # hash the build inputs while ECR answers
        prepared = None if settings.rebuild or several else side.submit(build.reusable, runtime.inspector(), one)
        checked = preflight.access(chosen, settings.repository, runtime)
        reuse = prepared.result() if prepared else None
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(settings.repository, None, checked, tag_list)
    image_id: str | None = None
    repo_digests: list[str] = []
    images: list[tuple[str, str]] = []
    build_error = _NOT_BUILT
    if any(c.ok for c in checked):
        try:
            if several:
                for platform in settings.platforms:
                    built, _ = build_once(replace(settings.build, platform=platform), runtime, not settings.rebuild,
                                          None, overall)
                    images.append((platform, built))
            else:
                image_id, repo_digests = build_once(one, runtime, not settings.rebuild, reuse, overall)
        except PipelineError as error:
            build_error = str(error)
    if image_id is None and not images:
        return PublishResult(settings.repository, None, tuple(
            failed(c.target, c.destination, tag_list, c.problem or build_error, 0.0) for c in checked))
    ready = Ready(settings, image_id, tuple(tag_list), tuple(checked), tuple(repo_digests), tuple(images))
    checked = preflight.tags(checked, tag_list, ready.wanted, runtime, settings.retry, overall.child(settings.timeout))
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(settings.repository, image_id, checked, tag_list)
    return replace(ready, checked=tuple(checked))


def _dockerfile(settings: BuildSettings) -> str:
    try:
        return (settings.context / (settings.dockerfile or "Dockerfile")).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # the build says what is wrong with it


def dry_run(settings: PublishSettings, runtime: Runtime, chosen: Sequence[Target],
            tag_list: Sequence[str]) -> PublishResult:
    """What a publish would do, from the spec and the build context alone: no AWS call, no credentials, no
    build. The context and its Dockerfile must be there (a publish would fail on them first)."""
    dockerfile = settings.build.context / (settings.build.dockerfile or "Dockerfile")
    if not settings.build.context.is_dir():
        raise SettingsError(f"--context {settings.build.context}: no such directory")
    if not dockerfile.is_file():
        raise SettingsError(f"--context {settings.build.context}: no {dockerfile.name} in it"
                            + ("" if settings.build.dockerfile else " (--dockerfile names another)"))
    rows = [planned(t, registries.planned(t, settings.repository), tag_list) for t in chosen]
    return PublishResult(settings.repository, None,
                         tuple(rows) + replicated.planned_rows(runtime, settings.repository, chosen, tag_list))


def push_ready(ready: Ready, runtime: Runtime, overall: Deadline) -> PublishResult:
    """Moves the image to the destinations, then reports (and by default waits for) the replicas ECR
    replication feeds from them."""
    settings = ready.settings
    pushed = push_all(ready, runtime, overall)
    fed = replicated.replica_rows(runtime, settings.repository, [c.target for c in ready.checked], pushed,
                                  ready.tag_list, settings.wait, replicated.wait_limit(overall))
    return PublishResult(settings.repository, ready.image_id, pushed + fed)


def held_back(ready: Ready) -> PublishResult:
    """Another publish of the same run (a compose service) failed pre-flight: this one pushes nothing."""
    return stopped(ready.settings.repository, ready.image_id, ready.checked, ready.tag_list)


def stopped(repository: str, image_id: str | None, checked: Sequence[Checked],
            tag_list: Sequence[str]) -> PublishResult:
    """Pre-flight found problems: nothing is pushed; the others are ``skipped`` (or ``unchanged``)."""
    rows = []
    for c in checked:
        if not c.ok:
            rows.append(failed(c.target, c.destination, tag_list, c.problem, 0.0))
        elif c.plan is not None and c.plan.digest is not None and c.destination is not None:
            rows.append(unchanged(c, tag_list))
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


def push_all(ready: Ready, runtime: Runtime, overall: Deadline) -> tuple[DestinationResult, ...]:
    """Every destination's row: ``unchanged`` where every tag is already there, else the transfer's outcome."""
    settings, image_id, tag_list = ready.settings, ready.image_id, ready.tag_list
    rows: dict[int, DestinationResult] = {}
    cold: dict[int, Sink] = {}
    for index, item in enumerate(ready.checked):
        if not item.ok or item.destination is None or item.plan is None:
            rows[index] = failed(item.target, item.destination, tag_list, item.problem, 0.0)
        elif item.plan.digest is not None:
            runtime.progress.state(item.destination.label, "unchanged")
            rows[index] = unchanged(item, tag_list)
        else:
            deadline = overall.child(settings.timeout)
            try:
                client = runtime.registry(item.destination, deadline)
            except Exception as error:  # noqa: BLE001 - every destination ends in a row
                rows[index] = failed(item.target, item.destination, tag_list,
                                     error if isinstance(error, PipelineError) else unexpected(error), 0.0)
                continue
            cold[index] = Sink(item.destination.label, client, item.destination.repository, item.plan.push, deadline)
    if cold:  # the transfer engine loads only when something moves: an unchanged publish never needs it
        from .push import transfer_to
        rows.update(transfer_to(ready, cold, runtime, overall))
    runtime.progress.close()
    return tuple(rows[i] for i in range(len(ready.checked)))
