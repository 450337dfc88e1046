"""``publish``'s use of compress-once fan-out (``fanout``): which destinations it feeds, and their rows."""
from __future__ import annotations

import time
from typing import Sequence

from . import fanout
from .deadline import Deadline
from .errors import PipelineError, RegistryError
from .outcomes import Moves, moved_after_failure, result, tag_locally
from .preflight import Checked
from .report import DestinationResult
from .runtime import Runtime
from .settings import PublishSettings


def fan_out(checked: Sequence[Checked], image_id: str, tag_list: Sequence[str], runtime: Runtime,
            settings: PublishSettings, overall: Deadline) -> dict[int, DestinationResult]:
    """The results of the destinations fed by ``fanout`` (by position in ``checked``); empty when the
    engine push does it (one destination, one that already holds the image, no export possible)."""
    cold = [i for i, c in enumerate(checked) if c.ok and c.destination and c.plan and c.plan.digest is None]
    held = any(c.ok and c.plan and c.plan.digest for c in checked)
    if runtime.fanout is None or len(cold) < 2 or held:
        return {}
    started = time.monotonic()
    feeds = {}
    for index in cold:
        item = checked[index]
        assert item.destination is not None and item.plan is not None
        feeds[index] = fanout.Feed(item.destination, runtime.token(item.target), overall.child(settings.timeout),
                                   item.plan.push)
        runtime.progress.state(item.destination.label, "pushing")
    hooks = fanout.Hooks(runtime.progress.layer, runtime.progress.log, settings.retry, runtime.sleep,
                         runtime.jitter)
    try:
        fanout.upload_to_all(runtime.fanout, runtime.docker(), image_id, list(feeds.values()), hooks, overall)
    except fanout.ExportError as error:
        runtime.progress.log(f"compress-once upload not possible ({error}); pushing through the engine")
        return {}
    except PipelineError as error:  # the deadline ran out during the export: every destination fails with it
        for feed in feeds.values():
            feed.fail(str(error))
    return {index: fed_result(checked[index], feed, image_id, tag_list, runtime, time.monotonic() - started)
            for index, feed in feeds.items()}


def fed_result(item: Checked, feed: fanout.Feed, image_id: str, tag_list: Sequence[str], runtime: Runtime,
               seconds: float) -> DestinationResult:
    destination = feed.destination
    moves = Moves()
    for tag in feed.moved:
        moves.add(tag, feed.digest)
    if feed.error is None and feed.digest is not None:
        try:
            tag_locally(runtime.docker(), image_id, destination.repository_uri, tag_list)
        except RegistryError as error:
            runtime.progress.log(f"[{destination.label}] {error}")
        runtime.progress.state(destination.label, "pushed")
        return result(item.target, destination, tag_list, feed.digest, "pushed", None, seconds, tuple(moves.tags))
    runtime.progress.state(destination.label, "failed")
    message = feed.error or "no digest was stored"
    moved = moved_after_failure(item, image_id, tag_list, runtime, moves)
    if moved:
        message += f" (tags moved before the failure: {', '.join(moved)})"
    return DestinationResult(item.target.environment, item.target.account, item.target.region,
                             destination.repository_uri, tuple(tag_list), moves.digest if moved else None,
                             "failed", message, seconds, moved)
