"""ECR behaviour moto lacks, patched into the sandbox's moto process (``ecr_sandbox.moto_ext.server``).

- ``StartLifecyclePolicyPreview`` / ``GetLifecyclePolicyPreview`` in ECR's shapes (API reference pages of
  the same names; botocore's ``ecr`` model): the preview is evaluated by the sandbox's own reading of the
  lifecycle rules (``ecr_sandbox.model.lifecycle``) when it is started, so ``start`` answers
  ``IN_PROGRESS`` and ``get`` then ``COMPLETE``. ``previewResults`` lists the images a rule acts on
  (``action.type`` ``EXPIRE`` or ``TRANSITION`` + ``targetStorageClass``, ``appliedRulePriority``,
  ``storageClass``); ``summary`` counts them (``expiringImageTotalCount``,
  ``transitioningImageTotalCounts``). ``filter.tagStatus``, ``imageIds``, ``maxResults`` (1-100,
  default 100) and ``nextToken`` work as documented. ``get`` before any ``start`` raises
  ``LifecyclePolicyPreviewNotFoundException`` ("There is no dry run for this repository."); ``start``
  without a policy text on a repository without a policy raises ``LifecyclePolicyNotFoundException``.
- ``imageSizeInBytes`` (``ImageDetail``): "The size, in bytes, of the image in the repository. If the
  image is a manifest list, this will be the max size of all manifests in the list." with the note that
  Docker compresses layers before pushing, so ECR reports the compressed size. The sandbox reports the
  sum of the manifest's ``layers[].size`` (the compressed layer blobs as pushed; the small config blob is
  not counted), and for a manifest list / OCI index the largest such size among the listed manifests
  that are in the repository. moto reported the config blob's size (2776 bytes for a 2 MB image).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

from ecr_sandbox.model import lifecycle

PREVIEWS: dict[tuple[str, str, str], dict[str, Any]] = {}
_LOCK = threading.Lock()
DEFAULT_PAGE = 100


def _exceptions():  # type: ignore[no-untyped-def]
    from moto.core.exceptions import ServiceException

    class LifecyclePolicyPreviewNotFoundException(ServiceException):
        code = "LifecyclePolicyPreviewNotFoundException"
        message = "There is no dry run for this repository."

    class InvalidParameterException(ServiceException):
        code = "InvalidParameterException"

    return LifecyclePolicyPreviewNotFoundException, InvalidParameterException


def layers_size(manifest_text: str) -> int | None:
    """Sum of the manifest's layer sizes; None for a manifest without layers (a list or index)."""
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        return None
    if "layers" not in manifest:
        return None
    return sum(int(layer.get("size", 0)) for layer in manifest["layers"])


def _listed_manifests(manifest_text: str) -> tuple[str, ...]:
    """The digests a manifest list / OCI index references (an image it holds is not expired while it stays)."""
    try:
        manifest = json.loads(manifest_text or "{}")
    except ValueError:
        return ()
    return tuple(m["digest"] for m in manifest.get("manifests", ()) if isinstance(m, dict) and "digest" in m)


STORAGE = {"ACTIVE": lifecycle.STANDARD, "ARCHIVED": lifecycle.ARCHIVE, "ACTIVATING": lifecycle.ACTIVATING}


def _image(image: Any) -> lifecycle.Image:
    """moto's image as the lifecycle rules see it (status, pull, archive and restore times: ``images.settle``)."""
    from ecr_sandbox.moto_ext.images import settle

    settle(image)
    return lifecycle.Image(image.get_image_digest(), tuple(image.image_tags),
                           datetime.fromtimestamp(image.image_pushed_at, timezone.utc),
                           last_pulled_at=image.last_recorded_pull_time, storage_class=STORAGE[image.image_status],
                           archived_at=image.last_archived_at, activated_at=image.last_activated_at,
                           children=_listed_manifests(image.image_manifest), subject=image.subject_manifest_digest)


def _result(decision: lifecycle.Decision) -> dict[str, Any]:
    """One ``LifecyclePolicyPreviewResult`` (API reference): ``imageTags`` only when there are some."""
    image = decision.image
    action: dict[str, Any] = {"type": decision.action.upper()}
    if decision.action == lifecycle.TRANSITION:
        action["targetStorageClass"] = "ARCHIVE"
    result: dict[str, Any] = {"imageTags": list(image.tags)} if image.tags else {}
    result.update(imageDigest=image.digest, imagePushedAt=image.pushed_at, action=action,
                  appliedRulePriority=decision.priority,
                  storageClass="ARCHIVE" if image.storage_class == lifecycle.ARCHIVE else "STANDARD")
    return result


def _summary(decisions: list[lifecycle.Decision]) -> dict[str, Any]:
    """``LifecyclePolicyPreviewSummary``: the expiring count; the transitioning counts when an image transitions."""
    summary: dict[str, Any] = {"expiringImageTotalCount": sum(d.action == lifecycle.EXPIRE for d in decisions)}
    moving = sum(d.action == lifecycle.TRANSITION for d in decisions)
    if moving:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE", "imageTotalCount": moving}]
    return summary


def preview(policy_text: str, images: list[Any], now: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What ``policy_text`` does to moto's images of one repository: ECR's ``previewResults`` and ``summary``."""
    _, invalid = _exceptions()
    try:
        rules = lifecycle.read_policy(policy_text)
    except lifecycle.PolicyError as error:
        raise invalid(f"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '{error}'") from error
    decisions = lifecycle.decide(rules, [_image(i) for i in images], now)
    return [_result(d) for d in decisions if d.action != lifecycle.KEEP], _summary(decisions)


def _select(results: list[dict[str, Any]], image_ids: list[dict[str, str]] | None,
            tag_status: str | None) -> list[dict[str, Any]]:
    if image_ids:
        wanted = [(i.get("imageDigest"), i.get("imageTag")) for i in image_ids]
        results = [r for r in results if any((not d or d == r["imageDigest"]) and (not t or t in r.get("imageTags", []))
                                             for d, t in wanted)]
    if tag_status == "TAGGED":
        results = [r for r in results if r.get("imageTags")]
    elif tag_status == "UNTAGGED":
        results = [r for r in results if not r.get("imageTags")]
    return results


def install_preview() -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.exceptions import LifecyclePolicyNotFoundException
    from moto.ecr.responses import ECRResponse

    if getattr(ECRResponse, "_sandbox_preview", False):
        return

    def start_lifecycle_policy_preview(self):  # type: ignore[no-untyped-def]
        name = self._get_param("repositoryName")
        repo = self.ecr_backend._get_repository(name, self._get_param("registryId"))
        text = self._get_param("lifecyclePolicyText") or repo.lifecycle_policy
        if not text:
            raise LifecyclePolicyNotFoundException(name, repo.registry_id)
        results, summary = preview(text, list(repo.images), datetime.now(timezone.utc))
        with _LOCK:
            PREVIEWS[(self.current_account, self.region, name)] = {"text": text, "results": results,
                                                                    "summary": summary}
        return ActionResult({"registryId": repo.registry_id, "repositoryName": name,
                             "lifecyclePolicyText": text, "status": "IN_PROGRESS"})

    def get_lifecycle_policy_preview(self):  # type: ignore[no-untyped-def]
        not_found, invalid = _exceptions()
        name = self._get_param("repositoryName")
        repo = self.ecr_backend._get_repository(name, self._get_param("registryId"))
        with _LOCK:
            stored = PREVIEWS.get((self.current_account, self.region, name))
        if stored is None:
            raise not_found()
        image_ids = self._get_param("imageIds")
        page = self._get_param("maxResults")
        token = self._get_param("nextToken")
        if image_ids and (page or token):
            raise invalid("maxResults and nextToken cannot be used with imageIds")
        if page is not None and not 1 <= int(page) <= 100:
            raise invalid("maxResults must be between 1 and 100")
        selected = _select(stored["results"], image_ids, (self._get_param("filter") or {}).get("tagStatus"))
        start = int(token) if token and str(token).isdigit() else 0
        size = int(page or DEFAULT_PAGE)
        answer: dict[str, Any] = {
            "registryId": repo.registry_id, "repositoryName": name, "lifecyclePolicyText": stored["text"],
            "status": "COMPLETE", "previewResults": selected[start:start + size],
            "summary": stored["summary"],
        }
        if not image_ids and start + size < len(selected):
            answer["nextToken"] = str(start + size)
        return ActionResult(answer)

    ECRResponse.start_lifecycle_policy_preview = start_lifecycle_policy_preview  # type: ignore[attr-defined]
    ECRResponse.get_lifecycle_policy_preview = get_lifecycle_policy_preview  # type: ignore[attr-defined]
    ECRResponse._sandbox_preview = True  # type: ignore[attr-defined]


def install_image_size() -> None:
    from moto.ecr.models import ECRBackend, Image

    if getattr(Image, "_sandbox_size", False):
        return

    def get_image_size_in_bytes(self):  # type: ignore[no-untyped-def]
        size = layers_size(self.image_manifest)
        return size if size is not None else getattr(self, "_sandbox_list_size", None)

    original_describe = ECRBackend.describe_images

    def describe_images(self, repository_name, registry_id=None, image_ids=None):  # type: ignore[no-untyped-def]
        images = list(original_describe(self, repository_name, registry_id, image_ids))
        by_digest = None
        for image in images:
            try:
                children = json.loads(image.image_manifest).get("manifests")
            except ValueError:
                continue
            if children is None:
                continue
            if by_digest is None:
                by_digest = {i.get_image_digest(): i for i in self._get_repository(repository_name, registry_id).images}
            sizes = [layers_size(by_digest[c["digest"]].image_manifest) or 0
                     for c in children if c.get("digest") in by_digest]
            image._sandbox_list_size = max(sizes) if sizes else 0
        return images

    Image.get_image_size_in_bytes = get_image_size_in_bytes  # type: ignore[method-assign]
    ECRBackend.describe_images = describe_images  # type: ignore[method-assign]
    Image._sandbox_size = True  # type: ignore[attr-defined]


def install() -> None:
    install_preview()
    install_image_size()


def apply_lifecycle_policies(now: datetime | None = None) -> dict[str, Any]:
    """Apply every repository's lifecycle policy now, as ECR does on its own ("within 24 hours", user guide
    "Automate the cleanup of images by using lifecycle policies"): the sandbox's reading decides
    (``ecr_sandbox.model.lifecycle``); expired images are deleted (in the registry too: ``BatchDeleteImage`` and
    ``ecr_sandbox.moto_ext.store``), transitioned ones archived. Returns what was done, per registry and repository."""
    from moto.ecr.models import ecr_backends

    from ecr_sandbox.moto_ext import store

    now = now or datetime.now(timezone.utc)
    done: dict[str, Any] = {}
    store.mark(False)  # the registry must follow
    for account, regions in list(ecr_backends.items()):
        for region, backend in list(regions.items()):
            for name, repository in list(backend.repositories.items()):
                if not repository.lifecycle_policy:
                    continue
                try:
                    rules = lifecycle.read_policy(repository.lifecycle_policy)
                except lifecycle.PolicyError:
                    continue
                decisions = lifecycle.decide(rules, [_image(i) for i in repository.images], now)
                expired = [d.image.digest for d in decisions if d.action == lifecycle.EXPIRE]
                archived = [d.image.digest for d in decisions if d.action == lifecycle.TRANSITION]
                if expired:
                    backend.batch_delete_image(name, None, [{"imageDigest": digest} for digest in expired])
                for image in repository.images:
                    if image.get_image_digest() in archived:
                        image.image_status, image.last_archived_at = "ARCHIVED", now
                if expired or archived:
                    done[f"{account}/{region}/{name}"] = {"expired": expired, "archived": archived}
    return done
