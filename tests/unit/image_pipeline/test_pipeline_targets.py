"""Destinations come from the spec and from what ECR says is deployed."""
import pytest

from ecr_spec import Target
from image_pipeline.core.errors import RepositoryNotDeployedError, SettingsError, TargetError
from ecr_spec.core.tags import wildcard_match
from image_pipeline.ecr.targets import Destination, resolve, select
from .pipeline_fakes import FakeECR, spec

REPO = "docker-in-aws/todobackend"


def test_select_returns_every_environment_and_region_of_the_repository():
    assert [(t.environment, t.region) for t in select(spec(), REPO)] == [
        ("dev", "us-east-1"), ("prod", "us-east-1"), ("prod", "eu-west-1")]


def test_select_limits_to_the_named_environments():
    assert [(t.environment, t.region) for t in select(spec(), REPO, ("prod",))] == [
        ("prod", "us-east-1"), ("prod", "eu-west-1")]


def test_select_refuses_an_environment_the_repository_is_not_in():
    with pytest.raises(SettingsError, match="'platform/base-images' is not deployed to environment 'prod'"):
        select(spec(), "platform/base-images", ("prod",))


def test_resolve_takes_the_uri_and_mutability_from_ecr():
    ecr = FakeECR("111111111111", "us-east-1")
    uri = ecr.add_repository(REPO)

    destination = resolve(Target("dev", "111111111111", "us-east-1"), REPO, ecr)

    assert destination.repository_uri == uri
    assert destination.tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    assert destination.mutability_exclusions == ("latest",)


def test_resolve_names_repository_account_and_region_when_not_deployed():
    with pytest.raises(RepositoryNotDeployedError, match="'x/y' is not deployed in account 111111111111 region us-east-1"):
        resolve(Target("dev", "111111111111", "us-east-1"), "x/y", FakeECR("111111111111", "us-east-1"))


def test_resolve_refuses_a_repository_answered_by_another_account():
    wrong = FakeECR("999999999999", "us-east-1")
    wrong.add_repository(REPO)

    with pytest.raises(TargetError, match="another registry; check the AWS profile"):
        resolve(Target("dev", "111111111111", "us-east-1"), REPO, wrong)


@pytest.mark.parametrize("mutability, filters, tag, immutable", [
    ("IMMUTABLE", (), "latest", True),
    ("MUTABLE", (), "v1", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("latest",), "latest", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("latest",), "v1", True),
    ("IMMUTABLE_WITH_EXCLUSION", ("dev-*",), "dev-42", False),
    ("MUTABLE_WITH_EXCLUSION", ("release-*",), "release-1", True),
    ("MUTABLE_WITH_EXCLUSION", ("release-*",), "latest", False)])
def test_tag_mutability_follows_the_repository_setting_and_its_filters(mutability, filters, tag, immutable):
    destination = Destination("dev", "1", "r", "n", "1.dkr.ecr.r.amazonaws.com/n", mutability, filters)

    assert destination.tag_is_immutable(tag) is immutable


@pytest.mark.parametrize("pattern, value, matched", [
    ("prod*", "prod-1", True), ("*-eu", "prod-eu", True), ("a*b*c", "aXbYc", True), ("prod", "prod-1", False),
    ("v1.0", "v1x0", False)])
def test_wildcards_match_whole_values_and_dots_literally(pattern, value, matched):
    assert wildcard_match(pattern, value) is matched
