"""The one transfer engine: a ``Source`` of content to any number of ``Sink``s, at once.

As the source hands over each blob (compressed once, or fetched once), every sink gets it concurrently, in
this order per blob and sink (go-containerregistry's ``uploadOne``, regclient's ``BlobCopy``):

1. ``HEAD``: the registry has it already (``Layer already exists``);
2. a cross-repository mount, when this run has seen the blob in another repository of the same registry
   (``Mounted from REPO``); a registry that does not mount starts an upload session instead, which is used;
3. a streamed upload in parts (``PATCH`` with ``Content-Range``, then ``PUT ?digest=``) of at most ``PART``
   bytes. An upload cut off part-way resumes from the offset the registry reports
   (``GET`` on the session: ``Range: 0-N``); a session the registry dropped starts again from 0.

Each blob step runs inside the retry policy and the sink's own deadline. Once every blob of a sink is there,
its manifests go up children first, by digest, and the tags last, on the root only: a tag never points at
content that is not whole. A sink that fails stops there (its error is one line) without stopping the others.
A source that fails (an export that cannot be read) stops every sink before any tag moved.
"""
from __future__ import annotations

import random
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..core.errors import PipelineError, RegistryError, unexpected
from ..core.events import LayerEvent
from ..core.retry import RetryPolicy, with_retry
from ..oci import media
from ..oci.client import referrers_tag
from ..oci.errors import RegistryRequestError
from .content import Blob, Item, Manifest, Source
from .mounts import Sightings
from .sinks import Sink

MAX_REQUESTS = 16  # blob steps in flight over all sinks
# Upload parts (a choice, docs/image-pipeline.md "Uploads resume"): ECR's quotas page limits layer parts to 5-10 MiB
# and 4,200 parts per layer "only ... if you are using Amazon ECR API actions directly" (UploadLayerPart); over
# the registry API, as docker pushes, a whole layer may be one PATCH. Parts of up to 64 MiB keep what a reset
# costs bounded while each request carries enough to keep its overhead small (measured against the sandbox: 10
# MiB parts 47-59 MB/s, 50 MiB parts 101-107 MB/s); never fewer than 5 MiB, never more than 4,200 parts.
PART = 64 * 1024 * 1024
MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 4200
_RESTART_CODES = {"BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_INVALID", "DIGEST_INVALID", "SIZE_INVALID"}


@dataclass(frozen=True)
class Hooks:
    """What a transfer reports to and how it retries."""

    on_layer: Callable[[str, LayerEvent], None] = lambda label, event: None
    log: Callable[[str], None] = lambda line: None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] | None = None
    jitter: Callable[[float, float], float] = random.uniform
    sightings: Sightings = field(default_factory=Sightings)


def part_size(size: int) -> int:
    return max(PART, -(-size // MAX_PARTS))


def transfer(source: Source, sinks: Sequence[Sink], hooks: Hooks = Hooks()) -> None:
    """Moves everything ``source`` yields to every sink; each sink's ``digest``/``moved``/``uploaded``/``error``
    says how it went. Raises what the source raises (after stopping every sink: nothing was tagged)."""
    workers = max(1, min(MAX_REQUESTS, 2 * len(sinks)))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="transfer")
    futures: list[Future[None]] = []
    manifests: list[Manifest] = []
    sent: set[str] = set()
    try:
        for item in source.items():
            if isinstance(item, Manifest):
                manifests.append(item)
            elif item.descriptor.digest not in sent:
                sent.add(item.descriptor.digest)
                futures.extend(pool.submit(_guarded, sink, lambda s=sink, b=item: _put_blob(s, b, hooks))
                               for sink in sinks if not sink.error)
        wait(futures)
        wait([pool.submit(_guarded, sink, lambda s=sink: _put_manifests(s, manifests, hooks))
              for sink in sinks if not sink.error])
    except BaseException as error:
        for sink in sinks:
            sink.fail(f"stopped: {error}" if isinstance(error, PipelineError) else "stopped: interrupted")
        # an interrupt already closed every socket: do not wait; a failed source lets running steps end
        pool.shutdown(wait=isinstance(error, Exception), cancel_futures=True)
        raise
    pool.shutdown()


def _guarded(sink: Sink, action: Callable[[], None]) -> None:
    if sink.error:
        return
    try:
        action()
    except PipelineError as error:
        sink.fail(str(error))
    except Exception as error:  # noqa: BLE001 - one sink's bug must not take the others down
        sink.fail(unexpected(error))


class _Upload:
    """One blob's upload session in one sink, kept across attempts so a retry resumes it."""

    def __init__(self) -> None:
        self.location: str | None = None
        self.offset = 0


def _put_blob(sink: Sink, blob: Blob, hooks: Hooks) -> None:
    descriptor, label = blob.descriptor, sink.label
    upload = _Upload()
    lock = threading.Lock()

    def on_retry(error: RegistryError, attempt: int, delay: float) -> None:
        hooks.log(f"[{label}] layer {descriptor.short}: attempt {attempt} failed ({error}); retrying in {delay:.1f}s")

    def attempt() -> None:
        with lock:
            _one_blob(sink, blob, upload, hooks)

    with_retry(attempt, hooks.policy, on_retry, sleep=hooks.sleep, deadline=sink.deadline, rng=hooks.jitter)


def _one_blob(sink: Sink, blob: Blob, upload: _Upload, hooks: Hooks) -> None:
    client, repository, descriptor = sink.client, sink.repository, blob.descriptor
    host, label, digest, size = client.host, sink.label, descriptor.digest, descriptor.size
    sink.deadline.check(f"upload of {descriptor.short} to {sink.where}")
    if upload.location is not None:  # an earlier attempt broke off: where does the registry stand?
        try:
            upload.offset = client.upload_status(upload.location)
        except RegistryRequestError as error:
            if error.status not in (400, 404):
                raise
            upload.location, upload.offset = None, 0  # the registry dropped the session: start again
    if upload.location is None:
        if client.has_blob(repository, digest):
            hooks.on_layer(label, LayerEvent(descriptor.short, "Layer already exists", size, size))
            hooks.sightings.seen(host, digest, repository)
            return
        other = hooks.sightings.elsewhere(host, digest, repository)
        upload.location = client.start_upload(repository, digest if other else None, other)
        upload.offset = 0
        if upload.location is None:
            hooks.on_layer(label, LayerEvent(descriptor.short, f"Mounted from {other}", size, size))
            hooks.sightings.seen(host, digest, repository)
            return
    step = part_size(size)
    sent = upload.offset

    def on_bytes(count: int) -> None:
        nonlocal sent
        sent += count
        hooks.on_layer(label, LayerEvent(descriptor.short, "Pushing", min(sent, size), size))

    try:
        while upload.offset < size:
            length = min(step, size - upload.offset)
            sent = upload.offset
            upload.location = client.upload_part(upload.location, blob.content.open, upload.offset, length, on_bytes)
            upload.offset += length
        client.finish_upload(upload.location, digest)
    except RegistryRequestError as error:
        if error.code in _RESTART_CODES or error.status == 416:
            upload.location, upload.offset = None, 0
            raise RegistryRequestError(f"{error} (starting the upload again)", transient=True, status=error.status,
                                       code=error.code) from error
        raise
    upload.location = None
    if blob.layer:
        sink.add_uploaded(size)
    hooks.on_layer(label, LayerEvent(descriptor.short, "Pushed", size, size))
    hooks.sightings.seen(host, digest, repository)


def _put_manifests(sink: Sink, manifests: Sequence[Manifest], hooks: Hooks) -> None:
    """Child manifests by digest, then the root by digest, then what refers to it (artifacts with a
    ``subject``), then the root under each tag: tags last."""
    if not manifests:
        raise PipelineError(f"{sink.where}: the source handed over no manifest; nothing was tagged")
    *others, root = manifests
    for manifest in [m for m in others if m.subject is None]:
        _put(sink, manifest, manifest.descriptor.digest, hooks)
    referrers = [m for m in others if m.subject is not None]
    if referrers or not sink.tags:
        _put(sink, root, root.descriptor.digest, hooks)
        sink.digest = root.descriptor.digest
    for manifest in referrers:
        _put(sink, manifest, manifest.descriptor.digest, hooks)
    for tag in sink.tags:
        _put(sink, root, tag, hooks)
        sink.digest = root.descriptor.digest
        if tag not in sink.moved:
            sink.moved.append(tag)


def _put(sink: Sink, manifest: Manifest, reference: str, hooks: Hooks) -> None:
    """One manifest under ``reference``; an artifact with a ``subject`` the registry did not index also goes
    into the subject's referrers tag (distribution spec v1.1, "Referrers Tag Schema")."""
    what = f"{sink.where}:{reference}" if not reference.startswith("sha256:") else f"{sink.where}@{reference}"

    def on_retry(error: RegistryError, attempt: int, delay: float) -> None:
        hooks.log(f"[{sink.label}] manifest {what}: attempt {attempt} failed ({error}); retrying in {delay:.1f}s")

    sink.deadline.check(f"manifest {what}")
    _, indexed = with_retry(lambda: sink.client.store_manifest(sink.repository, reference, manifest.body,
                                                               manifest.descriptor.media_type),
                            hooks.policy, on_retry, sleep=hooks.sleep, deadline=sink.deadline, rng=hooks.jitter)
    if manifest.subject is not None and not indexed:
        with_retry(lambda: _add_to_referrers_tag(sink, manifest), hooks.policy, on_retry, sleep=hooks.sleep,
                   deadline=sink.deadline, rng=hooks.jitter)


def _add_to_referrers_tag(sink: Sink, manifest: Manifest) -> None:
    """Reads the subject's referrers tag (an OCI index; none yet: empty), adds ``manifest`` unless it is there,
    and writes it back."""
    assert manifest.subject is not None
    listed, _ = sink.client.referrers_tag(sink.repository, manifest.subject.digest)
    if any(entry.digest == manifest.descriptor.digest for entry in listed):
        return
    body = media.index([*listed, manifest.descriptor])
    sink.client.put_manifest(sink.repository, referrers_tag(manifest.subject.digest), body, media.OCI_INDEX)


__all__ = ["Hooks", "Item", "Sink", "Source", "transfer"]
