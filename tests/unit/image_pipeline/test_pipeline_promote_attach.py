"""attach and promote (image_pipeline.commands.attach, .promote) over real HTTPS fake registries.

attach: an OCI 1.1 artifact whose subject is the image ("Guidance for Artifacts Usage", OCI image spec v1.1),
listed by the referrers API, or, on a registry without one, in the referrers tag the client keeps
(distribution spec v1.1, "Referrers Tag Schema"). promote: the digest one environment holds, with its children
and its referrers, copied to the others by digest; tags last; a second promote is unchanged."""
import json
from pathlib import Path

import pytest

from image_pipeline.commands.attach import attach
from image_pipeline.commands.promote import promote
from image_pipeline.commands.publish import publish
from image_pipeline.commands.settings import (AttachSettings, BuildSettings, PromoteSettings, PublishSettings,
                                              RetryPolicy)
from image_pipeline.core.errors import SettingsError

from .fake_engine import FakeDockerAPI
from .pipeline_fakes import deployed, mirror, runtime

REPO = "docker-in-aws/todobackend"
DEV = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
PROD = ("222222222222.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.eu-west-1.amazonaws.com")
SBOM = "application/spdx+json"
RETRY = RetryPolicy(attempts=2, first_delay=0.0)


def published_in_dev(tmp_path: Path, registries, ecrs):  # type: ignore[no-untyped-def]
    """A two-platform index tagged v1 in dev only; its digest."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    rt = runtime(ecrs, FakeDockerAPI(), registries)
    result = publish(PublishSettings(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1",),
                                     environments=("dev",), platforms=("linux/amd64", "linux/arm64"), retry=RETRY), rt)
    mirror(ecrs, registries)
    return rt, result.destinations[0].digest


def sbom(tmp_path: Path) -> Path:
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "name": "todobackend"}))
    return path


def attach_settings(path: Path, **overrides) -> AttachSettings:  # type: ignore[no-untyped-def]
    return AttachSettings(**{"repository": REPO, "reference": "v1", "file": path, "artifact_type": SBOM,
                             "environments": ("dev",), "retry": RETRY, **overrides})


def promote_settings(digest: str, **overrides) -> PromoteSettings:  # type: ignore[no-untyped-def]
    return PromoteSettings(**{"repository": REPO, "digest": digest, "source": "dev", "environments": ("prod",),
                              "tags": ("v1",), "retry": RETRY, **overrides})


def referrers(registry, digest: str) -> list[dict]:  # type: ignore[no-untyped-def]
    found = []
    for (repository, manifest_digest), (body, _) in registry.state.manifests.items():
        document = json.loads(body)
        if repository == REPO and (document.get("subject") or {}).get("digest") == digest:
            found.append({"digest": manifest_digest, "artifactType": document.get("artifactType")})
    return found


def test_an_attached_file_is_an_artifact_whose_subject_is_the_tagged_image(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)

    result = attach(attach_settings(sbom(tmp_path)), rt)

    (row,) = result.destinations
    assert row.status == "pushed"
    assert referrers(registries[DEV], index) == [{"digest": row.digest, "artifactType": SBOM}]
    artifact = json.loads(registries[DEV].state.manifests[(REPO, row.digest)][0])
    assert artifact["config"]["mediaType"] == "application/vnd.oci.empty.v1+json"
    assert artifact["layers"][0]["annotations"] == {"org.opencontainers.image.title": "sbom.spdx.json"}


def test_a_registry_without_the_referrers_api_gets_the_referrers_tag(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)
    registries[DEV].state.referrers_api = False

    row = attach(attach_settings(sbom(tmp_path)), rt).destinations[0]

    tag = index.replace(":", "-")
    listed = json.loads(registries[DEV].state.manifests[(REPO, registries[DEV].tag(REPO, tag))][0])
    assert [(m["digest"], m["artifactType"]) for m in listed["manifests"]] == [(row.digest, SBOM)]


def test_attaching_the_same_file_again_is_unchanged(tmp_path, registries):
    ecrs = deployed()
    rt, _ = published_in_dev(tmp_path, registries, ecrs)
    first = attach(attach_settings(sbom(tmp_path)), rt)

    again = attach(attach_settings(sbom(tmp_path)), rt)

    assert [(d.status, d.digest) for d in again.destinations] == [("unchanged", first.destinations[0].digest)]


def test_a_file_that_does_not_exist_is_one_error_and_nothing_is_attached(tmp_path, registries):
    ecrs = deployed()
    rt, _ = published_in_dev(tmp_path, registries, ecrs)
    before = len(registries[DEV].state.manifests)

    with pytest.raises(SettingsError, match="nope.json: no such file to attach"):
        attach(attach_settings(tmp_path / "nope.json"), rt)

    assert len(registries[DEV].state.manifests) == before


def test_an_image_missing_in_one_destination_attaches_nothing_anywhere(tmp_path, registries):
    ecrs = deployed()
    rt, _ = published_in_dev(tmp_path, registries, ecrs)

    result = attach(attach_settings(sbom(tmp_path), environments=("dev", "prod")), rt)

    assert [d.status for d in result.destinations] == ["skipped", "failed", "failed"]
    assert "manifest unknown" in result.destinations[1].error
    assert referrers(registries[DEV], registries[DEV].tag(REPO, "v1")) == []


def test_promote_copies_the_index_its_children_and_its_referrers_by_digest_and_tags_it_last(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)
    attached = attach(attach_settings(sbom(tmp_path)), rt).destinations[0].digest

    result = promote(promote_settings(index), rt)

    assert [d.status for d in result.destinations] == ["pushed", "pushed"]
    for host in PROD:
        registry = registries[host]
        assert registry.tag(REPO, "v1") == index
        children = json.loads(registry.state.manifests[(REPO, index)][0])["manifests"]
        assert all((REPO, child["digest"]) in registry.state.manifests for child in children)
        assert [r["digest"] for r in referrers(registry, index)] == [attached]
        requests = [(m, p) for m, p in registry.state.requests if m == "PUT" and "/manifests/" in p]
        assert requests[-1][1].endswith("/manifests/v1")  # the tag is the last thing that moves


def test_a_second_promote_is_unchanged(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)
    promote(promote_settings(index), rt)
    mirror(ecrs, registries)

    again = promote(promote_settings(index), rt)

    assert {d.status for d in again.destinations} == {"unchanged"}


def test_promote_without_tags_moves_the_digest_and_is_unchanged_the_second_time(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)

    first = promote(promote_settings(index, tags=()), rt)
    mirror(ecrs, registries)
    second = promote(promote_settings(index, tags=()), rt)

    assert [d.status for d in first.destinations] == ["pushed", "pushed"]
    assert [d.status for d in second.destinations] == ["unchanged", "unchanged"]


def test_a_digest_the_source_does_not_hold_is_one_error_and_nothing_moves(tmp_path, registries):
    ecrs = deployed()
    rt, _ = published_in_dev(tmp_path, registries, ecrs)

    with pytest.raises(SettingsError, match=r"@sha256:0{64} is not in dev \(111111111111, us-east-1\)"):
        promote(promote_settings("sha256:" + "0" * 64), rt)

    assert all(not registries[host].state.requests for host in PROD)


def test_a_source_environment_without_the_repository_is_one_error(tmp_path, registries):
    ecrs = deployed()
    rt, index = published_in_dev(tmp_path, registries, ecrs)

    with pytest.raises(SettingsError, match="repository 'platform/base-images' is not deployed to environment 'prod'"):
        promote(promote_settings(index, repository="platform/base-images", source="prod", environments=("dev",)), rt)
