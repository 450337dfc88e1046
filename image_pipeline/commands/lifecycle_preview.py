"""``lifecycle-preview``: what a repository's lifecycle policy would do to its current images, per
destination. ECR's own preview API first; where an endpoint does not serve it (HTTP 500/501, unknown operation) the local evaluator."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import botocore.exceptions

from ecr_spec import LifecycleRule, SpecError, Target, parse_policy_text
from ecr_spec.model import lifecycle_evaluation as lifecycle
from ecr_spec.model.lifecycle_evaluation import Image, image_from_detail

from ..core.errors import LifecycleError
from ..ecr import registries, targets
from ..ecr.aws import describe_error
from ..oci import media
from .runtime import Runtime
from .settings import LifecycleSettings

PREVIEW_TIMEOUT = 60.0


@dataclass(frozen=True)
class Row:
    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    action: str
    rule_priority: int | None


API_EVALUATOR = "ECR's lifecycle preview API"
LOCAL_EVALUATOR = "image-pipeline's local evaluator"


@dataclass(frozen=True)
class Preview:
    target: Target
    repository_uri: str
    rows: tuple[Row, ...]
    evaluator: str = API_EVALUATOR  # API_EVALUATOR | LOCAL_EVALUATOR
    why_local: str = ""  # why the local evaluator answered, in plain words ("" for the API)

    @property
    def source(self) -> str:
        return self.evaluator + (f" ({self.why_local})" if self.why_local else "")



def api_missing(error: Exception) -> bool:
    """Whether an error says the preview API is not served at this endpoint (an emulator without it),
    as opposed to ECR answering and refusing (access denied, no policy, throttling)."""
    if not isinstance(error, botocore.exceptions.ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.response.get("Error", {}).get("Code", ""))
    return status in (500, 501) or code in ("UnknownOperationException", "InvalidAction", "NotImplemented")


def list_images(ecr: Any, repository: str) -> list[Image]:
    """Every image with the fields the evaluator uses: archived and restoring ones too (DescribeImages returns
    only ACTIVE images unless asked for ANY), and for each manifest list the digests it references."""
    details = [info for page in ecr.get_paginator("describe_images").paginate(
        repositoryName=repository, filter={"imageStatus": "ANY"}) for info in page.get("imageDetails", [])]
    lists = [d["imageDigest"] for d in details if d.get("imageManifestMediaType") in media.INDEXES]
    children = manifest_list_children(ecr, repository, lists) if lists else {}
    return [image_from_detail(d, children.get(d["imageDigest"], ())) for d in details]


def manifest_list_children(ecr: Any, repository: str, digests: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """For each manifest list (image index), the digests of the manifests it references."""
    found: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(digests), 100):  # BatchGetImage takes at most 100 image ids
        answer = ecr.batch_get_image(repositoryName=repository,
                                     imageIds=[{"imageDigest": d} for d in digests[start:start + 100]],
                                     acceptedMediaTypes=list(media.INDEXES))
        for image in answer.get("images", []):
            manifest = json.loads(image.get("imageManifest") or "{}")
            found[image["imageId"]["imageDigest"]] = tuple(m["digest"] for m in manifest.get("manifests", []))
    return found


def policy_rules(ecr: Any, repository: str, where: str) -> tuple[LifecycleRule, ...]:
    try:
        text = ecr.get_lifecycle_policy(repositoryName=repository)["lifecyclePolicyText"]
    except botocore.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "LifecyclePolicyNotFoundException":
            raise LifecycleError(f"repository {repository!r} in {where} has no lifecycle policy; deploy the "
                                 f"spec (every repository gets one)") from error
        raise LifecycleError(f"cannot read the lifecycle policy of {repository!r} in {where}: "
                             f"{describe_error(error)}") from error
    try:
        return parse_policy_text(text)
    except SpecError as error:
        raise LifecycleError(f"the lifecycle policy of {repository!r} in {where} is invalid: "
                             + "; ".join(error.problems)) from error


def ecr_preview(ecr: Any, repository: str, images: Sequence[Image],
                sleep: Callable[[float], None] = time.sleep) -> tuple[Row, ...]:
    """ECR's own preview. Raises botocore errors when the API is not there."""
    ecr.start_lifecycle_policy_preview(repositoryName=repository)
    deadline = time.monotonic() + PREVIEW_TIMEOUT
    while True:
        answer = ecr.get_lifecycle_policy_preview(repositoryName=repository)
        if answer.get("status") != "IN_PROGRESS" or time.monotonic() > deadline:
            break
        sleep(1.0)
    if answer.get("status") != "COMPLETE":
        raise LifecycleError(f"ECR's lifecycle preview for {repository!r} ended {answer.get('status')}")
    acted = {r["imageDigest"]: r for r in answer.get("previewResults", [])}
    rows = []
    for image in sorted(images, key=lambda i: i.pushed_at, reverse=True):
        result = acted.get(image.digest)
        action = (result or {}).get("action", {}).get("type", "keep").lower()
        rows.append(Row(image.digest, image.tags, image.pushed_at, action,
                        result.get("appliedRulePriority") if result else None))
    return tuple(rows)


def preview_target(target: Target, settings: LifecycleSettings, runtime: Runtime,
                   now: datetime | None = None) -> Preview:
    ecr = runtime.ecr_for(target)
    destination = targets.resolve(target, settings.repository, ecr)
    where = f"account {target.account} region {target.region}"
    rules = policy_rules(ecr, settings.repository, where)
    try:
        images = list_images(ecr, settings.repository)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise LifecycleError(f"cannot list the images of {settings.repository!r} in {where}: "
                             f"{describe_error(error)}") from error
    if settings.use_preview_api:
        try:
            return Preview(target, destination.repository_uri,
                           ecr_preview(ecr, settings.repository, images, runtime.sleep))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, LifecycleError) as error:
            reason = ("this endpoint does not serve ECR's lifecycle preview API" if api_missing(error)
                      else f"ECR's lifecycle preview API failed: {describe_error(error)}")
    else:
        reason = "--local"
    verdicts = lifecycle.evaluate(rules, images, now or datetime.now(timezone.utc))
    rows = tuple(Row(v.image.digest, v.image.tags, v.image.pushed_at, v.action, v.rule_priority)
                 for v in verdicts)
    return Preview(target, destination.repository_uri, rows, LOCAL_EVALUATOR, reason)


_TIMES = ("imagePushedAt", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt")


def _time(value: Any) -> datetime:
    """A timestamp as the AWS CLI prints it: ISO 8601 (``--cli-timestamp-format iso8601``, the default) or
    seconds since the epoch (``none``)."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


SPEC_EVALUATOR = "image-pipeline's local evaluator, the spec's policy and the given images"


def offline_preview(settings: LifecycleSettings, runtime: Runtime, now: datetime | None = None) -> list[Preview]:
    """``--local --images FILE``: the spec's own lifecycle policy (what the stack deploys) evaluated against the
    images of ``aws ecr describe-images`` output, with no AWS call and no credentials."""
    assert settings.images_file is not None
    try:
        document = json.loads(settings.images_file.read_text(encoding="utf-8"))
        details = document["imageDetails"] if isinstance(document, dict) else document
        images = [image_from_detail({k: _time(v) if k in _TIMES else v for k, v in detail.items()})
                  for detail in details]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LifecycleError(f"--images {settings.images_file}: not the output of `aws ecr describe-images` "
                             f"({type(error).__name__}: {error})") from error
    rules = runtime.spec.repository(settings.repository).lifecycle_rules
    verdicts = lifecycle.evaluate(rules, images, now or datetime.now(timezone.utc))
    rows = tuple(Row(v.image.digest, v.image.tags, v.image.pushed_at, v.action, v.rule_priority) for v in verdicts)
    chosen = targets.select(runtime.spec, settings.repository, settings.environments)
    return [Preview(target, registries.planned(target, settings.repository).repository_uri, rows, SPEC_EVALUATOR,
                    f"--images {settings.images_file.name}") for target in chosen[:1]]


def lifecycle_preview(settings: LifecycleSettings, runtime: Runtime) -> list[Preview]:
    """One preview per destination, asked in parallel (``offline_preview`` with ``--images``)."""
    if settings.images_file is not None:
        return offline_preview(settings, runtime)
    chosen = targets.select(runtime.spec, settings.repository, settings.environments)
    with ThreadPoolExecutor(max_workers=max(len(chosen), 1)) as pool:
        return list(pool.map(lambda t: preview_target(t, settings, runtime), chosen))
