"""What a publish reports per destination, and the tags it moved: the rows of ``PublishResult``, built the
same way whichever path pushed (engine push, registry copy, compress-once fan-out)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ecr_spec import Target

from . import remote
from .engine import engine_errors
from .errors import RegistryError
from .preflight import Checked
from .report import DestinationResult
from .runtime import Runtime
from .targets import Destination


@dataclass
class Moves:
    """The tags this run made point at the image in one destination, and the digest they point at."""

    tags: list[str] = field(default_factory=list)
    digest: str | None = None

    def add(self, tag: str, digest: str | None = None) -> None:
        if tag not in self.tags:
            self.tags.append(tag)
        self.digest = digest or self.digest


def moved_after_failure(item: Checked, image_id: str, tag_list: Sequence[str], runtime: Runtime,
                        moves: Moves) -> tuple[str, ...]:
    """The tags that point at this image now and did not before: what this run recorded, plus what the
    registry says (a push can store its manifest and still fail to report it)."""
    assert item.destination is not None
    before = item.before or {}
    moved = list(moves.tags)
    try:
        now = remote.remote_images(runtime.ecr_for(item.target), item.destination.repository, tag_list)
    except Exception:  # noqa: BLE001 - best effort: what was recorded still stands
        now = {}
    for tag, image in now.items():
        ours = image.config_digest == image_id or (moves.digest is not None and image.digest == moves.digest)
        was = before.get(tag)
        if ours and tag not in moved and (was is None or was.digest != image.digest):
            moved.append(tag)
            moves.digest = moves.digest or image.digest
    return tuple(t for t in tag_list if t in moved)


def tag_locally(api: Any, image_id: str, repository_uri: str, tag_list: Sequence[str]) -> None:
    for tag in tag_list:
        try:
            api.tag(image_id, repository_uri, tag, force=True)
        except engine_errors() as error:
            raise RegistryError(f"cannot tag {image_id} as {repository_uri}:{tag}: {error}") from error


def result(target: Target, destination: Destination, tag_list: Sequence[str], digest: str | None, status: str,
           error: str | None, seconds: float, moved: tuple[str, ...] = ()) -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region, destination.repository_uri,
                             tuple(tag_list), digest, status, error, seconds, moved)


def planned(target: Target, destination: Destination, tag_list: Sequence[str]) -> DestinationResult:
    return result(target, destination, tag_list, None, "planned", None, 0.0)


def failed(target: Target, destination: Destination | None, tag_list: Sequence[str], error: Any,
           seconds: float, status: str = "failed") -> DestinationResult:
    return DestinationResult(target.environment, target.account, target.region,
                             destination.repository_uri if destination else None, tuple(tag_list), None,
                             status, str(error), seconds)
