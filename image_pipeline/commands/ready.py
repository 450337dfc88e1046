"""``Ready``: a publish (or promote, assemble) through pre-flight with nothing pushed yet, what ``publish.push_all``
moves."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..ecr.preflight import Checked
from ..ecr.remote import Wanted
from .settings import AssembleSettings, PromoteSettings, PublishSettings

if TYPE_CHECKING:  # the transfer side loads only when something moves
    from ..core import scratch
    from ..transfer.content import Source


@dataclass(frozen=True)
class Ready:
    """A publish through pre-flight with nothing pushed yet: the image built, every destination planned.
    ``images``: (platform, image id) of each platform's build when several platforms make one index."""

    settings: PublishSettings | PromoteSettings | AssembleSettings
    image_id: str | None
    tag_list: tuple[str, ...]
    checked: tuple[Checked, ...]
    repo_digests: tuple[str, ...] = ()
    images: tuple[tuple[str, str], ...] = ()
    origin: Callable[[scratch.Scratch], Source] | None = None  # where the image comes from, when not built here
    digest: str | None = None  # the manifest the tags must point at, when that is given (promote)

    @property
    def wanted(self) -> Wanted:
        if self.digest is not None:
            return Wanted(digest=self.digest)
        return Wanted(self.images) if self.images else Wanted.image(str(self.image_id), self.repo_digests)
