"""The real CDK CLI synthesizes a spec with a publisher, and one with publisher.platforms (the batch build): cfn-lint
passes, cdk-nag finds nothing unacknowledged, and a bad publisher stops synth with one line per problem."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .synth_helpers import cfn_lint, example_spec, nag_violations, synth_spec, synthesized, template, templates

PUBLISHER_SPEC = {
    "environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                     "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]},
                     "staging": {"account": "333333333333", "regions": ["eu-west-1"]}},
    "publisher": {"environment": "dev"},
    "repositories": [{"name": "docker-in-aws/todobackend", "mutable_tags": ["latest"]},
                     {"name": "data/etl", "environments": ["dev", "prod"], "encryption": "KMS"}],
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory, "publisher", PUBLISHER_SPEC)


@pytest.fixture(scope="module")
def published_platforms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = json.loads(json.dumps(PUBLISHER_SPEC))
    spec["publisher"]["platforms"] = ["linux/amd64", "linux/arm64"]
    return synthesized(tmp_path_factory, "publisher-platforms", spec)


def test_a_spec_with_a_publisher_passes_cfn_lint(published: Path) -> None:
    lint = cfn_lint(published)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_spec_with_a_publisher_has_no_unacknowledged_cdk_nag_finding(published: Path) -> None:
    assert nag_violations(published) == []


def test_a_spec_with_publisher_platforms_passes_cfn_lint(published_platforms: Path) -> None:
    lint = cfn_lint(published_platforms)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_spec_with_publisher_platforms_has_no_unacknowledged_cdk_nag_finding(published_platforms: Path) -> None:
    assert nag_violations(published_platforms) == []


def test_publisher_platforms_make_the_ci_project_a_batch_build_with_an_arm_environment(published_platforms: Path) -> None:
    (project,) = [r["Properties"] for r in template(published_platforms, "ecr-dev-us-east-1")["Resources"].values()
                  if r["Type"] == "AWS::CodeBuild::Project"]
    graph = json.loads(project["Source"]["BuildSpec"])["batch"]["build-graph"]
    assert [(t["identifier"], t["env"]["type"]) for t in graph] == [
        ("publish_amd64", "LINUX_CONTAINER"), ("publish_arm64", "ARM_CONTAINER"), ("assemble_index", "LINUX_CONTAINER")]
    assert "ServiceRole" in project["BuildBatchConfig"]


def test_every_other_account_gets_one_publisher_role_and_the_ci_stack_the_project(published: Path) -> None:
    def count(stack: str, kind: str, role_name: str | None = None) -> int:
        resources = template(published, stack)["Resources"]
        return sum(1 for r in resources.values() if r["Type"] == kind
                   and (role_name is None or r["Properties"].get("RoleName") == role_name))

    assert count("ecr-dev-us-east-1", "AWS::CodeBuild::Project") == 1
    assert [count(s, "AWS::IAM::Role", "ecr-image-publisher") for s in
            ("ecr-dev-us-east-1", "ecr-prod-us-east-1", "ecr-prod-eu-west-1", "ecr-staging-eu-west-1")] == [0, 1, 0, 1]


def test_the_source_asset_holds_what_pip_needs_and_no_tests_or_virtualenv(published: Path) -> None:
    manifest = json.loads((published / "cdk.out" / "ecr-dev-us-east-1.assets.json").read_text())
    (source,) = [f["source"]["path"] for f in manifest["files"].values() if f["source"].get("packaging") == "zip"]
    top = sorted(p.name for p in (published / "cdk.out" / source).iterdir())
    assert top == ["README.md", "ecr_spec", "image_pipeline", "pyproject.toml"]


def test_a_bad_publisher_stops_synth_with_one_line_per_problem(tmp_path: Path) -> None:
    spec = example_spec()
    spec["publisher"] = {"environment": "qa", "repositories": ["team/none"]}
    result = synth_spec(tmp_path, spec, "bad.json")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "error: publisher.environment: 'qa' is not an environment of this spec (known: dev, prod)" in result.stderr
    assert "error: publisher.repositories[0]: 'team/none' is not a repository of this spec" in result.stderr
    assert templates(tmp_path) == []


def test_a_platform_codebuild_cannot_build_natively_stops_synth_with_one_line_naming_its_index(tmp_path: Path) -> None:
    spec = example_spec()
    spec["publisher"] = {"environment": "dev", "platforms": ["linux/arm64", "linux/s390x"]}
    result = synth_spec(tmp_path, spec, "bad.json")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: publisher.platforms[1]: 'linux/s390x' is not a platform CodeBuild builds natively: use linux/amd64 "
        "(x86-64, LINUX_CONTAINER) or linux/arm64 (Graviton, ARM_CONTAINER)"]
    assert templates(tmp_path) == []
