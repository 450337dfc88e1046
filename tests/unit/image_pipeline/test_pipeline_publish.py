"""publish() with a fake engine and fake ECR: build once, push every tag explicitly, in parallel."""
import io
import threading
from pathlib import Path

import pytest

from image_pipeline.publish import publish
from image_pipeline.settings import BuildSettings, PublishSettings, RetrySettings
from .pipeline_fakes import IMAGE_ID, FakeDockerAPI, deployed, digest_of, good_push, runtime

REPO = "docker-in-aws/todobackend"


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1", "latest"),
                  retry=RetrySettings(attempts=3, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def test_builds_once_and_pushes_each_tag_to_each_destination(tmp_path):
    api, ecrs = FakeDockerAPI(), deployed()

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert result.ok and len(api.builds) == 1
    uris = sorted(e.repositories[REPO]["repositoryUri"] for e in ecrs.values())
    assert sorted((r, t) for r, t, _ in api.pushes) == sorted((u, t) for u in uris for t in ("latest", "v1"))
    assert sorted((r, t) for _, r, t in api.tags) == sorted((u, t) for u in uris for t in ("latest", "v1"))
    assert {d.status for d in result.destinations} == {"pushed"}
    assert all(d.digest == digest_of(d.repository_uri) for d in result.destinations)


def test_each_push_carries_its_own_registrys_token(tmp_path):
    api = FakeDockerAPI()

    publish(settings(tmp_path), runtime(deployed(), api))

    for repository, _, auth in api.pushes:
        account = repository.split(".", 1)[0]
        assert auth == {"username": "AWS", "password": f"{account}-auth-token",
                        "serveraddress": repository.split("/", 1)[0]}


def test_tokens_are_fetched_once_per_registry_even_when_they_arrive_expired(tmp_path):
    ecrs = deployed()

    publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI()))

    assert [e.token_calls for e in ecrs.values()] == [1, 1, 1]


def test_destinations_are_pushed_in_parallel(tmp_path):
    barrier = threading.Barrier(3, timeout=5)

    def push_together(repository, tag, auth):
        barrier.wait()  # only passes when all three destinations push at the same time
        return good_push(repository, tag, auth)

    api = FakeDockerAPI(push_script=push_together)
    result = publish(settings(tmp_path, tags=("v1",)), runtime(deployed(), api))

    assert result.ok and len(api.push_threads) == 3


def test_a_destination_whose_tags_already_point_at_this_image_is_unchanged_and_not_pushed(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    for ecr in ecrs.values():
        for tag in ("v1", "latest"):
            ecr.put(REPO, tag, IMAGE_ID)

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert result.ok and api.pushes == []
    assert {d.status for d in result.destinations} == {"unchanged"}
    assert all(d.digest and d.digest.startswith("sha256:") for d in result.destinations)


def test_only_missing_tags_are_pushed_when_some_already_match(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    for ecr in ecrs.values():
        ecr.put(REPO, "latest", IMAGE_ID)

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert result.ok and {t for _, t, _ in api.pushes} == {"v1"}


def test_an_immutable_tag_at_another_digest_fails_naming_tag_repository_and_both_digests(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    dev = ecrs[("111111111111", "us-east-1")]
    other = dev.put(REPO, "v1", "sha256:" + "f" * 64)

    result = publish(settings(tmp_path), runtime(ecrs, api))

    failed = [d for d in result.destinations if d.status == "failed"]
    assert not result.ok and len(failed) == 1
    assert "'v1'" in failed[0].error and dev.repositories[REPO]["repositoryUri"] in failed[0].error
    assert other in failed[0].error and IMAGE_ID in failed[0].error
    assert not any(r.startswith("111111111111") for r, _, _ in api.pushes)


def test_a_mutable_tag_at_another_digest_is_simply_pushed(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    for ecr in ecrs.values():
        ecr.put(REPO, "latest", "sha256:" + "f" * 64)

    result = publish(settings(tmp_path, tags=("latest",)), runtime(ecrs, api))

    assert result.ok and {d.status for d in result.destinations} == {"pushed"}


def test_a_repository_that_is_not_deployed_fails_that_destination_with_account_and_region(tmp_path):
    ecrs = deployed()
    del ecrs[("222222222222", "eu-west-1")].repositories[REPO]

    result = publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI()))

    failed = [d for d in result.destinations if d.status == "failed"]
    assert [(d.account, d.region) for d in failed] == [("222222222222", "eu-west-1")]
    assert failed[0].error == (f"repository '{REPO}' is not deployed in account 222222222222 region eu-west-1; "
                               "run `npx cdk deploy --all` first")


def test_a_build_failure_fails_every_destination_and_pushes_nothing(tmp_path):
    api = FakeDockerAPI(build_chunks=[{"stream": "Step 1/2 : RUN false\n"},
                                      {"error": "The command '/bin/sh -c false' returned a non-zero code: 1"}])

    result = publish(settings(tmp_path), runtime(deployed(), api))

    assert not result.ok and api.pushes == []
    assert {d.error for d in result.destinations} == {
        "build failed: The command '/bin/sh -c false' returned a non-zero code: 1"}


def test_a_registry_error_inside_the_push_stream_fails_the_destination(tmp_path):
    def refuse(repository, tag, auth):
        return [{"status": "Preparing", "id": "l1"}, {"error": "unauthorized: authentication required",
                                                      "errorDetail": {"message": "unauthorized: authentication required"}}]

    result = publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(push_script=refuse)))

    assert not result.ok and {d.status for d in result.destinations} == {"failed"}
    assert all(d.digest is None and "unauthorized" in d.error for d in result.destinations)


def test_a_push_stream_without_a_digest_is_retried_then_failed(tmp_path):
    api = FakeDockerAPI(push_script=lambda r, t, a: [{"status": "Pushing", "id": "l1"}])

    result = publish(settings(tmp_path, tags=("v1",)), runtime(deployed(), api))

    assert not result.ok and len(api.pushes) == 3 * 3
    assert all("returned no digest" in d.error for d in result.destinations)


def test_a_transient_failure_is_retried_and_then_succeeds(tmp_path):
    attempts = {}

    def flaky(repository, tag, auth):
        attempts[repository] = attempts.get(repository, 0) + 1
        if attempts[repository] == 1:
            return [{"error": "received unexpected HTTP status: 502 Bad Gateway"}]
        return good_push(repository, tag, auth)

    log = io.StringIO()
    result = publish(settings(tmp_path, tags=("v1",)), runtime(deployed(), FakeDockerAPI(push_script=flaky), log))

    assert result.ok and set(attempts.values()) == {2}
    assert "retrying" in log.getvalue()


def test_dry_run_resolves_destinations_but_builds_and_pushes_nothing(tmp_path):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path, dry_run=True), runtime(deployed(), api))

    assert api.builds == [] and api.pushes == []
    assert {d.status for d in result.destinations} == {"planned"}
    assert all(d.repository_uri for d in result.destinations)


def test_env_limits_the_destinations(tmp_path):
    api = FakeDockerAPI()

    result = publish(settings(tmp_path, environments=("dev",)), runtime(deployed(), api))

    assert [(d.environment, d.region) for d in result.destinations] == [("dev", "us-east-1")]


def test_no_password_reaches_the_log(tmp_path):
    log = io.StringIO()

    publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(), log))

    assert "auth-token" not in log.getvalue()


@pytest.mark.parametrize("environments, message", [
    (("qa",), "environment 'qa' is not in the registry spec"),
])
def test_unknown_environments_are_refused(tmp_path, environments, message):
    from image_pipeline.errors import SettingsError
    with pytest.raises(SettingsError, match=message):
        publish(settings(tmp_path, environments=environments), runtime(deployed(), FakeDockerAPI()))


def test_an_unknown_repository_is_refused_naming_the_known_ones(tmp_path):
    from image_pipeline.errors import SettingsError
    with pytest.raises(SettingsError, match="'team/nope' is not in the registry spec .*docker-in-aws/todobackend"):
        publish(settings(tmp_path, repository="team/nope"), runtime(deployed(), FakeDockerAPI()))


def test_later_destinations_copy_from_the_first_registry_instead_of_pushing_again(tmp_path):
    api, copies = FakeDockerAPI(), []
    rt = runtime(deployed(), api)

    def copier(source_uri, source_token, digest, destination, token, tags, on_layer, **options):
        for tag in tags:
            options["on_tag"](tag)
        copies.append((source_uri.split(".")[0], destination.repository_uri.split(".")[0], destination.region,
                       tuple(tags), token.password))
        return digest

    rt.copier = copier
    result = publish(settings(tmp_path), rt)

    assert result.ok and len({d.digest for d in result.destinations}) == 1
    assert {r.split(".")[0] for r, _, _ in api.pushes} == {"111111111111"}  # only the first one is pushed
    assert sorted(copies) == [("111111111111", "222222222222", "eu-west-1", ("v1", "latest"), "222222222222-auth-token"),
                              ("111111111111", "222222222222", "us-east-1", ("v1", "latest"), "222222222222-auth-token")]
    assert {(t[1], t[2]) for t in api.tags if t[1].startswith("2222")} == {
        (d.repository_uri, tag) for d in result.destinations[1:] for tag in ("v1", "latest")}


def test_a_failed_copy_falls_back_to_an_engine_push(tmp_path):
    from image_pipeline.blobcopy import CopyError
    api, log = FakeDockerAPI(), io.StringIO()
    rt = runtime(deployed(), api, log)

    def copier(*args, **options):
        raise CopyError("HTTP 401 (credentials refused)")

    rt.copier = copier
    result = publish(settings(tmp_path, tags=("v1",)), rt)

    assert result.ok and len(api.pushes) == 3
    assert "failed (HTTP 401 (credentials refused)); pushing instead" in log.getvalue()
