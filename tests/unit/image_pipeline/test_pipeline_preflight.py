"""Pre-flight and what a failure after it reports: nothing half-published unless asked for, and the tags
that moved are named.

Immutability follows ECR's "Image tag mutability" page (Amazon ECR User Guide, image-tag-mutability.html):
pushing a tag that already exists in an immutable repository fails with ImageTagAlreadyExistsException;
with IMMUTABLE_WITH_EXCLUSION the exclusion filters name the tags that stay mutable."""
import io
import json
from pathlib import Path

from image_pipeline import cli
from image_pipeline.publish import publish
from image_pipeline.report import error_lines, json_document, publish_table
from image_pipeline.settings import BuildSettings, PublishSettings, RetrySettings
from .pipeline_fakes import IMAGE_ID, FakeDockerAPI, deployed, digest_of, good_push, runtime

REPO = "docker-in-aws/todobackend"
DEV, PROD_US, PROD_EU = ("111111111111", "us-east-1"), ("222222222222", "us-east-1"), ("222222222222", "eu-west-1")
OTHER_IMAGE = "sha256:" + "f" * 64


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1", "latest"),
                  retry=RetrySettings(attempts=3, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def statuses(result) -> dict:
    return {(d.account, d.region): d.status for d in result.destinations}


def test_an_immutable_tag_conflict_in_one_of_three_destinations_pushes_nothing_anywhere(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert api.pushes == [] and api.tags == []
    assert statuses(result) == {DEV: "skipped", PROD_US: "skipped", PROD_EU: "failed"}
    (line,) = error_lines([result])
    assert line.startswith("tag 'v1' of immutable repository 222222222222.dkr.ecr.eu-west-1")


def test_every_conflicting_tag_is_its_own_line(tmp_path):
    ecrs = deployed()
    ecrs[PROD_EU].add_repository(REPO, "IMMUTABLE", ())
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)
    ecrs[PROD_EU].put(REPO, "latest", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, FakeDockerAPI()))

    assert [line.split(" of ")[0] for line in error_lines([result])] == ["tag 'v1'", "tag 'latest'"]


def test_a_mutable_exclusion_tag_at_another_image_is_no_conflict(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "latest", OTHER_IMAGE)  # 'latest' is an exclusion filter: mutable

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert result.ok and set(statuses(result).values()) == {"pushed"}


def test_a_repository_missing_in_one_destination_stops_the_publish_before_the_build(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    del ecrs[PROD_US].repositories[REPO]

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert api.builds == [] and api.pushes == []
    assert statuses(result) == {DEV: "skipped", PROD_US: "failed", PROD_EU: "skipped"}
    assert error_lines([result]) == [f"repository '{REPO}' is not deployed in account 222222222222 region "
                                     f"us-east-1; run `npx cdk deploy --all` first"]


def test_refused_credentials_in_one_destination_push_nothing(tmp_path):
    from .pipeline_fakes import client_error
    ecrs, api = deployed(), FakeDockerAPI()

    def refuse():
        raise client_error("AccessDeniedException", "GetAuthorizationToken", 403)
    ecrs[DEV].get_authorization_token = refuse

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert api.pushes == [] and statuses(result)[DEV] == "failed"
    assert "cannot get an ECR authorization token for account 111111111111" in result.destinations[0].error


def test_allow_partial_pushes_to_the_destinations_that_pass_and_fails_the_other(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path, allow_partial=True), runtime(ecrs, api))

    assert statuses(result) == {DEV: "pushed", PROD_US: "pushed", PROD_EU: "failed"}
    assert {r.split(".")[0] + "/" + r.split(".")[3] for r, _, _ in api.pushes} == {"111111111111/us-east-1",
                                                                                 "222222222222/us-east-1"}
    assert not result.ok


def test_a_destination_already_at_the_image_stays_unchanged_when_another_fails_preflight(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    for tag in ("v1", "latest"):
        ecrs[DEV].put(REPO, tag, IMAGE_ID)
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert statuses(result) == {DEV: "unchanged", PROD_US: "skipped", PROD_EU: "failed"}


def refuse_latest(repository, tag, auth):
    if tag == "latest":
        message = ("tag invalid: The image tag 'latest' already exists in the 'docker-in-aws/todobackend' "
                   "repository and cannot be overwritten because the repository is immutable.")
        return [{"status": "Preparing", "id": "l1"}, {"error": message, "errorDetail": {"message": message}}]
    return good_push(repository, tag, auth)


def test_a_failure_after_preflight_names_the_tags_that_moved_in_result_table_and_json(tmp_path):
    api = FakeDockerAPI(push_script=refuse_latest)

    result = publish(settings(tmp_path, tags=("v9", "latest"), environments=("dev",)), runtime(deployed(), api))

    (row,) = result.destinations
    assert row.status == "failed" and row.moved == ("v9",)
    assert row.digest == digest_of(row.repository_uri)
    assert row.error.endswith("(tags moved before the failure: v9)")
    assert json.loads(json_document([result]))["destinations"][0]["moved"] == ["v9"]
    assert "v9" in publish_table([result]).splitlines()[2].split()


def test_a_tag_the_registry_stored_although_the_push_reported_a_failure_is_reported_as_moved(tmp_path):
    ecrs = deployed()

    def stored_then_cut(repository, tag, auth):
        ecrs[DEV].put(REPO, tag, IMAGE_ID)  # the registry took the manifest...
        return [{"status": "Pushing", "id": "l1"}, {"error": "unexpected EOF"}]  # ...the stream did not say so

    result = publish(settings(tmp_path, tags=("v1",), environments=("dev",)),
                     runtime(ecrs, FakeDockerAPI(push_script=stored_then_cut)))

    (row,) = result.destinations
    assert row.status == "failed" and row.moved == ("v1",)


def test_a_pushed_destination_lists_only_the_tags_it_moved(tmp_path):
    ecrs = deployed()
    ecrs[DEV].put(REPO, "latest", IMAGE_ID)

    result = publish(settings(tmp_path, environments=("dev",)), runtime(ecrs, FakeDockerAPI()))

    assert [(d.status, d.moved) for d in result.destinations] == [("pushed", ("v1",))]


def test_an_exception_inside_one_destination_becomes_its_failed_row(tmp_path):
    def buggy(repository, tag, auth):
        if repository.startswith("222222222222.dkr.ecr.eu-west-1"):
            raise RecursionError("maximum recursion depth exceeded")
        return good_push(repository, tag, auth)

    result = publish(settings(tmp_path), runtime(deployed(), FakeDockerAPI(push_script=buggy)))

    assert statuses(result) == {DEV: "pushed", PROD_US: "pushed", PROD_EU: "failed"}
    assert result.destinations[2].error.startswith("unexpected RecursionError: maximum recursion depth exceeded")


def test_an_exception_during_preflight_becomes_that_destinations_failed_row(tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()

    def broken(**kwargs):
        raise KeyError("repositories")
    ecrs[PROD_US].describe_repositories = broken

    result = publish(settings(tmp_path), runtime(ecrs, api))

    assert api.pushes == [] and statuses(result)[PROD_US] == "failed"
    assert "unexpected KeyError" in result.destinations[1].error


def test_the_cli_prints_one_line_per_problem_and_exits_1_when_preflight_stops_the_publish(monkeypatch, capsys,
                                                                                         tmp_path):
    ecrs, api = deployed(), FakeDockerAPI()
    ecrs[PROD_EU].put(REPO, "v1", OTHER_IMAGE)
    del ecrs[PROD_US].repositories[REPO]
    monkeypatch.setattr(cli.runtime, "create", lambda spec, credentials: runtime(ecrs, api, io.StringIO()))

    code = cli.main(["publish", REPO, "--context", str(tmp_path), "--tag", "v1", "--json"])

    captured = capsys.readouterr()
    assert code == 1 and api.pushes == [] and "Traceback" not in captured.err
    assert [line for line in captured.err.splitlines() if line.startswith("error: ")] == [
        f"error: repository '{REPO}' is not deployed in account 222222222222 region us-east-1; run `npx cdk deploy "
        f"--all` first"]  # the tag check runs only once every repository exists
    assert {r["status"] for r in json.loads(captured.out)["destinations"]} == {"failed", "skipped"}
