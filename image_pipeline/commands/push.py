"""Moving the image to the destinations ``publish`` found cold: one transfer through the engine
(``transfer.engine``) to all of them at once, and each destination's row.

The source is what the command hands in (``Ready.origin``: promote, assemble), else a destination that already
holds this very image (so every destination ends at its digest), else the local image (read from the engine
once, each layer compressed once; several platforms make an index). Imported only when something moves."""
from __future__ import annotations

import time
from typing import Sequence

from ..core import scratch
from ..core.deadline import Deadline
from ..core.errors import PipelineError, RegistryError
from ..ecr.preflight import Checked
from ..ecr.remote import Wanted, platform_name
from ..engine.docker import engine_errors
from ..engine.export import ExportError
from ..oci import media
from ..oci.media import Platform
from ..transfer.content import Source
from ..transfer.engine import Hooks, transfer
from ..transfer.image_index import ImageIndex
from ..transfer.local_image import DOCKER, OCI, LocalImage
from ..transfer.registry_image import RegistryImage
from ..transfer.sinks import Sink
from .outcomes import failed_after_moves, result
from .ready import Ready
from .results import DestinationResult
from .runtime import Runtime


def holder(checked: Sequence[Checked], wanted: Wanted) -> tuple[Checked, str] | None:
    """A destination that already holds this very image (under any of the publish's tags), and its digest:
    the others copy it from there, so every destination ends at that digest."""
    for item in checked:
        if item.ok and item.destination is not None and item.plan is not None and item.plan.digest:
            return item, item.plan.digest
    for item in checked:
        if item.ok and item.destination is not None:
            for image in (item.before or {}).values():
                if wanted.matches(image, item.destination.repository_uri):
                    return item, image.digest
    return None


def _local_source(ready: Ready, runtime: Runtime, space: scratch.Scratch, overall: Deadline) -> Source:
    """The engine's image, or (several platforms) an index over each platform's image."""
    api = runtime.docker()
    if not ready.images:
        return LocalImage(api, str(ready.image_id), space, overall)
    docker = getattr(ready.settings, "manifest_list", False)
    form, kind = (DOCKER, media.DOCKER_MANIFEST_LIST) if docker else (OCI, media.OCI_INDEX)
    return ImageIndex([LocalImage(api, image_id, space, overall, form, Platform.parse(platform))
                       for platform, image_id in ready.images], kind)


def transfer_to(ready: Ready, cold: dict[int, Sink], runtime: Runtime,
                overall: Deadline) -> dict[int, DestinationResult]:
    """One transfer from the source to every cold sink (by its index in ``ready.checked``), and each one's row."""
    started = time.monotonic()
    image_id, tag_list = ready.image_id, ready.tag_list
    hooks = Hooks(runtime.progress.layer, runtime.progress.log, ready.settings.retry, runtime.sleep, runtime.jitter,
                  runtime.sightings)
    for sink in cold.values():
        runtime.progress.state(sink.label, "pushing")
    scratch.sweep()
    with scratch.Scratch("publish") as space:
        source: Source
        found = holder(ready.checked, ready.wanted) if ready.origin is None else None
        if ready.origin is not None:
            source = ready.origin(space)
        elif found is not None:
            item, digest = found
            assert item.destination is not None
            client = runtime.registry(item.destination, overall.child(ready.settings.timeout))
            runtime.progress.log(f"copying {digest[:19]} from {item.destination.repository_uri}, which holds it")
            source = RegistryImage(client, item.destination.repository, digest, space, runtime.sightings)
        else:
            source = _local_source(ready, runtime, space, overall)
        try:
            transfer(source, list(cold.values()), hooks)
        except (ExportError, PipelineError) as error:
            for sink in cold.values():
                sink.fail(str(error))
    seconds = time.monotonic() - started
    rows = {}
    for index, sink in cold.items():
        item = ready.checked[index]
        assert item.destination is not None
        if sink.error is None and sink.digest is not None:
            if image_id is not None:
                _tag_locally(runtime, image_id, item.destination.repository_uri, tag_list)
            runtime.progress.state(sink.label, "pushed")
            rows[index] = result(item.target, item.destination, tag_list, sink.digest, "pushed", seconds,
                                 sink.moved, sink.uploaded, platforms=_children(source))
        else:
            runtime.progress.state(sink.label, "failed")
            rows[index] = failed_after_moves(item, ready.wanted, tag_list, runtime, sink.error or "no digest was stored",
                                             seconds, sink.moved, sink.digest, sink.uploaded)
    return rows


def _children(source: Source) -> tuple[tuple[str, str], ...]:
    """(platform, digest) of each image of the index the source handed over; () for a single image."""
    if isinstance(source, ImageIndex):
        return tuple((platform_name(dict(m.descriptor.platform or {})), m.descriptor.digest) for m in source.roots)
    if isinstance(source, RegistryImage):
        return source.platforms
    return ()


def _tag_locally(runtime: Runtime, image_id: str, repository_uri: str, tag_list: Sequence[str]) -> None:
    """``docker tag`` the local image with the destination's URI and tags (as ``docker build -t URI`` would)."""
    try:
        api = runtime.docker()
        for tag in tag_list:
            api.tag(image_id, repository_uri, tag, force=True)
    except engine_errors() as error:
        runtime.progress.log(f"cannot tag {image_id[:19]} locally as {repository_uri}: {error}")
    except RegistryError as error:
        runtime.progress.log(str(error))
