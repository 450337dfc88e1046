"""ECR replication inside the sandbox: what a registry's replication configuration sends where, and
the copy of one pushed image into a destination registry.

After the bridge records a push, the gateway asks moto for the source registry's replication
configuration (``describe_registry``) and, for each destination whose rule matches the repository
(``PREFIX_MATCH`` filters: a filter matches every name that starts with it; a rule without filters matches
every repository), creates the repository there if it does not exist, with the destination's repository
creation template for ``REPLICATION`` applied as ECR does (``create_replica``), and copies the image: its blobs straight from the source registry's storage, then the manifest under the same tag.
The destination registry then notifies the bridge like any push, so the destination's
``describe_images`` shows the same digest. Replication runs in the background; expect it a moment
after the push. Registry policies are not checked (ECR checks the destination's).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecr_sandbox.storage import blob_path
from image_pipeline.registry import RegistryClient  # the project's one registry API client
from ecr_spec.creation_templates import template_for

INDEX_MEDIA_TYPES = frozenset(
    {"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json"}
)


def destinations(replication_configuration: dict[str, Any], repository: str) -> list[tuple[str, str]]:
    """(account, region) pairs the configuration replicates ``repository`` to, in rule order."""
    found: list[tuple[str, str]] = []
    for rule in replication_configuration.get("rules") or []:
        filters = rule.get("repositoryFilters") or []
        if filters and not any(repository.startswith(f.get("filter", "")) for f in filters):
            continue
        for dest in rule.get("destinations") or []:
            pair = (dest["registryId"], dest["region"])
            if pair not in found:
                found.append(pair)
    return found


class _ApiTemplate:
    """An API template (``describe_repository_creation_templates``) seen through ``template_for``."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body, self.prefix, self.applied_for = body, body["prefix"], tuple(body.get("appliedFor") or ())


def create_replica(ecr: Any, repository: str) -> dict[str, Any] | None:
    """Create ``repository`` in the destination registry of the ``ecr`` client as ECR's replication does:
    nothing if it exists; else with the REPLICATION creation template whose prefix matches (the longest,
    else ``ROOT``), or ECR's defaults (mutable tags, AES256, no policies) without one. Returns the template
    applied, if any. Templates are applied only when the repository is created (user guide: "Templates to
    control repositories created during a pull through cache, create on push, or replication action")."""
    try:
        ecr.describe_repositories(repositoryNames=[repository])
        return None
    except ecr.exceptions.RepositoryNotFoundException:
        pass
    templates = ecr.describe_repository_creation_templates().get("repositoryCreationTemplates") or []
    chosen = template_for([_ApiTemplate(t) for t in templates], repository, "REPLICATION")
    body = chosen.body if chosen else {}
    options: dict[str, Any] = {"repositoryName": repository}
    if body.get("imageTagMutability"):
        options["imageTagMutability"] = body["imageTagMutability"]
    if body.get("imageTagMutabilityExclusionFilters"):
        options["imageTagMutabilityExclusionFilters"] = body["imageTagMutabilityExclusionFilters"]
    if body.get("encryptionConfiguration"):
        options["encryptionConfiguration"] = body["encryptionConfiguration"]
    if body.get("resourceTags"):
        options["tags"] = body["resourceTags"]
    try:
        ecr.create_repository(**options)
    except ecr.exceptions.RepositoryAlreadyExistsException:
        return None  # created meanwhile (another push): ECR applies a template once, at creation
    if body.get("lifecyclePolicy"):
        ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=body["lifecyclePolicy"])
    if body.get("repositoryPolicy"):
        ecr.set_repository_policy(repositoryName=repository, policyText=body["repositoryPolicy"])
    return body or None


def copy_image(source_storage: Path, client: RegistryClient, repository: str, digest: str,
               media_type: str, tag: str | None) -> None:
    """Copy the manifest ``digest`` (and everything it references) into ``client``'s registry."""
    raw = blob_path(source_storage, digest).read_bytes()
    manifest = json.loads(raw)
    if media_type in INDEX_MEDIA_TYPES:
        for child in manifest.get("manifests") or []:
            if blob_path(source_storage, child["digest"]).exists():
                copy_image(source_storage, client, repository, child["digest"], child["mediaType"], None)
    else:
        for blob in [manifest.get("config"), *(manifest.get("layers") or [])]:
            if blob and not client.has_blob(repository, blob["digest"]):
                client.upload_blob(repository, blob["digest"], blob_path(source_storage, blob["digest"]))
    client.put_manifest(repository, tag or digest, raw, media_type)
