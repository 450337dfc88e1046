"""``attach``: a file (an SBOM, a signature, a report) attached to an image as an OCI 1.1 artifact in every
chosen destination, as ``oras attach`` does (``transfer.artifact``): found by the registry's referrers API, or
through the referrers tag where a registry has no such API (the transfer engine keeps it).

All or nothing: every destination's repository and the image (the tag, or the digest) are looked up first;
when one is missing, nothing is attached anywhere. The same file attached again to the same image is the same
artifact: ``unchanged``."""
from __future__ import annotations

import re
import time
from collections import defaultdict

from ..core.deadline import Deadline
from ..core.errors import PipelineError, SettingsError, unexpected
from ..ecr import preflight, targets
from ..oci.client import RegistryClient
from ..oci.media import Descriptor, parse
from ..transfer.artifact import Artifact
from ..transfer.engine import Hooks, transfer
from ..transfer.sinks import Sink
from .outcomes import failed, result
from .results import DestinationResult, PublishResult
from .runtime import Runtime
from .settings import AttachSettings

# RFC 6838, 4.2: type "/" subtype, each of letters, digits and !#$&-^_.+ (at most 127 characters)
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")


def attach(settings: AttachSettings, runtime: Runtime) -> PublishResult:
    """Raises ``PipelineError`` for bad input; every destination's failure is in the result."""
    if not settings.file.is_file():
        raise SettingsError(f"{settings.file}: no such file to attach")
    if not _MEDIA_TYPE.fullmatch(settings.artifact_type):
        raise SettingsError(f"--artifact-type {settings.artifact_type!r} is not a media type (type/subtype, e.g. "
                            f"application/spdx+json)")
    overall = Deadline(settings.timeout)
    repository = settings.repository
    chosen = targets.select(runtime.spec, repository, settings.environments)
    checked = preflight.access(chosen, repository, runtime)
    subjects: dict[int, tuple[RegistryClient, Descriptor]] = {}
    problems: dict[int, str] = {}
    for index, item in enumerate(checked):
        if not item.ok or item.destination is None:
            continue
        try:
            client = runtime.registry(item.destination, overall.child(settings.timeout))
            body, media_type, digest = client.manifest(repository, settings.reference)
            subjects[index] = (client, Descriptor(parse(body, media_type).media_type, digest, len(body)))
        except PipelineError as error:
            problems[index] = (f"{item.destination.repository_uri}:{settings.reference} cannot be attached to: "
                               f"{error}")
        except Exception as error:  # noqa: BLE001 - every destination ends in a row
            problems[index] = unexpected(error)
    if problems or not all(c.ok for c in checked):
        rows = tuple(failed(c.target, c.destination, (), c.problem or problems.get(i) or
                            "not attached: another destination failed the check", 0.0,
                            status="failed" if (c.problem or i in problems) else "skipped")
                     for i, c in enumerate(checked))
        return PublishResult(repository, None, rows)
    return PublishResult(repository, None, _attach_all(settings, runtime, checked, subjects))


def _attach_all(settings: AttachSettings, runtime: Runtime, checked: list[preflight.Checked],
                subjects: dict[int, tuple[RegistryClient, Descriptor]]) -> tuple[DestinationResult, ...]:
    started = time.monotonic()
    groups: dict[Descriptor, dict[int, Sink]] = defaultdict(dict)  # one artifact per subject digest
    for index, (client, subject) in subjects.items():
        destination = checked[index].destination
        assert destination is not None
        groups[subject][index] = Sink(destination.label, client, destination.repository, (), client.deadline)
    hooks = Hooks(runtime.progress.layer, runtime.progress.log, settings.retry, runtime.sleep, runtime.jitter,
                  runtime.sightings)
    there: dict[int, Sink] = {}  # attached before: the same file to the same image
    for subject, sinks in groups.items():
        artifact = Artifact(settings.file, settings.artifact_type, subject)
        digest = artifact.manifest().descriptor.digest
        for index, sink in list(sinks.items()):
            try:
                if sink.client.manifest_digest(sink.repository, digest) is not None:
                    sink.digest = digest
                    there[index] = sinks.pop(index)
                    continue
            except PipelineError as error:
                sink.fail(str(error))
            runtime.progress.state(sink.label, "attaching")
        try:
            if sinks:
                transfer(artifact, list(sinks.values()), hooks)
        except PipelineError as error:
            for sink in sinks.values():
                sink.fail(str(error))
    seconds = time.monotonic() - started
    rows: dict[int, DestinationResult] = {}
    for sinks in [*groups.values(), there]:
        for index, sink in sinks.items():
            item = checked[index]
            assert item.destination is not None
            if sink.error is None and sink.digest is not None:
                status = "unchanged" if index in there else "pushed"
                runtime.progress.state(sink.label, status)
                rows[index] = result(item.target, item.destination, (), sink.digest, status, seconds,
                                     uploaded_bytes=sink.uploaded)
            else:
                runtime.progress.state(sink.label, "failed")
                rows[index] = failed(item.target, item.destination, (), sink.error or "not attached", seconds)
    runtime.progress.close()
    return tuple(rows[i] for i in range(len(checked)))

