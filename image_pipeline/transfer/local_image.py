"""The local engine's image as a source: read once from the engine (``engine.export``), each layer compressed
once (``compress``, on every core) into the run's scratch directory and handed on as soon as it is done, so
its uploads start while the next layer is still being read and compressed. Then the config and a Docker v2
schema 2 manifest built here, so every destination stores the same digest (and the layers' bytes are
deterministic: a destination added later gets that digest again).

The layers' DiffIDs are checked against the config's ``rootfs.diff_ids`` before the manifest is handed on:
a mismatch raises ``ExportError`` and nothing is ever tagged."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterator

from ..core.deadline import Deadline
from ..core.scratch import Scratch
from ..engine.export import Export, ExportError, pieces
from ..oci import media
from ..oci.media import Descriptor
from . import compress
from .content import Blob, BytesContent, FileContent, Item, Manifest


@dataclass(frozen=True)
class Format:
    """The media types an image is written with: Docker v2 schema 2 (what ``docker push`` stores), or OCI (what
    an OCI image index names; ECR takes both: user guide, "Container image manifest format support")."""

    manifest: str
    config: str
    layer: str


DOCKER = Format(media.DOCKER_MANIFEST, media.DOCKER_CONFIG, media.DOCKER_LAYER)
OCI = Format(media.OCI_MANIFEST, media.OCI_CONFIG, media.OCI_LAYER)


def manifest_for(config: Descriptor, layers: list[Descriptor], form: Format = DOCKER) -> bytes:
    """The image manifest, serialized as the engine does (3-space indent), so it is stable."""
    document = {"schemaVersion": 2, "mediaType": form.manifest,
                "config": {"mediaType": form.config, "size": config.size, "digest": config.digest},
                "layers": [{"mediaType": form.layer, "size": b.size, "digest": b.digest} for b in layers]}
    return json.dumps(document, indent=3).encode()


@dataclass
class LocalImage:
    """``Source`` of the engine's image ``image_id``."""

    api: Any
    image_id: str
    scratch: Scratch
    deadline: Deadline | None = None
    form: Format = DOCKER
    platform: media.Platform | None = None  # named on the manifest's descriptor when it goes into an index

    def items(self) -> Iterator[Item]:
        check = (lambda: self.deadline.check(f"compression of {self.image_id[:19]}")) if self.deadline else (lambda: None)
        export = Export(self.api, self.image_id, self.deadline)
        done: dict[str, tuple[compress.Compressed, FileContent]] = {}
        with ThreadPoolExecutor(compress.workers(), thread_name_prefix="gzip") as pool:

            def squeeze(name: str, chunks: Iterator[bytes] | list[bytes]) -> Blob:
                content = FileContent(self.scratch.file("layer.tar.gz"))
                with open(content.path, "wb") as out:
                    result = compress.gzip_stream(chunks, out, pool, check)
                done[name] = (result, content)
                return Blob(Descriptor(self.form.layer, result.digest, result.size), content)

            for layer in export.layers():
                yield squeeze(layer.name, pieces(layer.stream))
            for name in export.order:  # a small OCI-layout layer, kept in memory until the index said what it is
                if name not in done and name in export.small:
                    yield squeeze(name, [export.small[name]])
        config = Descriptor(self.form.config, "sha256:" + hashlib.sha256(export.config).hexdigest(),
                            len(export.config))
        yield Blob(config, BytesContent(export.config), layer=False)
        layers = self._check(export, config, done)
        yield Manifest.of(manifest_for(config, layers, self.form), self.form.manifest, platform=self.platform)

    def _check(self, export: Export, config: Descriptor,
               done: dict[str, tuple[compress.Compressed, FileContent]]) -> list[Descriptor]:
        short = self.image_id[:19]
        if config.digest != self.image_id:
            raise ExportError(f"the engine exported {config.digest[:19]}, not {short}")
        try:
            diff_ids = list(json.loads(export.config)["rootfs"]["diff_ids"])
        except (KeyError, TypeError, ValueError) as error:
            raise ExportError(f"the config of {short} has no rootfs.diff_ids ({error})") from error
        if not export.order or len(export.order) != len(diff_ids):
            raise ExportError(f"{short} has {len(export.order)} layer files for {len(diff_ids)} layers")
        layers = []
        for name, diff_id in zip(export.order, diff_ids):
            if name not in done:
                raise ExportError(f"the export of {short} lacks the layer {name}")
            result, _ = done[name]
            if result.diff_id != diff_id:
                raise ExportError(f"layer {name} of {short} is {result.diff_id[:19]}, the config says {diff_id[:19]}")
            layers.append(Descriptor(self.form.layer, result.digest, result.size))
        return layers
