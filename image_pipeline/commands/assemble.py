"""``assemble``: one multi-platform image out of single-platform images the registries already hold, as the
last step of per-architecture builds (CodeBuild on ARM and on x86, AWS's documented pattern for Graviton: each
build publishes its platform under its own tag, then ``assemble REPOSITORY --tag T --from T-amd64 --from
T-arm64`` puts the index over them under ``T``).

The children are read from the first destination (each must be a single image; its platform comes from its
config's ``os``/``architecture``/``variant``); the index is built here, so its digest is known before anything
moves and the pre-flight check treats it as ``promote`` treats a digest. Destinations that lack a child get it
copied from the first."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

from ..core.deadline import Deadline
from ..core.errors import SettingsError
from ..ecr import preflight, targets
from ..oci import media
from ..oci.client import RegistryClient
from ..oci.digest import sha256
from ..transfer.image_index import ImageIndex
from ..transfer.registry_image import RegistryImage
from . import replicated
from .publish import push_all, stopped
from .ready import Ready
from .results import PublishResult
from .runtime import Runtime
from .settings import AssembleSettings


@dataclass(frozen=True)
class Child:
    reference: str
    descriptor: media.Descriptor
    platform: media.Platform


def children(client: RegistryClient, repository: str, references: tuple[str, ...]) -> list[Child]:
    """Each reference's image and its platform; ``SettingsError`` for one that is not a single image."""
    found = []
    for reference in references:
        body, media_type, digest = client.manifest(repository, reference)
        parsed = media.parse(body, media_type)
        if parsed.config is None or parsed.manifests:
            raise SettingsError(f"{client.host}/{repository}:{reference} is an index, not one platform's image")
        close, stream = client.open_blob(repository, parsed.config.digest)
        try:
            config = json.loads(stream.read(4 * 1024 * 1024))
        finally:
            close()
        try:
            platform = media.Platform(str(config["os"]), str(config["architecture"]), config.get("variant") or None)
        except KeyError as error:
            raise SettingsError(f"{client.host}/{repository}:{reference}: its config names no {error}") from None
        found.append(Child(reference, media.Descriptor(parsed.media_type, digest, len(body), platform.as_json()),
                           platform))
    platforms = [str(child.platform) for child in found]
    if len(set(platforms)) != len(platforms):
        raise SettingsError(f"two of {', '.join(references)} are for the same platform ({', '.join(platforms)})")
    return found


def assemble(settings: AssembleSettings, runtime: Runtime, overall: Deadline | None = None) -> PublishResult:
    overall = overall or Deadline(settings.deadline, label="--deadline")
    repository = settings.repository
    chosen = replicated.sources(runtime, repository, targets.select(runtime.spec, repository, settings.environments))
    checked = preflight.access(chosen, repository, runtime)
    if not all(c.ok for c in checked) and not settings.allow_partial:
        return stopped(repository, None, checked, settings.tags)
    first = next(c for c in checked if c.ok and c.destination is not None)
    assert first.destination is not None
    origin = runtime.registry(first.destination, overall.child(settings.timeout))
    found = children(origin, repository, settings.children)
    kind = media.DOCKER_MANIFEST_LIST if settings.manifest_list else media.OCI_INDEX
    digest = sha256(media.index([child.descriptor for child in found], kind))

    def source(space):  # type: ignore[no-untyped-def]
        return ImageIndex([RegistryImage(origin, repository, child.descriptor.digest, space, runtime.sightings,
                                         with_referrers=False, platform=child.platform) for child in found], kind)

    ready = Ready(settings, None, tuple(settings.tags), tuple(checked), digest=digest,  # type: ignore[arg-type]
                  origin=source)
    checked = preflight.tags(checked, settings.tags, ready.wanted, runtime, settings.retry,
                             overall.child(settings.timeout))
    if not settings.allow_partial and not all(c.ok for c in checked):
        return stopped(repository, None, checked, settings.tags)
    runtime.progress.log(f"assembling {', '.join(f'{c.platform} ({c.reference})' for c in found)} into {digest[:19]}")
    pushed = push_all(replace(ready, checked=tuple(checked)), runtime, overall)
    return PublishResult(repository, None, pushed)
