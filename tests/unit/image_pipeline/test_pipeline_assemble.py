"""assemble (image_pipeline.commands.assemble): per-architecture builds each publish their platform's image, then
one index over them goes up under the release tag (OCI image spec, "Image Index": each entry with the platform
its config names), in every destination; assembling again is unchanged."""
import json
from pathlib import Path

import pytest

from image_pipeline.commands.assemble import assemble
from image_pipeline.commands.publish import publish
from image_pipeline.commands.settings import AssembleSettings, BuildSettings, PublishSettings, RetryPolicy
from image_pipeline.core.errors import SettingsError

from .fake_engine import FakeDockerAPI
from .pipeline_fakes import deployed, mirror, runtime

REPO = "docker-in-aws/todobackend"
RETRY = RetryPolicy(attempts=2, first_delay=0.0)


def per_architecture(tmp_path: Path, registries, ecrs):  # type: ignore[no-untyped-def]
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    rt = runtime(ecrs, FakeDockerAPI(), registries)
    digests = {}
    for platform in ("linux/amd64", "linux/arm64"):
        suffix = platform.split("/")[1]
        result = publish(PublishSettings(repository=REPO, build=BuildSettings(context=tmp_path),
                                         tags=(f"v1-{suffix}",), platforms=(platform,), retry=RETRY), rt)
        digests[platform] = result.destinations[0].digest
    mirror(ecrs, registries)
    return rt, digests


def settings(**overrides) -> AssembleSettings:  # type: ignore[no-untyped-def]
    return AssembleSettings(**{"repository": REPO, "children": ("v1-amd64", "v1-arm64"), "tags": ("v1",),
                               "retry": RETRY, **overrides})


def test_the_index_over_each_architectures_image_is_tagged_in_every_destination(tmp_path, registries):
    ecrs = deployed()
    rt, digests = per_architecture(tmp_path, registries, ecrs)

    result = assemble(settings(), rt)

    assert [d.status for d in result.destinations] == ["pushed"] * 3
    for registry in registries.values():
        index = json.loads(registry.state.manifests[(REPO, registry.tag(REPO, "v1"))][0])
        assert [(m["platform"]["architecture"], m["digest"]) for m in index["manifests"]] == [
            ("amd64", digests["linux/amd64"]), ("arm64", digests["linux/arm64"])]


def test_assembling_again_is_unchanged(tmp_path, registries):
    ecrs = deployed()
    rt, _ = per_architecture(tmp_path, registries, ecrs)
    assemble(settings(), rt)
    mirror(ecrs, registries)

    assert {d.status for d in assemble(settings(), rt).destinations} == {"unchanged"}


def test_two_images_of_one_platform_cannot_make_an_index(tmp_path, registries):
    ecrs = deployed()
    rt, _ = per_architecture(tmp_path, registries, ecrs)

    with pytest.raises(SettingsError, match="are for the same platform"):
        assemble(settings(children=("v1-amd64", "v1-amd64")), rt)
