"""ECR replication inside the sandbox: what a registry's replication configuration sends where, and
the copy of one pushed image into a destination registry.

After the bridge records a push, the gateway asks moto for the source registry's replication
configuration (``describe_registry``) and, for each destination whose rule matches the repository
(``PREFIX_MATCH`` filters, or none), creates the repository there if needed (as ECR does) and copies
the image: its blobs straight from the source registry's storage, then the manifest under the same tag.
The destination registry then notifies the bridge like any push, so the destination's
``describe_images`` shows the same digest. Replication runs in the background; expect it a moment
after the push. Registry policies are not checked (ECR checks the destination's).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecr_sandbox.registry_client import RegistryClient, blob_path

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
