"""The spec's ``publisher`` key: defaults, the publish roles it gives other accounts, and bad input."""
from __future__ import annotations

from .spec_helpers import parsed, problems_of, spec

PROD_ROLE = "arn:aws:iam::222222222222:role/ecr-image-publisher"


def test_without_a_publisher_key_no_environment_gets_a_publish_role() -> None:
    registry = parsed(spec())
    assert registry.publisher is None
    assert [e.publish_role_arn for e in registry.environments] == [None, None]


def test_a_publisher_defaults_to_the_first_region_every_repository_and_the_default_role_name() -> None:
    publisher = parsed(spec(publisher={"environment": "dev"})).publisher
    assert publisher is not None
    assert (publisher.account, publisher.region, publisher.role_name, publisher.build_role_name) == (
        "111111111111", "us-east-1", "ecr-image-publisher", "ecr-image-publisher-build")
    assert publisher.repositories == ("docker-in-aws/todobackend", "platform/base-images")


def test_other_accounts_get_their_publisher_role_as_publish_role_arn_and_the_ci_account_none() -> None:
    registry = parsed(spec(publisher={"environment": "dev", "repositories": ["docker-in-aws/todobackend"]}))
    assert registry.environment("prod").publish_role_arn == PROD_ROLE
    assert registry.environment("dev").publish_role_arn is None


def test_a_custom_role_name_names_the_role_in_every_other_account() -> None:
    registry = parsed(spec(publisher={"environment": "dev", "role_name": "ci-pusher"}))
    assert registry.environment("prod").publish_role_arn == "arn:aws:iam::222222222222:role/ci-pusher"


def test_an_explicit_publish_role_arn_that_is_the_publisher_role_is_kept() -> None:
    raw = spec(publisher={"environment": "dev"})
    raw["environments"]["prod"]["publish_role_arn"] = "arn:aws-cn:iam::222222222222:role/ecr-image-publisher"
    assert parsed(raw).environment("prod").publish_role_arn == "arn:aws-cn:iam::222222222222:role/ecr-image-publisher"


def test_an_explicit_publish_role_arn_naming_another_role_is_an_error_naming_the_expected_role() -> None:
    raw = spec(publisher={"environment": "dev"})
    raw["environments"]["prod"]["publish_role_arn"] = "arn:aws:iam::222222222222:role/other"
    assert problems_of(raw) == [
        "environments.prod.publish_role_arn: 'arn:aws:iam::222222222222:role/other' is not the publisher role of "
        f"account 222222222222 ({PROD_ROLE}): leave it out, or set publisher.role_name to the role's name"]


def test_every_problem_of_a_bad_publisher_is_reported_with_its_path() -> None:
    raw = spec(publisher={"environment": "dev", "region": "eu-west-1", "repositories": ["nope", "nope"],
                          "role_name": "bad name", "colour": "red"})
    assert problems_of(raw) == [
        "publisher.colour: unknown key (allowed: environment, package, platforms, region, repositories, role_name)",
        "publisher.region: 'eu-west-1' is not a region of environments.dev (us-east-1)",
        "publisher.repositories[0]: 'nope' is not a repository of this spec",
        "publisher.repositories[1]: 'nope' is not a repository of this spec",
        "publisher.role_name: 'bad name' is not an IAM role name of 1 to 58 letters, digits and +=,.@_-",
    ]


def test_a_publisher_in_an_unknown_environment_is_an_error() -> None:
    assert problems_of(spec(publisher={"environment": "qa"})) == [
        "publisher.environment: 'qa' is not an environment of this spec (known: dev, prod)"]


def test_a_publisher_without_an_environment_is_an_error() -> None:
    assert problems_of(spec(publisher={})) == [
        "publisher.environment: missing: name the environment whose account runs the publisher"]


def test_a_publisher_that_is_not_an_object_is_an_error() -> None:
    assert problems_of(spec(publisher="dev")) == [
        "publisher: 'dev' must be an object such as {\"environment\": \"dev\"}"]


def test_repositories_must_be_all_or_a_non_empty_list() -> None:
    assert problems_of(spec(publisher={"environment": "dev", "repositories": "some"})) == [
        "publisher.repositories: 'some' must be \"all\" or a list of repository names"]
    assert problems_of(spec(publisher={"environment": "dev", "repositories": []})) == [
        "publisher.repositories: [] is empty: list repositories, or \"all\""]


def test_more_published_repository_arns_than_one_role_holds_is_an_error() -> None:
    raw = spec(publisher={"environment": "dev"})
    raw["environments"]["dev"]["regions"] = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                                             "eu-central-1"]
    raw["repositories"] = [{"name": f"team/app-{i}", "environments": ["dev"]} for i in range(168)]
    assert problems_of(raw) == [
        "publisher.repositories: 1008 repository ARNs in account 111111111111 (one per region); one IAM role's "
        "policies hold about 1000: publish fewer repositories"]


def test_a_package_names_the_pip_requirement_the_build_installs() -> None:
    raw = spec(publisher={"environment": "dev", "package": "git+https://example.com/fork.git@v1"})
    assert parsed(raw).publisher.package == "git+https://example.com/fork.git@v1"


def test_a_package_that_is_not_a_requirement_string_is_refused() -> None:
    assert problems_of(spec(publisher={"environment": "dev", "package": 2})) == [
        "publisher.package: 2 must be a pip requirement such as 'ecr-registry-as-code==0.2.0' or 'git+https://...', "
        "or leave it out for the app's own"]
