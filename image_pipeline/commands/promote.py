"""``promote``: move an image that one environment's registry holds (the digest that passed its tests) to other
environments, by digest, registry to registry: its index and every child, and whatever refers to it
(signatures, SBOMs, attestations), never rebuilt and never through the local engine.

Everything ``publish`` guarantees holds: the pre-flight check of every destination (all or nothing unless
``allow_partial``), tags moved last, ``unchanged`` where every tag already points at the digest (with no tag:
where the digest is already there), the same rows, ``--json`` and exit codes. Bad input (an unknown environment,
a source environment without the repository, a digest the source does not hold) is one ``PipelineError``
before anything moves."""
from __future__ import annotations

from dataclasses import replace

import botocore.exceptions

from ecr_spec import Target

from ..core.deadline import Deadline
from ..core.errors import SettingsError, TargetError
from ..ecr import preflight, targets
from ..ecr.aws import describe_error
from ..ecr.preflight import Checked
from ..ecr.remote import Plan
from ..oci.digest import valid
from ..transfer.registry_image import RegistryImage
from . import replicated
from .outcomes import failed, planned
from .publish import push_all, stopped
from .ready import Ready
from .results import PublishResult
from .runtime import Runtime
from .settings import PromoteSettings


def promote(settings: PromoteSettings, runtime: Runtime, overall: Deadline | None = None) -> PublishResult:
    """Raises ``PipelineError`` for bad input; every destination's failure is in the result."""
    overall = overall or Deadline(settings.deadline, label="--deadline")
    repository, digest = settings.repository, settings.digest
    if not valid(digest):
        raise SettingsError(f"{repository}@{digest}: a digest is sha256: and 64 lowercase hex characters")
    source = _source(settings, runtime)
    origin = runtime.registry(source, overall.child(settings.timeout))
    if origin.manifest_digest(repository, digest) is None:
        raise SettingsError(f"{repository}@{digest} is not in {settings.source} ({source.account}, {source.region}): "
                            f"promote a digest that environment holds")
    chosen = tuple(t for t in targets.select(runtime.spec, repository, settings.environments)
                   if (t.account, t.region) != (source.account, source.region))
    if not chosen:
        raise SettingsError(f"nothing to promote to: every chosen environment is {settings.source} itself")
    chosen = replicated.sources(runtime, repository, chosen)
    tag_list = tuple(settings.tags)
    checked = preflight.access(chosen, repository, runtime)
    if settings.dry_run:
        return PublishResult(repository, None, tuple(
            planned(c.target, c.destination, tag_list) if c.destination and c.ok else
            failed(c.target, c.destination, tag_list, c.problem, 0.0) for c in checked) + replicated.planned_rows(
            runtime, repository, chosen, tag_list))
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(repository, None, checked, tag_list)
    ready = Ready(settings, None, tag_list, tuple(checked), digest=digest,  # type: ignore[arg-type]
                  origin=lambda space: RegistryImage(origin, repository, digest, space, runtime.sightings))
    checked = preflight.tags(checked, tag_list, ready.wanted, runtime, settings.retry, overall.child(settings.timeout))
    if not tag_list:
        checked = [_present(c, digest, runtime) for c in checked]
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(repository, None, checked, tag_list)
    ready = replace(ready, checked=tuple(checked))
    runtime.progress.log(f"promoting {repository}@{digest[:19]} from {settings.source}/{source.region}")
    pushed = push_all(ready, runtime, overall)
    fed = replicated.replica_rows(runtime, repository, [c.target for c in ready.checked], pushed, tag_list,
                                  settings.wait, replicated.wait_limit(overall))
    return PublishResult(repository, None, pushed + fed)


def _source(settings: PromoteSettings, runtime: Runtime) -> targets.Destination:
    """The source environment's repository, resolved through ECR (where it is deployed)."""
    found = targets.select(runtime.spec, settings.repository, (settings.source,))
    if settings.source_region:
        found = tuple(t for t in found if t.region == settings.source_region)
        if not found:
            raise SettingsError(f"repository {settings.repository!r} is not deployed to region "
                                f"{settings.source_region} of environment {settings.source!r} by the spec")
    target = found[0]
    return targets.resolve(target, settings.repository, runtime.ecr_for(target))


def _present(item: Checked, digest: str, runtime: Runtime) -> Checked:
    """Without tags to move, a destination that holds the digest already is left alone (``unchanged``)."""
    if not item.ok or item.destination is None:
        return item
    try:
        answer = runtime.ecr_for(Target(item.target.environment, item.target.account, item.target.region)) \
            .batch_get_image(repositoryName=item.destination.repository, imageIds=[{"imageDigest": digest}])
    except botocore.exceptions.ClientError as error:
        return replace(item, problem=str(TargetError(f"cannot look for {digest} in {item.destination.repository_uri}: "
                                                     f"{describe_error(error)}")))
    held = bool(answer.get("images"))
    return replace(item, plan=Plan((), digest) if held else Plan((), None))
