"""Pre-flight and what a failure after it reports: nothing half-published unless asked for, and the tags
that moved are named.

Immutability follows ECR's "Image tag mutability" page (Amazon ECR User Guide, image-tag-mutability.html):
pushing a tag that already exists in an immutable repository fails with ImageTagAlreadyExistsException;
with IMMUTABLE_WITH_EXCLUSION the exclusion filters name the tags that stay mutable."""
import io
import json
from pathlib import Path

from image_pipeline.cli import main as cli, run as cli_run
from image_pipeline.commands.publish import publish
from image_pipeline.cli.output import error_lines, json_document, publish_table
from image_pipeline.commands.settings import BuildSettings, PublishSettings, RetryPolicy
from .fake_engine import IMAGE_ID, FakeDockerAPI
from .pipeline_fakes import deployed, mirror, runtime

REPO = "docker-in-aws/todobackend"
DEV, PROD_US, PROD_EU = ("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1")
OTHER_IMAGE = "sha256:" + "f" * 64


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1", "latest"),
                  retry=RetryPolicy(attempts=3, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def statuses(result) -> dict:
    return {(d.account, d.region): d.status for d in result.destinations}


def sent(registries) -> set[str]:
    """The hosts whose registries got any request."""
    return {host for host, registry in registries.items() if registry.state.requests}


def registry_of(registries, where):  # type: ignore[no-untyped-def]
    return registries[f"{where[0]}.dkr.ecr.{where[1]}.amazonaws.com"]


def test_an_immutable_tag_conflict_in_one_of_three_destinations_pushes_nothing_anywhere(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert sent(registries) == set() and api.tags == []
    assert statuses(result) == {DEV: "skipped", PROD_US: "skipped", PROD_EU: "failed"}
    (line,) = error_lines([result])
    assert line.startswith("tag 'v1' of immutable repository 222222222222.dkr.ecr.eu-west-1")


def test_every_conflicting_tag_is_its_own_line(tmp_path, registries):
    ecrs = deployed()
    ecrs[PROD_EU].add_repository(REPO, "IMMUTABLE", ())
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)
    ecrs[PROD_EU].put(REPO, "latest", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI(), registries))

    assert [line.split(" of ")[0] for line in error_lines([result])] == ["tag 'v1'", "tag 'latest'"]


def test_a_mutable_exclusion_tag_at_another_image_is_no_conflict(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "latest", OTHER_IMAGE)  # 'latest' is an exclusion filter: mutable

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert result.ok and set(statuses(result).values()) == {"pushed"}


def test_a_repository_missing_in_one_destination_stops_the_publish_before_the_build(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    del ecrs[PROD_US].repositories[REPO]

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert api.builds == [] and sent(registries) == set()
    assert statuses(result) == {DEV: "skipped", PROD_US: "failed", PROD_EU: "skipped"}
    assert error_lines([result]) == [f"repository '{REPO}' is not deployed in account 222222222222 region "
                                     f"us-east-1; run `npx cdk deploy --all` first"]


def test_refused_credentials_in_one_destination_push_nothing(tmp_path, registries):
    from .pipeline_fakes import client_error
    ecrs, api = deployed(), FakeDockerAPI()

    def refuse():
        raise client_error("AccessDeniedException", "GetAuthorizationToken", 403)
    ecrs[DEV].get_authorization_token = refuse

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert sent(registries) == set() and statuses(result)[DEV] == "failed"
    assert "cannot get an ECR authorization token for account 111111111111" in result.destinations[0].error


def test_allow_partial_pushes_to_the_destinations_that_pass_and_fails_the_other(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path, allow_partial=True), runtime(ecrs, api, registries))

    assert statuses(result) == {DEV: "pushed", PROD_US: "pushed", PROD_EU: "failed"}
    assert sent(registries) == {"111111111111.dkr.ecr.us-east-1.amazonaws.com",
                                "222222222222.dkr.ecr.us-east-1.amazonaws.com"}
    assert not result.ok


def test_a_destination_already_at_the_image_stays_unchanged_when_another_fails_preflight(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    for tag in ("v1", "latest"):
        ecrs[DEV].put(REPO, tag, IMAGE_ID)
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert statuses(result) == {DEV: "unchanged", PROD_US: "skipped", PROD_EU: "failed"}


def test_a_failure_after_preflight_names_the_tags_that_moved_in_result_table_and_json(tmp_path, registries):
    message = ("The image tag 'latest' already exists in the 'docker-in-aws/todobackend' repository and cannot be "
               "overwritten because the tag is immutable.")
    registry_of(registries, DEV).fail("PUT", "/manifests/latest", 400)

    result = publish(settings(tmp_path, tags=("v9", "latest"), environments=("dev",)),
                     runtime(deployed(), FakeDockerAPI(), registries))

    (row,) = result.destinations
    assert row.status == "failed" and row.moved == ("v9",)
    assert row.digest == registry_of(registries, DEV).tag(REPO, "v9")
    assert row.error.endswith("(tags moved before the failure: v9)") and message  # noqa: PT018
    assert json.loads(json_document([result]))["destinations"][0]["moved"] == ["v9"]
    assert "v9" in publish_table([result]).splitlines()[2].split()


def test_a_tag_the_registry_stored_although_the_answer_said_it_failed_is_reported_as_moved(tmp_path, registries):
    ecrs = deployed()
    # the registry stores the manifest but its answer is lost: ECR shows the tag at this image after all
    registry_of(registries, DEV).fail("PUT", "/manifests/v1", 500, count=10,
                                      then=lambda: ecrs[DEV].put(REPO, "v1", IMAGE_ID))

    result = publish(settings(tmp_path, tags=("v1",), environments=("dev",), retry=RetryPolicy(attempts=1)),
                     runtime(ecrs, FakeDockerAPI(), registries))

    (row,) = result.destinations
    assert row.status == "failed" and row.moved == ("v1",)


def test_a_pushed_destination_lists_only_the_tags_it_moved(tmp_path, registries):
    ecrs = deployed()
    rt = runtime(ecrs, FakeDockerAPI(), registries)
    publish(settings(tmp_path, tags=("latest",), environments=("dev",)), rt)
    mirror(ecrs, registries)

    result = publish(settings(tmp_path, environments=("dev",)), rt)

    assert [(d.status, d.moved) for d in result.destinations] == [("pushed", ("v1",))]


def test_an_exception_inside_one_destination_becomes_its_failed_row(tmp_path, registries):
    rt = runtime(deployed(), FakeDockerAPI(), registries)
    made = rt.client_for

    def client_for(destination, deadline, credentials):  # type: ignore[no-untyped-def]
        client = made(destination, deadline, credentials)
        if destination.region == "eu-west-1":
            def buggy(*args):  # type: ignore[no-untyped-def]
                raise RecursionError("maximum recursion depth exceeded")
            client.has_blob = buggy
        return client
    rt.client_for = client_for

    result = publish(settings(tmp_path), rt)

    assert statuses(result) == {DEV: "pushed", PROD_US: "pushed", PROD_EU: "failed"}
    assert result.destinations[2].error.startswith("unexpected RecursionError: maximum recursion depth exceeded")


def test_an_exception_during_preflight_becomes_that_destinations_failed_row(tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()

    def broken(**kwargs):
        raise KeyError("repositories")
    ecrs[PROD_US].describe_repositories = broken

    result = publish(settings(tmp_path), runtime(ecrs, api, registries))

    assert sent(registries) == set() and statuses(result)[PROD_US] == "failed"
    assert "unexpected KeyError" in result.destinations[1].error


def test_the_cli_prints_one_line_per_problem_and_exits_1_when_preflight_stops_the_publish(monkeypatch, capsys,
                                                                                         tmp_path, registries):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)
    del ecrs[PROD_US].repositories[REPO]
    monkeypatch.setattr(cli_run, "_create", lambda settings: runtime(ecrs, api, registries, io.StringIO()))

    code = cli.main(["publish", REPO, "--context", str(tmp_path), "--tag", "v1", "--json"])

    captured = capsys.readouterr()
    assert code == 1 and sent(registries) == set() and "Traceback" not in captured.err
    assert [line for line in captured.err.splitlines() if line.startswith("error: ")] == [
        f"error: repository '{REPO}' is not deployed in account 222222222222 region us-east-1; run `npx cdk deploy "
        f"--all` first"]  # the tag check runs only once every repository exists
    assert {r["status"] for r in json.loads(captured.out)["destinations"]} == {"failed", "skipped"}
