"""publish --platform (image_pipeline.commands.publish with several platforms): one build per platform, one
OCI image index over them (OCI image spec, "Image Index": each entry names its platform), the children pushed
by digest and untagged, only the index tagged; republishing is unchanged; a Docker manifest list when asked.
With real HTTPS fake registries and a fake engine whose builds follow the platform."""
import json
from pathlib import Path

import pytest

from image_pipeline.commands.publish import publish
from image_pipeline.commands.settings import BuildSettings, PublishSettings, RetryPolicy
from image_pipeline.core.errors import BuildError

from .fake_engine import FakeDockerAPI
from .pipeline_fakes import deployed, mirror, runtime

REPO = "docker-in-aws/todobackend"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1",),
                  platforms=("linux/amd64", "linux/arm64"), retry=RetryPolicy(attempts=2, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def manifest(registry, digest: str) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    body, media_type = registry.state.manifests[(REPO, digest)]
    return json.loads(body), media_type


def test_two_platforms_are_one_index_tagged_in_every_destination_and_its_children_stay_untagged(tmp_path,
                                                                                                registries):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path), runtime(deployed(), api, registries))

    assert result.ok and [b["platform"] for b in api.builds] == ["linux/amd64", "linux/arm64"]
    for row in result.destinations:
        registry = registries[row.repository_uri.split("/")[0]]
        index, media_type = manifest(registry, registry.tag(REPO, "v1"))
        assert media_type == OCI_INDEX and row.digest == registry.tag(REPO, "v1")
        assert [m["platform"] for m in index["manifests"]] == [{"architecture": "amd64", "os": "linux"},
                                                               {"architecture": "arm64", "os": "linux"}]
        for entry, architecture in zip(index["manifests"], ("amd64", "arm64")):
            child, child_type = manifest(registry, entry["digest"])
            config = json.loads(registry.state.blobs[child["config"]["digest"]])
            assert child_type == "application/vnd.oci.image.manifest.v1+json" and config["architecture"] == architecture
        assert set(registry.state.tags) == {(REPO, "v1")}  # no child carries a tag
        assert [(p, d) for p, d in row.platforms] == [("linux/amd64", index["manifests"][0]["digest"]),
                                                      ("linux/arm64", index["manifests"][1]["digest"])]


def test_republishing_the_same_platforms_is_unchanged(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    rt = runtime(ecrs, api, registries)
    first = publish(settings(tmp_path), rt)
    mirror(ecrs, registries)

    again = publish(settings(tmp_path), rt)

    assert {d.status for d in again.destinations} == {"unchanged"}
    assert [d.digest for d in again.destinations] == [d.digest for d in first.destinations]
    assert [d.platforms for d in again.destinations] == [d.platforms for d in first.destinations]


def test_manifest_list_publishes_docker_media_types(tmp_path, registries):
    result = publish(settings(tmp_path, manifest_list=True, environments=("dev",)),
                     runtime(deployed(), FakeDockerAPI(), registries))

    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    index, media_type = manifest(registry, result.destinations[0].digest)
    assert media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert {m["mediaType"] for m in index["manifests"]} == {"application/vnd.docker.distribution.manifest.v2+json"}


def test_one_platform_is_a_plain_image_of_that_platform(tmp_path, registries):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path, platforms=("linux/arm64",), environments=("dev",)),
                     runtime(deployed(), api, registries))

    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    single, media_type = manifest(registry, result.destinations[0].digest)
    assert media_type == "application/vnd.docker.distribution.manifest.v2+json"
    assert json.loads(registry.state.blobs[single["config"]["digest"]])["architecture"] == "arm64"
    assert result.destinations[0].platforms == ()


def test_run_steps_of_another_architecture_without_emulation_stop_before_anything_is_built(tmp_path, registries,
                                                                                          monkeypatch):
    from image_pipeline.engine import platforms
    monkeypatch.setattr(platforms, "BINFMT", tmp_path / "no-binfmt")
    monkeypatch.setattr(platforms, "host_architecture", lambda: "amd64")
    api = FakeDockerAPI()
    chosen = settings(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN make\n")

    with pytest.raises(BuildError, match="building linux/arm64 runs RUN steps of arm64, which this amd64 machine "
                                         "cannot run: install emulation"):
        publish(chosen, runtime(deployed(), api, registries))

    assert api.builds == [] and all(not r.state.requests for r in registries.values())
