"""Compress once, upload to many: the destinations the client feeds itself get the image over the registry
HTTP API (``registry.RegistryClient``), all at the same time, from one export of the image.

``export`` compresses each layer once (on every core) and hands it over as soon as it is done; every
destination then gets it concurrently, while the next layer is being compressed. Per destination and
blob: a ``HEAD`` first (``Layer already exists``); a cross-repository mount when this process has seen
the blob in another repository of the same registry (``Mounted from REPO``; a registry that cannot mount
starts a plain upload instead, which is then used); else the upload (``Pushed``). Then the manifest under
each tag. Every blob goes through the publish's retry policy within the destination's own deadline; a
destination that fails does not stop the others.

The manifest is built here (``export.manifest_for``), so every destination stores the same digest; the
layers' bytes are deterministic (``compress``), so a destination added later gets that digest again.
"""
from __future__ import annotations

import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .auth import Token
from .deadline import Deadline
from .errors import PipelineError, RegistryError, unexpected
from .export import Blob, ExportError, LocalImage, export_image
from .registry import RegistryClient
from .retry import with_retry
from .settings import RetrySettings
from .stream import CountingReader, LayerEvent
from .targets import Destination

MAX_UPLOADS = 16  # requests in flight over all destinations


class Sightings:
    """Which repository of each registry is known to hold a blob (what a cross-repository mount needs).
    Shared by every publish of one run: a compose publish mounts the layers its services share."""

    def __init__(self) -> None:
        self._where: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()

    def seen(self, host: str, digest: str, repository: str) -> None:
        with self._lock:
            self._where.setdefault((host, digest), set()).add(repository)

    def elsewhere(self, host: str, digest: str, repository: str) -> str | None:
        with self._lock:
            others = sorted(self._where.get((host, digest), set()) - {repository})
        return others[0] if others else None


def registry_client(host: str, token: Token, deadline: Deadline | None) -> RegistryClient:
    """The registry API client for ``host`` with an ECR token (basic auth: ``AWS`` and the password)."""
    return RegistryClient(host, username=token.username, password=token.password, deadline=deadline)


@dataclass
class FanOut:
    """What the fan-out talks to; tests hand in fakes."""

    export: Callable[..., LocalImage] = export_image
    client_for: Callable[[str, Token, Deadline], Any] = registry_client
    sightings: Sightings = field(default_factory=Sightings)


@dataclass
class Feed:
    """One destination fed from the client, and how it went."""

    destination: Destination
    token: Token
    deadline: Deadline
    tags: Sequence[str]
    client: Any = None
    error: str | None = None
    digest: str | None = None
    moved: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    connected: Future[None] | None = None  # the authorization, asked for at the start

    def fail(self, message: str) -> None:
        with self.lock:
            self.error = self.error or message


@dataclass(frozen=True)
class Hooks:
    """The publish's progress, retry policy and clock."""

    on_layer: Callable[[str, LayerEvent], None]
    log: Callable[[str], None]
    retry: RetrySettings
    sleep: Callable[[float], None]
    jitter: Callable[[float, float], float]


def upload_to_all(fan: FanOut, api: Any, image_id: str, feeds: Sequence[Feed], hooks: Hooks,
                  overall: Deadline | None = None) -> LocalImage:
    """Exports ``image_id`` once and uploads it to every feed; each feed's ``digest``/``moved``/``error``
    says how it went. Raises ``ExportError`` (after stopping the uploads) when the image cannot be
    exported: nothing was tagged anywhere then."""
    futures: list[Future[None]] = []
    workers = max(1, min(MAX_UPLOADS, 2 * len(feeds)))
    with tempfile.TemporaryDirectory(prefix="image-pipeline-layers-") as scratch, \
            ThreadPoolExecutor(workers, thread_name_prefix="upload") as pool:
        for feed in feeds:  # every registry's authorization while the engine exports the image
            feed.connected = pool.submit(_guarded, feed, lambda feed=feed: _connect(fan, feed))

        def on_blob(blob: Blob) -> None:
            futures.extend(pool.submit(_send_guarded, fan, feed, blob, hooks) for feed in feeds)

        try:
            image = fan.export(api, image_id, Path(scratch), on_blob, overall)
        except ExportError:
            for feed in feeds:
                feed.fail("stopped: the image could not be exported")
            wait(futures)
            raise
        on_blob(image.config)
        wait(futures)
        wait([feed.connected for feed in feeds if feed.connected is not None])
        wait([pool.submit(_guarded, feed, lambda feed=feed: _tag(feed, image, hooks)) for feed in feeds
              if not feed.error])
    return image


def _guarded(feed: Feed, action: Callable[[], None]) -> None:
    if feed.error:
        return
    try:
        action()
    except PipelineError as error:
        feed.fail(str(error))
    except Exception as error:  # noqa: BLE001 - one destination's bug must not take the others down
        feed.fail(unexpected(error))


def _connect(fan: FanOut, feed: Feed) -> None:
    feed.client = fan.client_for(feed.destination.host, feed.token, feed.deadline)
    feed.client.authorize(feed.destination.repository, "pull,push")


def _send_guarded(fan: FanOut, feed: Feed, blob: Blob, hooks: Hooks) -> None:
    label = feed.destination.label

    def on_retry(error: RegistryError, attempt: int, delay: float) -> None:
        hooks.log(f"[{label}] layer {blob.short}: attempt {attempt} failed ({error}); retrying in {delay:.1f}s")

    _guarded(feed, lambda: with_retry(lambda: _send(fan, feed, blob, hooks), hooks.retry, on_retry,
                                      sleep=hooks.sleep, deadline=feed.deadline, rng=hooks.jitter))


def _send(fan: FanOut, feed: Feed, blob: Blob, hooks: Hooks) -> None:
    if feed.connected is not None:
        feed.connected.result()
    if feed.error:
        return
    destination, client = feed.destination, feed.client
    host, repository, label = destination.host, destination.repository, destination.label
    feed.deadline.check(f"upload of layer {blob.short} to {destination.repository_uri}")
    if client.has_blob(repository, blob.digest):
        hooks.on_layer(label, LayerEvent(blob.short, "Layer already exists", blob.size, blob.size))
        fan.sightings.seen(host, blob.digest, repository)
        return
    location = None
    source = fan.sightings.elsewhere(host, blob.digest, repository)
    if source is not None:
        location = client.mount_blob(repository, blob.digest, source)
        if location is None:
            hooks.on_layer(label, LayerEvent(blob.short, f"Mounted from {source}", blob.size, blob.size))
            fan.sightings.seen(host, blob.digest, repository)
            return
    if blob.data is not None:
        client.upload_blob(repository, blob.digest, blob.data, blob.size, location)
    else:
        assert blob.path is not None
        with open(blob.path, "rb") as stream:
            reader = CountingReader(stream, blob.short, blob.size, lambda event: hooks.on_layer(label, event),
                                    feed.deadline, status="Pushing")
            client.upload_blob(repository, blob.digest, reader, blob.size, location)
    hooks.on_layer(label, LayerEvent(blob.short, "Pushed", blob.size, blob.size))
    fan.sightings.seen(host, blob.digest, repository)


def _tag(feed: Feed, image: LocalImage, hooks: Hooks) -> None:
    client, repository = feed.client, feed.destination.repository
    for tag in feed.tags:
        stored = with_retry(lambda tag=tag: client.put_manifest(repository, tag, image.manifest, image.media_type),
                            hooks.retry, sleep=hooks.sleep, deadline=feed.deadline, rng=hooks.jitter)
        if stored and stored != image.digest:
            raise RegistryError(f"{feed.destination.repository_uri}:{tag} was stored at {stored}, not "
                                f"{image.digest}")
        feed.digest = image.digest
        feed.moved.append(tag)
