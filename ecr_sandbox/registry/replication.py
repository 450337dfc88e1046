"""ECR replication inside the sandbox: what a registry's replication configuration sends where, and
the copy of one pushed image into a destination registry.

After the bridge records a push, the gateway asks moto for the source registry's replication
configuration (``describe_registry``) and, for each destination whose rule matches the repository
(``ecr_sandbox.model.replication``: ``PREFIX_MATCH`` filters; a rule without filters matches every
repository), creates the repository there if it does not exist, with the destination's repository
creation template for ``REPLICATION`` applied as ECR does (``create_replica``), and copies the image: its blobs straight from the source registry's storage, then the manifest under the same tag.
The destination registry then notifies the bridge like any push, so the destination's
``describe_images`` shows the same digest. Across accounts the destination's registry policy decides first
(``authorize``): it must grant the source account ``ecr:ReplicateImage``, and ``ecr:CreateRepository`` where the
repository must be created (user guide, "Granting registry permissions for cross account replication in Amazon
ECR": "If neither is done, replication fails"), else the status is FAILED with ``ACCESS_DENIED``.

As ECR does, replication is asynchronous: the push notification only queues it (``later``); one background
thread replicates each recorded push in push order, ``delay_seconds()`` after it was recorded (environment
variable ``ECR_SANDBOX_REPLICATION_DELAY``, default 1.5 s), to all of its destinations at once (up to
``PARALLEL_COPIES``; each destination succeeds or fails on its own), so right after a push the replica is
not there yet and ``DescribeImageReplicationStatus`` (``ecr_sandbox.moto_ext.replication``) answers ``IN_PROGRESS``. A
destination that cannot be replicated to is reported to moto (``record_failure``) and then reads ``FAILED``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from ecr_sandbox.common.aws import sandbox_call
from ecr_sandbox.model.names import registry_host
from ecr_sandbox.model.replication import destinations
from ecr_sandbox.registry import creation
from ecr_sandbox.registry.client import RegistryClient
from ecr_sandbox.registry.storage import blob_path

INDEX_MEDIA_TYPES = frozenset(
    {"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json"}
)
DELAY_ENV = "ECR_SANDBOX_REPLICATION_DELAY"
DEFAULT_DELAY_SECONDS = 1.5
PARALLEL_COPIES = 12
# failureCode is a free string in the ECR API (ImageReplicationStatus); ECR documents no values, these are
# the sandbox's own (docs/sandbox.md).
NO_REGISTRY = "DESTINATION_REGISTRY_NOT_IN_SANDBOX"
COPY_FAILED = "REPLICATION_COPY_FAILED"
ACCESS_DENIED = "REPLICATION_ACCESS_DENIED"  # the destination's registry policy does not grant the source
FAILURE_ACTION = "SandboxRecordReplicationFailure"

log = logging.getLogger("ecr_sandbox.registry.replication")


def create_replica(ecr: Any, repository: str) -> dict[str, Any] | None:
    """Create ``repository`` in the destination registry of the ``ecr`` client as ECR's replication does: nothing if
    it exists; else with the REPLICATION creation template whose prefix matches (``ecr_sandbox.registry.creation``).
    Returns the template applied, if any."""
    return creation.create_from_template(ecr, repository, "REPLICATION")


def copy_image(source_storage: Path, client: RegistryClient, repository: str, digest: str,
               media_type: str, tag: str | None, before_put: Callable[[str], None] | None = None) -> None:
    """Copy the manifest ``digest`` (and everything it references) into ``client``'s registry;
    ``before_put(digest)`` runs before each manifest is put."""
    raw = blob_path(source_storage, digest).read_bytes()
    manifest = json.loads(raw)
    if media_type in INDEX_MEDIA_TYPES:
        for child in manifest.get("manifests") or []:
            if blob_path(source_storage, child["digest"]).exists():
                copy_image(source_storage, client, repository, child["digest"], child["mediaType"], None, before_put)
    else:
        for blob in [manifest.get("config"), *(manifest.get("layers") or [])]:
            if blob and not client.has_blob(repository, blob["digest"]):
                client.upload_blob(repository, blob["digest"], blob_path(source_storage, blob["digest"]))
    if before_put is not None:
        before_put(digest)
    client.put_manifest(repository, tag or digest, raw, media_type)


def delay_seconds(environ: Any = os.environ) -> float:
    """How long after a recorded push the sandbox replicates it (``ECR_SANDBOX_REPLICATION_DELAY``)."""
    text = environ.get(DELAY_ENV, "")
    try:
        value = float(text) if text else DEFAULT_DELAY_SECONDS
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", DELAY_ENV, text, DEFAULT_DELAY_SECONDS)
        return DEFAULT_DELAY_SECONDS
    return max(value, 0.0)


class DelayedRunner:
    """Runs each submitted call on one background thread, in submission order, no earlier than ``delay``
    seconds after it was submitted. ``submit`` never blocks on the call."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay, self._clock, self._sleep = delay, clock, sleep
        self._queue: "queue.Queue[tuple[float, Callable[..., Any], tuple[Any, ...]]]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        self._queue.put((self._clock() + self.delay, function, args))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="replication", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            due, function, args = self._queue.get()
            wait = due - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                function(*args)
            except Exception as exc:  # noqa: BLE001 - a background task: report, keep serving the queue
                log.error("replication task failed: %s", exc)
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every submitted call has run (tests)."""
        self._queue.join()


_RUNNER: DelayedRunner | None = None


def later(function: Callable[..., Any], *args: Any) -> None:
    """Queue ``function(*args)`` on the sandbox's replication thread, ``delay_seconds()`` from now."""
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = DelayedRunner(delay_seconds())
    _RUNNER.submit(function, *args)


def record_failure(moto_url: str, account: str, region: str, repository: str, digest: str,
                   destination: tuple[str, str], code: str, secret: str = "") -> None:
    """Tell the sandbox's moto that ``digest`` of ``repository`` in ``account``/``region`` could not be
    replicated to ``destination``: its replication status there becomes FAILED with ``code``."""
    sandbox_call(moto_url, secret, account, region, FAILURE_ACTION, {
        "registryId": account, "repositoryName": repository, "imageDigest": digest,
        "destinationRegistryId": destination[0], "destinationRegion": destination[1], "failureCode": code})


# Manifests replication put into a registry, until that registry's push notification comes back: ECR replicates
# once per push ("an image pushed to us-west-2 replicates to only us-east-1, it doesn't replicate again to
# us-east-2", user guide "Private image replication in Amazon ECR"), so those pushes are not replicated onward.
_REPLICATED: set[tuple[str, str, str]] = set()
_REPLICATED_LOCK = threading.Lock()


def _mark_replicated(host: str, repository: str, digest: str) -> None:
    with _REPLICATED_LOCK:
        _REPLICATED.add((host, repository, digest))


def _was_replicated(host: str, repository: str, digest: str) -> bool:
    with _REPLICATED_LOCK:
        if (host, repository, digest) in _REPLICATED:
            _REPLICATED.discard((host, repository, digest))
            return True
    return False


# (destination, repository, the repository must be created) -> a failure code, or None when the destination
# registry's policy lets the source replicate (``ecr_sandbox.registry.gateway.replication_allowed``)
Authorize = Callable[[tuple[str, str], str, bool], "str | None"]


def replicate_to(destination: tuple[str, str], ecr_for: Callable[[str, str], Any],
                 client_for: Callable[[str, str], RegistryClient], registries: dict[str, Any], source: Path,
                 repository: str, digest: str, media_type: str, tag: str | None,
                 authorize: Authorize | None = None) -> str | None:
    """Copy one image to one destination as ECR's replication does; None when it arrived, else the failure code."""
    host = registry_host(*destination)
    if host not in registries:
        log.warning("replication of %s to %s failed: the sandbox has no such registry", repository, host)
        return NO_REGISTRY
    try:
        ecr = ecr_for(*destination)
        refused = authorize(destination, repository, not creation.exists(ecr, repository)) if authorize else None
        if refused:
            log.warning("replication of %s to %s refused by the destination's registry policy", repository, host)
            return refused
        create_replica(ecr, repository)
        copy_image(source, client_for(host, repository), repository, digest, media_type, tag,
                   lambda put: _mark_replicated(host, repository, put))
    except Exception as exc:  # noqa: BLE001 - one destination's failure is that destination's status
        log.error("replication of %s %s to %s failed: %s", repository, digest, host, exc)
        return COPY_FAILED
    log.info("replicated %s:%s %s to %s", repository, tag or "", digest, host)
    return None


def replicate(ecr_for: Callable[[str, str], Any], client_for: Callable[[str, str], RegistryClient],
              registries: dict[str, Any], moto_url: str, account: str, region: str, repository: str, digest: str,
              media_type: str, tag: str | None, secret: str = "", authorize: Authorize | None = None) -> None:
    """Copy a recorded push to every destination of the source registry's replication configuration.

    ``ecr_for(account, region)`` is a moto ECR client, ``client_for(host, repository)`` a registry client
    allowed to push there, ``registries`` the gateway's registries by host (with their ``storage``),
    ``authorize`` the destination registry policy's decision for a cross-account destination."""
    if _was_replicated(registry_host(account, region), repository, digest):
        log.info("%s %s arrived in %s/%s by replication: not replicated again", repository, digest, account, region)
        return
    config = ecr_for(account, region).describe_registry().get("replicationConfiguration") or {}
    source = Path(registries[registry_host(account, region)]["storage"])

    def one(destination: tuple[str, str]) -> None:
        code = replicate_to(destination, ecr_for, client_for, registries, source, repository, digest, media_type,
                            tag, authorize)
        if code is None:
            return
        try:
            record_failure(moto_url, account, region, repository, digest, destination, code, secret)
        except OSError as exc:
            log.error("could not record the failed replication of %s to %s: %s", repository, destination, exc)

    targets = destinations(config, repository)
    with ThreadPoolExecutor(max_workers=max(1, min(len(targets), PARALLEL_COPIES))) as pool:
        list(pool.map(one, targets))  # every destination at once, each on its own, as ECR replicates
