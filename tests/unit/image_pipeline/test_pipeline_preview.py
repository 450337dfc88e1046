"""lifecycle-preview: ECR's preview API when it answers, the local evaluator when it does not."""
import json
from datetime import datetime, timedelta, timezone

from ecr_spec import Target
from image_pipeline.cli.output import lifecycle_table as render
from image_pipeline.commands.lifecycle_preview import preview_target
from image_pipeline.commands.settings import LifecycleSettings
from .fake_engine import FakeDockerAPI
from .pipeline_fakes import FakeECR, client_error, runtime

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
REPO = "docker-in-aws/todobackend"
POLICY = {"rules": [
    {"rulePriority": 1, "description": "untagged", "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                                 "countUnit": "days", "countNumber": 7},
     "action": {"type": "expire"}},
    {"rulePriority": 2, "description": "keep 1", "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                               "countNumber": 1}, "action": {"type": "expire"}}]}


class PreviewECR(FakeECR):
    def __init__(self, preview_works: bool) -> None:
        super().__init__("111111111111", "us-east-1")
        self.add_repository(REPO)
        self.preview_works = preview_works
        self.details = [
            {"imageDigest": "sha256:" + "1" * 64, "imageTags": ["v2"], "imagePushedAt": NOW - timedelta(days=1)},
            {"imageDigest": "sha256:" + "2" * 64, "imageTags": ["v1"], "imagePushedAt": NOW - timedelta(days=3)},
            {"imageDigest": "sha256:" + "3" * 64, "imagePushedAt": NOW - timedelta(days=10)}]

    def get_lifecycle_policy(self, repositoryName):
        return {"lifecyclePolicyText": json.dumps(POLICY)}

    def get_paginator(self, name):
        details = self.details

        class Pages:
            def paginate(self, repositoryName, **_filter):
                return [{"imageDetails": details}]
        return Pages()

    def start_lifecycle_policy_preview(self, repositoryName):
        if not self.preview_works:
            raise client_error("500", "StartLifecyclePolicyPreview", 500)

    def get_lifecycle_policy_preview(self, repositoryName):
        return {"status": "COMPLETE", "previewResults": [
            {"imageDigest": "sha256:" + "2" * 64, "action": {"type": "EXPIRE"}, "appliedRulePriority": 2}]}


def run(ecr):
    rt = runtime({("111111111111", "us-east-1"): ecr}, FakeDockerAPI())
    return preview_target(Target("dev", "111111111111", "us-east-1"), LifecycleSettings(REPO), rt, now=NOW)


def test_the_ecr_preview_api_is_used_when_it_answers():
    preview = run(PreviewECR(preview_works=True))

    assert preview.source == "ECR's lifecycle preview API"
    assert [(r.tags, r.action, r.rule_priority) for r in preview.rows] == [
        (("v2",), "keep", None), (("v1",), "expire", 2), ((), "keep", None)]


def test_the_local_evaluator_takes_over_where_the_endpoint_does_not_serve_the_preview_api():
    preview = run(PreviewECR(preview_works=False))

    assert preview.source == ("image-pipeline's local evaluator "
                              "(this endpoint does not serve ECR's lifecycle preview API)")
    assert [(r.tags, r.action, r.rule_priority) for r in preview.rows] == [
        (("v2",), "keep", 2), (("v1",), "expire", 2), ((), "expire", 1)]


def test_the_table_shows_digest_tags_age_action_and_rule():
    text = render([run(PreviewECR(preview_works=False))], now=NOW)

    lines = text.splitlines()
    assert lines[0].startswith("Evaluated by image-pipeline's local evaluator")
    assert lines[3].split() == ["DIGEST", "TAGS", "AGE", "ACTION", "RULE"]
    assert lines[5].split() == ["1" * 12, "v2", "1d", "keep", "2"]
    assert lines[7].split() == ["3" * 12, "<untagged>", "10d", "EXPIRE", "1"]


def test_the_evaluator_is_named_once_for_every_destination_that_shares_it():
    previews = [run(PreviewECR(preview_works=False)), run(PreviewECR(preview_works=False))]

    text = render(previews, now=NOW)

    assert text.count("local evaluator") == 1
    assert "500" not in text


def test_local_with_images_evaluates_the_spec_s_policy_offline_without_any_aws_call(tmp_path):
    """ECR user guide, "Lifecycle policy evaluation rules": the spec's untagged rule (priority 1, 7 days)
    expires the untagged image pushed 33 days ago; keep_last keeps the tagged ones."""
    from image_pipeline.commands.lifecycle_preview import lifecycle_preview
    images = tmp_path / "images.json"
    images.write_text(json.dumps({"imageDetails": [
        {"imageDigest": "sha256:aaaa", "imageTags": ["v1"], "imagePushedAt": "2026-11-20T00:00:00Z"},
        {"imageDigest": "sha256:bbbb", "imagePushedAt": 1700000000}]}))

    class NoAws:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            raise AssertionError(f"called the ECR API ({name})")
    rt = runtime({}, FakeDockerAPI())
    rt.ecr_for = lambda target: NoAws()

    (preview,) = lifecycle_preview(LifecycleSettings("docker-in-aws/todobackend", use_preview_api=False,
                                                     images_file=images), rt)

    assert [(r.digest, r.action) for r in preview.rows] == [("sha256:aaaa", "keep"), ("sha256:bbbb", "expire")]
    assert preview.repository_uri == "111111111111.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend"


def test_images_that_are_not_describe_images_output_are_one_clear_error(tmp_path):
    import pytest

    from image_pipeline.commands.lifecycle_preview import lifecycle_preview
    from image_pipeline.core.errors import LifecycleError
    images = tmp_path / "images.json"
    images.write_text('{"repositories": []}')

    with pytest.raises(LifecycleError, match="not the output of `aws ecr describe-images`"):
        lifecycle_preview(LifecycleSettings("docker-in-aws/todobackend", use_preview_api=False, images_file=images),
                          runtime({}, FakeDockerAPI()))
