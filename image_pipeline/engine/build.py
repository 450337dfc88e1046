"""Building the image once, streaming the log (docker-py's low-level ``api.build(decode=True)``, the
classic builder). Build errors arrive inside the stream as ``error`` / ``errorDetail``."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ..core.deadline import Deadline
from ..core.errors import BuildError
from . import buildcache
from .build_inputs import BuildSettings
from .context import ContextStream
from .docker import Inspector, close_stream, engine_errors, interruptible

LogLine = Callable[[str], None]

Reusable = tuple[str | None, dict[str, Any] | None]


def reusable(inspector: Inspector, settings: BuildSettings) -> Reusable:
    """(the key of this build's inputs, the local image already built from them); cheap, no build."""
    if not settings.context.is_dir():
        return None, None
    key = buildcache.inputs_digest(inspector, settings)
    return key, buildcache.cached_image(inspector, key) if key else None


def build_image(api: Any, settings: BuildSettings, log: LogLine, key: str | None = None,
                deadline: Deadline | None = None) -> str:
    """Builds ``settings.context`` and returns the image id (``sha256:...``, the config digest); ``key``
    (the inputs' digest) is remembered so the next publish of the same inputs skips the build. With
    ``deadline``, the build stops (and the engine request is closed) at the first log line past it."""
    if not settings.context.is_dir():
        raise BuildError(f"build context {settings.context} is not a directory")
    image_id = _build(api, settings, log, deadline, nocache=False)
    if settings.platform and not _built_for(api, image_id, settings.platform):
        # the classic builder's cache does not look at the platform: a step cached for another platform was
        # reused (seen with engine 20.10); build this platform again without the cache
        log(f"the engine reused a cached build of another platform for {settings.platform}: building without cache")
        image_id = _build(api, settings, log, deadline, nocache=True)
        if not _built_for(api, image_id, settings.platform):
            raise BuildError(f"the engine built {_platform_of(api, image_id)}, not {settings.platform}")
    if key:
        buildcache.remember(key, image_id)
    return image_id


def _build(api: Any, settings: BuildSettings, log: LogLine, deadline: Deadline | None, nocache: bool) -> str:
    stream = None
    context = ContextStream(settings.context, settings.dockerfile)
    options: dict[str, Any] = {"platform": settings.platform} if settings.platform else {}
    try:
        stream = api.build(**context.options(), target=settings.target, buildargs=dict(settings.build_args) or None,
                           decode=True, rm=True, forcerm=True, nocache=nocache, **options)
        return read_build_stream(interruptible(stream), log, deadline)
    except engine_errors() as error:
        raise BuildError(f"build of {settings.context} failed: {context.error or error}") from error
    except BuildError:
        if stream is not None:
            close_stream(stream)
        raise
    finally:
        context.close()


def _platform_of(api: Any, image_id: str) -> str:
    found = api.inspect_image(image_id)
    return "/".join(p for p in (found.get("Os"), found.get("Architecture"), found.get("Variant")) if p)


def _built_for(api: Any, image_id: str, platform: str) -> bool:
    """Whether the image's config names ``platform`` (a missing variant matches any)."""
    wanted = platform.split("/")
    found = _platform_of(api, image_id).split("/")
    return found[:2] == wanted[:2] and (len(wanted) < 3 or len(found) < 3 or found[2] == wanted[2])


def read_build_stream(chunks: Iterable[Mapping[str, Any]], log: LogLine, deadline: Deadline | None = None) -> str:
    """Consumes the engine's build stream: logs each line, raises on an error, returns the image id."""
    image_id: str | None = None
    for chunk in chunks:
        if deadline is not None and deadline.expired():
            raise BuildError("build stopped: " + ("interrupted" if deadline.cancelled.is_set() else
                                                  f"the {deadline.seconds:g} s limit (--deadline) passed"))
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail") or {}
            message = str(chunk.get("error") or detail.get("message") or "unknown build error").strip()
            raise BuildError(f"build failed: {message}")
        text = chunk.get("stream")
        if isinstance(text, str) and text.strip():
            for line in text.rstrip("\n").splitlines():
                log(line)
        aux = chunk.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("ID"), str):
            image_id = aux["ID"]
    if image_id is None:
        raise BuildError("build ended without an image id from the engine")
    return image_id
