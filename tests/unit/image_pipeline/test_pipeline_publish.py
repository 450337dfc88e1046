"""publish() with a fake engine, fake ECR API clients and real HTTPS fake registries (one per destination):
build once, read the image once, every destination gets it through the one transfer engine, in parallel."""
import io
import json
from pathlib import Path

import pytest

from image_pipeline.commands.publish import publish
from image_pipeline.commands.settings import BuildSettings, PublishSettings, RetryPolicy
from image_pipeline.core.errors import SettingsError

from .fake_engine import IMAGE_ID, FakeDockerAPI
from .pipeline_fakes import deployed, mirror, runtime

REPO = "docker-in-aws/todobackend"


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1", "latest"),
                  retry=RetryPolicy(attempts=3, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def test_builds_once_reads_the_image_once_and_every_destination_gets_every_tag(tmp_path, registries):
    api, ecrs = FakeDockerAPI(), deployed()

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert result.ok and len(api.builds) == 1 and api.exports == 1
    assert {d.status for d in result.destinations} == {"pushed"}
    assert len({d.digest for d in result.destinations}) == 1
    for destination in result.destinations:
        registry = registries[destination.repository_uri.split("/", 1)[0]]
        assert registry.tag(REPO, "v1") == registry.tag(REPO, "latest") == destination.digest
        assert list(destination.moved) == ["v1", "latest"]


def test_one_destination_goes_through_the_same_engine(tmp_path, registries):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path, environments=("dev",)), runtime(deployed(), api, registries))

    (row,) = result.destinations
    assert row.status == "pushed" and api.exports == 1
    assert registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"].tag(REPO, "v1") == row.digest


def test_the_local_image_is_tagged_with_each_destinations_uri(tmp_path, registries):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path), runtime(deployed(), api, registries))

    assert sorted((uri, tag) for _, uri, tag in api.tags) == sorted(
        (d.repository_uri, tag) for d in result.destinations for tag in ("v1", "latest"))


def test_tokens_are_fetched_once_per_registry(tmp_path, registries):
    ecrs = deployed()

    publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI(), registries))

    assert [e.token_calls for e in ecrs.values()] == [1, 1, 1]


def test_a_destination_whose_tags_already_point_at_this_image_is_unchanged_and_gets_nothing(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    for ecr in ecrs.values():
        for tag in ("v1", "latest"):
            ecr.put(REPO, tag, IMAGE_ID)

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert result.ok and api.exports == 0
    assert {d.status for d in result.destinations} == {"unchanged"}
    assert all(r.state.requests == [] for r in registries.values())


def test_only_the_missing_tags_move_when_some_already_point_at_the_image(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    rt = runtime(ecrs, api, registries)
    publish(settings(tmp_path, tags=("latest",)), rt)
    mirror(ecrs, registries)

    result = publish(settings(tmp_path), rt)

    assert result.ok and {d.moved for d in result.destinations} == {("v1",)}


def test_a_destination_that_already_holds_the_image_is_the_source_of_the_others(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    rt = runtime(ecrs, api, registries)
    held = publish(settings(tmp_path, environments=("dev",), tags=("v1",)), rt).destinations[0]
    mirror(ecrs, registries)
    exports = api.exports

    result = publish(settings(tmp_path, tags=("v1",)), rt)

    assert api.exports == exports  # copied registry to registry, not read from the engine again
    assert [d.status for d in result.destinations] == ["unchanged", "pushed", "pushed"]
    assert {d.digest for d in result.destinations} == {held.digest}


def test_an_immutable_tag_at_another_digest_fails_naming_tag_repository_and_both_digests(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    dev = ecrs[("111111111111", "us-east-1")]
    other = dev.put(REPO, "v1", "sha256:" + "f" * 64)

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    failed = [d for d in result.destinations if d.status == "failed"]
    assert not result.ok and len(failed) == 1
    assert "'v1'" in failed[0].error and dev.repositories[REPO]["repositoryUri"] in failed[0].error
    assert other in failed[0].error and IMAGE_ID in failed[0].error
    assert all(r.state.requests == [] for r in registries.values())  # all or nothing


def test_a_mutable_tag_at_another_digest_is_simply_moved(tmp_path, registries):
    ecrs = deployed()
    for ecr in ecrs.values():
        ecr.put(REPO, "latest", "sha256:" + "f" * 64)

    result = publish(settings(tmp_path, tags=("latest",)), runtime(ecrs, FakeDockerAPI(), registries))

    assert result.ok and {d.status for d in result.destinations} == {"pushed"}


def test_a_repository_that_is_not_deployed_fails_that_destination_with_account_and_region(tmp_path, registries):
    ecrs = deployed()
    del ecrs[("222222222222", "eu-west-1")].repositories[REPO]

    result = publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI(), registries))

    failed = [d for d in result.destinations if d.status == "failed"]
    assert [(d.account, d.region) for d in failed] == [("222222222222", "eu-west-1")]
    assert failed[0].error == (f"repository '{REPO}' is not deployed in account 222222222222 region eu-west-1; "
                               "run `npx cdk deploy --all` first")


def test_a_build_failure_fails_every_destination_and_sends_nothing(tmp_path, registries):
    api = FakeDockerAPI(build_chunks=[{"stream": "Step 1/2 : RUN false\n"},
                                      {"error": "The command '/bin/sh -c false' returned a non-zero code: 1"}])

    result = publish(settings(tmp_path), runtime(deployed(), api, registries))

    assert not result.ok and api.exports == 0
    assert {d.error for d in result.destinations} == {
        "build failed: The command '/bin/sh -c false' returned a non-zero code: 1"}


def test_a_registry_that_refuses_fails_its_destination_only(tmp_path, registries):
    refusing = registries["222222222222.dkr.ecr.eu-west-1.amazonaws.com"]
    refusing.fail("*", "/blobs/", 403, count=100)

    result = publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(), registries))

    assert [d.status for d in result.destinations] == ["pushed", "pushed", "failed"]
    assert "HTTP 403" in result.destinations[2].error and result.destinations[2].moved == ()


def test_a_transient_failure_is_retried_and_then_succeeds(tmp_path, registries):
    for registry in registries.values():
        registry.fail("PATCH", "/blobs/uploads/", 502, count=1)
    log = io.StringIO()

    result = publish(settings(tmp_path, tags=("v1",)), runtime(deployed(), FakeDockerAPI(), registries, log))

    assert result.ok
    assert "retrying" in log.getvalue()


def test_the_bytes_each_destination_was_sent_are_reported(tmp_path, registries):
    result = publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(), registries))

    registry = registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    manifest = json.loads(registry.state.manifests[(REPO, result.destinations[0].digest)][0])
    assert {d.uploaded_bytes for d in result.destinations} == {sum(layer["size"] for layer in manifest["layers"])}


def test_dry_run_shows_the_spec_s_uris_and_asks_nothing_of_aws_or_the_engine(tmp_path, registries):
    class NoAws:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            raise AssertionError(f"the dry run called the ECR API ({name})")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    api = FakeDockerAPI()
    rt = runtime(deployed(), api, registries)
    rt.ecr_for = lambda target: NoAws()

    result = publish(settings(tmp_path, dry_run=True), rt)

    assert api.builds == [] and api.exports == 0
    assert {d.status for d in result.destinations} == {"planned"}
    assert [d.repository_uri for d in result.destinations] == [
        "111111111111.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend",
        "222222222222.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend",
        "222222222222.dkr.ecr.eu-west-1.amazonaws.com/docker-in-aws/todobackend"]


def test_dry_run_checks_the_build_context_and_its_dockerfile(tmp_path, registries):
    with pytest.raises(SettingsError, match="no Dockerfile in it"):
        publish(settings(tmp_path, dry_run=True), runtime(deployed(), FakeDockerAPI(), registries))
    with pytest.raises(SettingsError, match="nowhere: no such directory"):
        publish(settings(tmp_path, dry_run=True, build=BuildSettings(context=tmp_path / "nowhere")),
                runtime(deployed(), FakeDockerAPI(), registries))


def test_env_limits_the_destinations(tmp_path, registries):
    result = publish(settings(tmp_path, environments=("dev",)), runtime(deployed(), FakeDockerAPI(), registries))

    assert [(d.environment, d.region) for d in result.destinations] == [("dev", "us-east-1")]


def test_no_password_reaches_the_log(tmp_path, registries):
    log = io.StringIO()

    publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(), registries, log))

    assert "secret" not in log.getvalue()


def test_unknown_environments_are_refused(tmp_path):
    with pytest.raises(SettingsError, match="environment 'qa' is not in the registry spec"):
        publish(settings(tmp_path, environments=("qa",)), runtime(deployed(), FakeDockerAPI()))


def test_an_unknown_repository_is_refused_naming_the_known_ones(tmp_path):
    with pytest.raises(SettingsError, match="'team/nope' is not in the registry spec .*docker-in-aws/todobackend"):
        publish(settings(tmp_path, repository="team/nope"), runtime(deployed(), FakeDockerAPI()))
