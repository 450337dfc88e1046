"""The registry spec: what it becomes, and one clear line per problem for bad input."""
from __future__ import annotations

from .spec_helpers import BASE, parsed, problems_of, spec, with_repository


def test_the_example_spec_gives_one_target_per_environment_and_region() -> None:
    targets = parsed(BASE).targets()
    assert [t.stack_name for t in targets] == ["ecr-dev-us-east-1", "ecr-prod-us-east-1", "ecr-prod-eu-west-1"]
    assert [t.account for t in targets] == ["111111111111", "222222222222", "222222222222"]


def test_a_repository_without_environments_goes_to_every_environment() -> None:
    result = parsed(with_repository(1, environments=None, replicate_to=None))
    assert result.repository("platform/base-images").environments == ("dev", "prod")
    assert len(result.targets_for("platform/base-images")) == 3


def test_defaults_apply_and_the_repository_keys_win_key_by_key() -> None:
    result = parsed(with_repository(0, lifecycle={"keep_last": 5}))
    rules = result.repository("docker-in-aws/todobackend").lifecycle_rules
    assert [(r.tag_status, r.count_number) for r in rules] == [("untagged", 7), ("any", 5)]


def test_a_repository_with_no_lifecycle_anywhere_still_gets_one() -> None:
    result = parsed(spec(defaults={}))
    rules = result.repository("platform/base-images").lifecycle_rules
    assert [(r.tag_status, r.count_type, r.count_number) for r in rules] == [
        ("untagged", "sinceImagePushed", 14), ("any", "imageCountMoreThan", 100)]


def test_secure_defaults_are_scan_on_push_aes256_and_retain() -> None:
    repository = parsed(BASE).repository("platform/base-images")
    assert (repository.scan_on_push, repository.encryption, repository.removal_policy) == (True, "AES256", "retain")


def test_unknown_keys_are_named_with_their_path_and_the_closest_allowed_key() -> None:
    raw = with_repository(1, pul={"accounts": []})
    raw["defaults"]["lifecycle"]["keep_lst"] = 3
    assert problems_of(raw) == [
        "defaults.lifecycle.keep_lst: unknown key (did you mean 'keep_last'?) (allowed: keep_last, rules, "
        "untagged_expire_days)",
        "repositories[1].pul: unknown key (did you mean 'pull'?) (allowed: encryption, environments, kms_key_arn, "
        "lifecycle, mutable_tags, name, pull, push, removal_policy, replicate_by_prefix, replicate_to, scan_on_push)",
    ]


def test_an_unknown_key_far_from_every_allowed_one_gets_no_guess() -> None:
    assert problems_of(with_repository(1, colour="blue")) == [
        "repositories[1].colour: unknown key (allowed: encryption, environments, kms_key_arn, lifecycle, "
        "mutable_tags, name, pull, push, removal_policy, replicate_by_prefix, replicate_to, scan_on_push)"]


def test_a_bad_account_id_is_named_with_its_path_and_value() -> None:
    raw = with_repository(0, pull={"accounts": ["333333333333", "12345"]})
    assert problems_of(raw) == ["repositories[0].pull.accounts[1]: '12345' is not a 12-digit account id"]


def test_a_star_principal_is_refused_and_the_organisation_is_suggested() -> None:
    raw = with_repository(0, pull={"accounts": ["*"]})
    assert problems_of(raw) == [
        "repositories[0].pull.accounts[0]: '*' would let every AWS account in (cdk-nag AwsSolutions-ECR1); "
        "use pull.organization_id for organisation-wide access"]


def test_a_bad_repository_name_is_refused() -> None:
    assert problems_of(with_repository(1, name="Platform/Base")) == [
        "repositories[1].name: 'Platform/Base' is not a valid ECR repository name: lowercase letters and digits, "
        "separated by single '.', '_', '-' or '/'"]


def test_a_too_short_repository_name_is_refused() -> None:
    assert problems_of(with_repository(1, name="a")) == [
        "repositories[1].name: 'a' must be 2 to 256 characters long (it has 1)"]


def test_an_unknown_region_is_refused_with_the_closest_region() -> None:
    raw = spec(environments={"dev": {"account": "111111111111", "regions": ["us-east-1", "us-esat-2"]}})
    raw["repositories"][0]["environments"] = ["dev"]
    raw["repositories"][1].pop("replicate_to")
    assert problems_of(raw) == ["environments.dev.regions[1]: 'us-esat-2' is not an AWS region with Amazon ECR "
                                "(did you mean 'us-east-2'?)"]


def test_an_unknown_environment_name_is_refused() -> None:
    assert problems_of(with_repository(0, environments=["dev", "staging"])) == [
        "repositories[0].environments[1]: 'staging' is not an environment of this spec (known: dev, prod)"]


def test_a_duplicate_repository_is_refused_naming_the_first() -> None:
    raw = spec()
    raw["repositories"].append({"name": "platform/base-images"})
    assert problems_of(raw) == [
        "repositories[2].name: 'platform/base-images' is already defined at repositories[1]"]


def test_replication_to_itself_is_refused() -> None:
    raw = with_repository(1, replicate_to=[{"account": "111111111111", "region": "us-east-1"}])
    assert problems_of(raw) == [
        "repositories[1].replicate_to[0]: 111111111111/us-east-1 is where the repository already lives "
        "(environments.dev): replication to itself is not allowed"]


def test_replication_to_an_account_outside_the_spec_is_refused() -> None:
    raw = with_repository(1, replicate_to=[{"account": "999999999999", "region": "us-west-2"}])
    assert problems_of(raw) == [
        "repositories[1].replicate_to[0]: 999999999999/us-west-2 is not a registry of this spec: another account's "
        "registry policy must allow the replication, so add it as an environment"]


def test_replication_to_another_region_of_the_same_account_needs_no_environment() -> None:
    raw = with_repository(1, replicate_to=[{"account": "111111111111", "region": "us-west-2"}])
    assert str(parsed(raw).repository("platform/base-images").replicate_to[0]) == "111111111111/us-west-2"


def test_a_policy_over_the_size_limit_is_refused() -> None:
    accounts = [f"{n:012d}" for n in range(1, 401)]
    problems = problems_of(with_repository(0, pull={"accounts": accounts}))
    assert len(problems) == 1
    assert problems[0].startswith("repositories[0].pull: the repository policy would have ")
    assert problems[0].endswith("characters; ECR allows 10240: grant an organisation (pull.organization_id) "
                                "instead of many accounts")


def test_every_problem_is_reported_at_once() -> None:
    raw = with_repository(0, name="UPPER", pull={"accounts": ["1"], "services": ["codebuild"]})
    assert len(problems_of(raw)) == 3


def test_a_bad_value_in_defaults_is_reported_once_at_its_own_path() -> None:
    raw = spec(defaults={"lifecycle": {"keep_last": 0}})
    assert problems_of(raw) == ["defaults.lifecycle.keep_last: 0 must be a positive number of images, or null"]


def test_two_environments_cannot_share_an_account_and_region() -> None:
    raw = spec()
    raw["environments"]["qa"] = {"account": "111111111111", "regions": ["us-east-1"]}
    assert problems_of(raw) == [
        "environments.qa.regions: 111111111111/us-east-1 is already the registry of environments.dev: "
        "one account and region can belong to one environment only"]


def test_a_kms_key_in_another_region_is_refused() -> None:
    raw = with_repository(0, encryption="KMS",
                          kms_key_arn="arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert problems_of(raw) == [
        "repositories[0].kms_key_arn: the key is in us-east-1 and cannot encrypt the repository in eu-west-1 "
        "(environments.prod); KMS keys are regional"]


def test_more_than_five_mutable_tag_filters_are_refused() -> None:
    assert problems_of(with_repository(0, mutable_tags=["a", "b", "c", "d", "e", "f"])) == [
        "repositories[0].mutable_tags: 6 filters; ECR allows at most 5"]


def test_a_stack_over_the_output_limit_is_refused() -> None:
    raw = spec(repositories=[{"name": f"team/app{n}", "environments": ["dev"]} for n in range(201)])
    assert problems_of(raw) == [
        "environments.dev (111111111111/us-east-1): 201 repositories need 201 outputs; CloudFormation allows "
        "200 per stack"]


def test_replication_wishes_merge_into_one_rule_per_destination_set() -> None:
    raw = spec()
    raw["repositories"].append({"name": "platform/tools", "environments": ["dev"],
                                "replicate_to": [{"account": "222222222222", "region": "eu-west-1"}]})
    result = parsed(raw)
    dev = result.targets()[0]
    rules = result.replication_rules(dev)
    assert len(rules) == 1 and rules[0].repositories == ("platform/base-images", "platform/tools")
    assert result.replication_sources(result.targets()[2]) == ("111111111111",)
