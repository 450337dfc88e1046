"""Each destination's row of a publish, built in one place whatever happened there: planned, unchanged,
skipped, pushed, or failed (with the tags that had already moved, if any)."""
from __future__ import annotations

from typing import Any, Sequence

from ecr_spec import Target

from ..ecr import remote
from ..ecr.preflight import Checked
from ..ecr.remote import Wanted
from ..ecr.targets import Destination
from .results import DestinationResult
from .runtime import Runtime


def result(target: Target, destination: Destination, tag_list: Sequence[str], digest: str | None, status: str,
           seconds: float, moved: Sequence[str] = (), uploaded_bytes: int | None = 0,
           platforms: Sequence[tuple[str, str]] = ()) -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                             tuple(tag_list), digest, status, None, seconds, tuple(moved), uploaded_bytes,
                             tuple(platforms))


def unchanged(item: Checked, tag_list: Sequence[str]) -> DestinationResult:
    """Every tag already points at the image there (for an index: with its children's platforms)."""
    assert item.destination is not None and item.plan is not None and item.plan.digest is not None
    children = next((image.children for image in (item.before or {}).values() if image.digest == item.plan.digest), ())
    return result(item.target, item.destination, tag_list, item.plan.digest, "unchanged", 0.0,
                  platforms=[(child.platform, child.digest) for child in children])


def planned(target: Target, destination: Destination, tag_list: Sequence[str]) -> DestinationResult:
    return result(target, destination, tag_list, None, "planned", 0.0, uploaded_bytes=None)


def failed(target: Target, destination: Destination | None, tag_list: Sequence[str], error: Any,
           seconds: float, status: str = "failed") -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region,
                             destination.repository_uri if destination else None, tuple(tag_list), None,
                             status, str(error), seconds)


def failed_after_moves(item: Checked, wanted: Wanted, tag_list: Sequence[str], runtime: Runtime, message: str,
                       seconds: float, moved: Sequence[str], digest: str | None,
                       uploaded_bytes: int | None) -> DestinationResult:
    """A destination that failed, saying which tags it had moved before (``moved``: what the run recorded,
    plus what ECR shows now at this image that did not point at it before: a registry can store a manifest
    and still fail to answer)."""
    assert item.destination is not None
    moved_now, digest = moved_after_failure(item, wanted, tag_list, runtime, moved, digest)
    if moved_now:
        message += f" (tags moved before the failure: {', '.join(moved_now)})"
    return DestinationResult(item.target.environment, item.target.account, item.target.region,
                             item.destination.repository_uri, tuple(tag_list), digest if moved_now else None,
                             "failed", message, seconds, moved_now, uploaded_bytes)


def moved_after_failure(item: Checked, wanted: Wanted, tag_list: Sequence[str], runtime: Runtime,
                        recorded: Sequence[str], digest: str | None) -> tuple[tuple[str, ...], str | None]:
    assert item.destination is not None
    before = item.before or {}
    moved = list(recorded)
    try:
        now = remote.remote_images(runtime.ecr_for(item.target), item.destination.repository, tag_list)
    except Exception:  # noqa: BLE001 - best effort: what was recorded still stands
        now = {}
    for tag, image in now.items():
        ours = wanted.matches(image, item.destination.repository_uri) or (digest is not None and image.digest == digest)
        was = before.get(tag)
        if ours and tag not in moved and (was is None or was.digest != image.digest):
            moved.append(tag)
            digest = digest or image.digest
    return tuple(t for t in tag_list if t in moved), digest
