"""ECR's images in the sandbox's moto: what ``PutImage`` stores and refuses, what ``DescribeImages`` shows, archiving,
pull times and referrers.

- ``PutImage`` (API reference, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html): the
  digest is the SHA-256 of the manifest bytes (a given ``imageDigest`` must match: ``ImageDigestDoesNotMatchException``;
  moto hashed the layer digests); a tag the repository's mutability makes immutable (``ecr_sandbox.model.tags``:
  wildcard exclusion filters, not moto's regular expressions) cannot be put again, whatever the digest:
  ``ImageTagAlreadyExistsException`` ("The specified image is tagged with a tag that already exists. The repository is
  configured for tag immutability."; ECR refuses the same digest too, aws/containers-roadmap#2179); the same
  manifest under the same tag of a mutable repository is ``ImageAlreadyExistsException``; a manifest whose layers the
  registry does not hold is ``LayersNotFoundException``, a manifest list naming an image the repository lacks
  ``ReferencedImagesNotFoundException``. A tag that moves leaves its old image in the repository, untagged (as a
  ``docker push`` of a new image to ``latest`` does on ECR; moto deleted it). An untagged put works (moto raised
  ``TypeError``). Pushes the registry already stored (the push bridge, with the sandbox's secret) are recorded as they
  happened: the TLS front has judged them.
- ``ImageDetail`` (API reference) gets ``imageManifestMediaType``, ``artifactMediaType`` (the config's media type),
  ``subjectManifestDigest`` (a referrer's subject), ``imageStatus``, ``lastArchivedAt``, ``lastActivatedAt`` and
  ``lastRecordedPullTime`` (recorded by the registry fronts on each manifest pull, ``SandboxRecordPull``; ECR
  "refreshes the last image pull timestamp at least once every 24 hours", the sandbox on every pull).
  ``DescribeImages`` and ``ListImages`` show ``ACTIVE`` images unless ``filter.imageStatus`` asks for others.
- ``UpdateImageStorageClass``: ``ARCHIVE`` archives an active image at once (``lastArchivedAt``); ``STANDARD``
  restores an archived one: ``ACTIVATING`` for ``RESTORE_SECONDS`` (ECR's restore takes longer), then ``ACTIVE``
  (``lastActivatedAt``); anything else is ``ImageStorageClassUpdateNotSupportedException``. User guide "Archiving an
  image": archived images "cannot be pulled. Requests to pull the archived image will fail with a 404 error" (the
  registry front asks ``SandboxImageStatus``), and re-pushing the image restores it.
- ``ListImageReferrers`` (API reference): the repository's images whose manifest names ``subjectId.imageDigest`` as
  its ``subject``, as ``ImageReferrer`` (digest, mediaType, artifactType, size, annotations, artifactStatus),
  filtered by ``filter.artifactTypes`` / ``filter.artifactStatus``.

Every change a caller makes here is also made in the registry (``ecr_sandbox.moto_ext.store``): one store.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timezone
from typing import Any

from ecr_sandbox.model import registry_api, tags
from ecr_sandbox.moto_ext import store
from ecr_sandbox.moto_ext.patching import add_methods, ecr_error

RESTORE_SECONDS = 2.0
INDEX_MEDIA_TYPES = ("application/vnd.docker.distribution.manifest.list.v2+json",
                     "application/vnd.oci.image.index.v1+json")
_LOCK = threading.RLock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _manifest(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise ecr_error("InvalidParameterException", "Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
                                                     "'Invalid JSON syntax'") from exc
    if not isinstance(found, dict):
        raise ecr_error("InvalidParameterException", "Invalid parameter at 'ImageManifest': not a JSON object")
    return found


def settle(image: Any) -> Any:
    """Give ``image`` ECR's image fields (once) and finish a restore whose time has come."""
    if not hasattr(image, "image_status"):
        manifest = json.loads(image.image_manifest or "{}")
        image.image_status = "ACTIVE"
        image.last_archived_at = image.last_activated_at = image.last_recorded_pull_time = None
        image.sandbox_restored_at = None
        image.artifact_media_type = (manifest.get("config") or {}).get("mediaType") or manifest.get("artifactType")
        image.subject_manifest_digest = (manifest.get("subject") or {}).get("digest")
    if image.image_status == "ACTIVATING" and image.sandbox_restored_at and _now() >= image.sandbox_restored_at:
        image.image_status, image.last_activated_at = "ACTIVE", image.sandbox_restored_at
    return image


def _repository(backend: Any, name: str) -> Any:
    from moto.ecr.exceptions import RepositoryNotFoundException

    found = backend.repositories.get(name)
    if found is None:
        raise RepositoryNotFoundException(name, backend.account_id)
    return found


def put_image(self: Any, repository_name: str, image_manifest: str, image_tag: str | None,
              image_manifest_mediatype: str | None = None, digest: str | None = None) -> Any:
    """``ECRBackend.put_image`` as ECR's PutImage (see the module docstring)."""
    from moto.ecr.exceptions import ImageAlreadyExistsException
    from moto.ecr.models import Image

    repository = _repository(self, repository_name)
    manifest = _manifest(image_manifest)
    media_type = image_manifest_mediatype or manifest.get("mediaType")
    if not media_type:
        raise ecr_error("InvalidParameterException", "image manifest mediatype not provided in manifest or parameter")
    computed = "sha256:" + hashlib.sha256(image_manifest.encode()).hexdigest()
    if digest and digest != computed:
        raise ecr_error("ImageDigestDoesNotMatchException",
                        f"Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The digest {digest} does not "
                        f"match the digest {computed} Amazon ECR calculated for the image'")
    recorded = store.from_registry()  # the registry stored it already: record it as it happened
    with _LOCK:
        existing = next((i for i in repository.images if i.get_image_digest() == computed), None)
        holder = next((i for i in repository.images if image_tag and image_tag in i.image_tags), None)
        if holder is not None and not recorded:
            filters = tags.filter_values(repository.image_tag_mutability_exclusion_filters)
            mutability = getattr(repository.image_tag_mutability, "value", repository.image_tag_mutability)
            if tags.is_immutable(str(mutability), filters, image_tag or ""):
                raise ecr_error("ImageTagAlreadyExistsException",
                                registry_api.immutable_tag(image_tag or "", repository_name))
        if existing is not None and (image_tag is None or image_tag in existing.image_tags):
            if settle(existing).image_status != "ACTIVE":  # re-pushing an archived image restores it
                existing.image_status, existing.last_activated_at = "ACTIVE", _now()
                return existing
            raise ImageAlreadyExistsException(repository_name=repository_name, registry_id=repository.registry_id,
                                              digest=computed, image_tag=image_tag or "null")
        if not recorded:
            _check_references(self, repository, manifest, computed)
        if holder is not None and holder is not existing:
            holder.remove_tag(image_tag)  # the tag moves; its old image stays, untagged if that was its last tag
            if not holder.image_tags:
                holder.image_tag = None
        if existing is not None:
            existing.update_tag(image_tag)
            image = existing
        else:
            image = Image(self.account_id, image_tag, image_manifest, repository_name, media_type, computed)
            image.image_pushed_at = time.time()  # moto keeps whole seconds; ECR orders pushes by the moment
            repository.images.append(image)
        settle(image)
    if not recorded:
        store.put(self.account_id, self.region_name, repository_name, image_tag, image_manifest, media_type,
                  computed)
    return image


def _check_references(backend: Any, repository: Any, manifest: dict[str, Any], digest: str) -> None:
    if manifest.get("mediaType") in INDEX_MEDIA_TYPES or "manifests" in manifest:
        held = {i.get_image_digest() for i in repository.images}
        missing = [m.get("digest") for m in manifest.get("manifests") or () if m.get("digest") not in held]
        if missing:
            raise ecr_error("ReferencedImagesNotFoundException",
                            f"The manifest list is referencing images that do not exist: {', '.join(missing)}")
        return
    blobs = [b["digest"] for b in [manifest.get("config"), *(manifest.get("layers") or ())] if b and "digest" in b]
    missing = store.missing_blobs(backend.account_id, backend.region_name, repository.name, blobs)
    if missing:
        raise ecr_error("LayersNotFoundException",
                        f"Layers with digests '{missing}' required for pushing image into repository with name "
                        f"'{repository.name}' in the registry with id '{repository.registry_id}' do not exist")


def batch_delete_image(original: Any) -> Any:
    """``BatchDeleteImage``, and the same deletions in the registry (tags removed, images deleted)."""

    def delete(self: Any, repository_name: str, registry_id: str | None = None,
               image_ids: list[dict[str, str]] | None = None) -> dict[str, Any]:
        repository = _repository(self, repository_name)
        with _LOCK:
            before = {i.get_image_digest(): list(i.image_tags) for i in repository.images}
            answer = original(self, repository_name, registry_id, image_ids)
            after = {i.get_image_digest(): list(i.image_tags) for i in repository.images}
        if not store.from_registry():
            store.sync_deletions(self.account_id, self.region_name, repository_name, before, after)
        return answer

    return delete


def delete_repository(original: Any) -> Any:
    def delete(self: Any, repository_name: str, registry_id: str | None = None, force: bool = False) -> Any:
        repository = original(self, repository_name, registry_id, force)
        if not store.from_registry():
            store.delete_repository(self.account_id, self.region_name, repository_name)
        return repository

    return delete


def _status_of(image_filter: dict[str, Any] | None) -> str:
    return (image_filter or {}).get("imageStatus") or "ACTIVE"


def _shown(images: Any, status: str) -> list[Any]:
    return [i for i in images if status == "ANY" or settle(i).image_status == status]


def _describe_images(self: Any) -> Any:
    from moto.core.responses import ActionResult
    import copy

    name, registry_id = self._get_param("repositoryName"), self._get_param("registryId")
    image_ids = self._get_param("imageIds")
    images = list(self.ecr_backend.describe_images(name, registry_id, image_ids))
    wanted = self._get_param("filter") or {}
    if not image_ids:
        images = _shown(images, _status_of(wanted))
        if wanted.get("tagStatus") == "TAGGED":
            images = [i for i in images if i.image_tags]
        elif wanted.get("tagStatus") == "UNTAGGED":
            images = [i for i in images if not i.image_tags]
    details = []
    for image in images:
        detail = copy.copy(settle(image))
        if not detail.image_tags:
            del detail.image_tags  # ECR omits an empty list
        details.append(detail)
    return ActionResult({"imageDetails": details})


def _list_images(self: Any) -> Any:
    from moto.core.responses import ActionResult

    name, registry_id = self._get_param("repositoryName"), self._get_param("registryId")
    wanted = self._get_param("filter") or {}
    images = _shown(self.ecr_backend.list_images(name, registry_id, tag_status=wanted.get("tagStatus", "ANY")),
                    _status_of(wanted))
    ids = [{"imageDigest": i.get_image_digest(), **({"imageTag": tag} if tag else {})}
           for i in images for tag in (i.image_tags or [None])]
    return ActionResult({"imageIds": ids})


def _find(backend: Any, name: str, image_id: dict[str, str]) -> Any:
    return settle(_repository(backend, name)._get_image(image_id.get("imageTag"), image_id.get("imageDigest")))


def _update_image_storage_class(self: Any) -> Any:
    from moto.core.responses import ActionResult

    name, image_id = self._get_param("repositoryName"), self._get_param("imageId") or {}
    target = self._get_param("targetStorageClass")
    with _LOCK:
        image = _find(self.ecr_backend, name, image_id)
        if target == "ARCHIVE" and image.image_status == "ACTIVE":
            image.image_status, image.last_archived_at = "ARCHIVED", _now()
        elif target == "STANDARD" and image.image_status == "ARCHIVED":
            from datetime import timedelta

            image.image_status, image.sandbox_restored_at = "ACTIVATING", _now() + timedelta(seconds=RESTORE_SECONDS)
        else:
            raise ecr_error("ImageStorageClassUpdateNotSupportedException",
                            f"An image in status {image.image_status} cannot be transitioned to {target}")
    answered = {"imageDigest": image.get_image_digest(), **({"imageTag": image_id["imageTag"]}
                                                            if image_id.get("imageTag") else {})}
    return ActionResult({"registryId": image.registry_id, "repositoryName": name, "imageId": answered,
                         "imageStatus": image.image_status})


def _record_pull(self: Any) -> str:
    """``SandboxRecordPull`` (the registry fronts, with the sandbox's secret): a manifest was pulled now."""
    repository = self.ecr_backend.repositories.get(self._get_param("repositoryName"))
    digest = self._get_param("imageDigest")
    for image in repository.images if repository is not None else ():
        if image.get_image_digest() == digest:
            settle(image).last_recorded_pull_time = _now()
    return json.dumps({})


def _image_status(self: Any) -> str:
    """``SandboxImageStatus`` (the registry fronts): the status of the image a tag or digest names, or null."""
    repository = self.ecr_backend.repositories.get(self._get_param("repositoryName"))
    reference = self._get_param("reference") or ""
    for image in repository.images if repository is not None else ():
        if reference == image.get_image_digest() or reference in image.image_tags:
            return json.dumps({"imageStatus": settle(image).image_status})
    return json.dumps({"imageStatus": None})


def _list_image_referrers(self: Any) -> Any:
    from moto.core.responses import ActionResult

    repository = _repository(self.ecr_backend, self._get_param("repositoryName"))
    subject = (self._get_param("subjectId") or {}).get("imageDigest")
    wanted = self._get_param("filter") or {}
    types = wanted.get("artifactTypes") or []
    status = wanted.get("artifactStatus") or "ACTIVE"
    referrers = []
    for image in _shown(repository.images, status):
        if image.subject_manifest_digest != subject:
            continue
        manifest = json.loads(image.image_manifest)
        artifact_type = manifest.get("artifactType") or (manifest.get("config") or {}).get("mediaType")
        if types and artifact_type not in types:
            continue
        referrer = {"digest": image.get_image_digest(), "mediaType": image.image_manifest_media_type,
                    "artifactType": artifact_type, "size": len(image.image_manifest.encode()),
                    "artifactStatus": image.image_status}
        if manifest.get("annotations"):
            referrer["annotations"] = manifest["annotations"]
        referrers.append(referrer)
    return ActionResult({"referrers": referrers})


def install() -> None:
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    if getattr(ECRBackend, "_sandbox_images", False):
        return
    ECRBackend.put_image = put_image  # type: ignore[method-assign]
    ECRBackend.batch_delete_image = batch_delete_image(ECRBackend.batch_delete_image)  # type: ignore[method-assign]
    ECRBackend.delete_repository = delete_repository(ECRBackend.delete_repository)  # type: ignore[method-assign]
    ECRBackend._sandbox_images = True  # type: ignore[attr-defined]
    add_methods(ECRResponse, "_sandbox_images", {
        "describe_images": _describe_images, "list_images": _list_images,
        "update_image_storage_class": _update_image_storage_class, "list_image_referrers": _list_image_referrers,
        "sandbox_record_pull": _record_pull, "sandbox_image_status": _image_status})
