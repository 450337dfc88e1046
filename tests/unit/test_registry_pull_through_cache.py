"""Pull through cache rules: the ``PullThroughCacheRule`` construct and the spec's ``registry.pull_through_cache``.

Sources: CloudFormation ``AWS::ECR::PullThroughCacheRule`` (property names from the aws-cdk-lib 2.275.0 jsii
``CfnPullThroughCacheRuleProps``; patterns from the resource schema in cfn-lint 1.58.0); ECR API model
``CreatePullThroughCacheRuleRequest`` (the upstream URL list, ``credentialArn`` pattern
``...:secret:ecr-pullthroughcache/...``, prefix pattern and 2..30 length, ``customRoleArn`` "must be in the same
account as the registry"); ECR user guide "Sync an upstream registry with an Amazon ECR private registry" (which
upstreams need a secret, ECR needs an IAM role across accounts), "Creating a pull through cache rule in Amazon
ECR" (the secret's account and Region must match the rule's), "Customizing repository prefixes for ECR to ECR
pull through cache" (upstream prefix only with a non-ROOT ECR prefix), "Amazon ECR service quotas" (50 rules).
"""
from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, PullThroughCacheRule

from .cdk_helpers import new_stack
from .registry_helpers import templates_of
from .spec_helpers import problems_of, spec

SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
ROLE = "arn:aws:iam::111111111111:role/ecr-pull-through-cache"
UPSTREAM_ECR = "222222222222.dkr.ecr.us-east-1.amazonaws.com"


def rule_props(**props: object) -> dict:
    stack = new_stack()
    PullThroughCacheRule(stack, "Rule", **props)  # type: ignore[arg-type]
    resources = Template.from_stack(stack).find_resources("AWS::ECR::PullThroughCacheRule")
    assert len(resources) == 1
    return next(iter(resources.values()))["Properties"]


def props_problems(**props: object) -> list[str]:
    with pytest.raises(PropsError) as caught:
        PullThroughCacheRule(new_stack(), "Rule", **props)  # type: ignore[arg-type]
    return caught.value.problems


def test_an_ecr_public_rule_needs_no_credentials_and_names_its_upstream_registry() -> None:
    assert rule_props(ecr_repository_prefix="ecr-public", upstream_registry_url="public.ecr.aws") == {
        "EcrRepositoryPrefix": "ecr-public", "UpstreamRegistryUrl": "public.ecr.aws", "UpstreamRegistry": "ecr-public"}


def test_a_docker_hub_rule_carries_its_secrets_manager_credential() -> None:
    props = rule_props(ecr_repository_prefix="docker-hub", upstream_registry_url="registry-1.docker.io",
                       credential_arn=SECRET)
    assert (props["UpstreamRegistry"], props["CredentialArn"]) == ("docker-hub", SECRET)


def test_an_ecr_to_ecr_rule_in_another_account_carries_its_role_and_upstream_prefix() -> None:
    props = rule_props(ecr_repository_prefix="upstream-prod", upstream_registry_url=UPSTREAM_ECR,
                       custom_role_arn=ROLE, upstream_repository_prefix="platform")
    assert props == {"EcrRepositoryPrefix": "upstream-prod", "UpstreamRegistryUrl": UPSTREAM_ECR,
                     "UpstreamRegistry": "ecr", "CustomRoleArn": ROLE, "UpstreamRepositoryPrefix": "platform"}


def test_an_ecr_upstream_in_the_same_account_needs_no_role() -> None:
    props = rule_props(ecr_repository_prefix="west", upstream_registry_url="111111111111.dkr.ecr.eu-west-1.amazonaws.com")
    assert "CustomRoleArn" not in props


def test_an_upstream_ecr_can_not_handle_is_refused_with_the_supported_list() -> None:
    problems = props_problems(ecr_repository_prefix="gcr", upstream_registry_url="gcr.io")
    assert problems[0].startswith("Test/Rule: upstream_registry_url: 'gcr.io' is not an upstream registry ECR can "
                                  "cache (one of: public.ecr.aws, registry-1.docker.io, ghcr.io")


def test_docker_hub_without_a_secret_is_refused() -> None:
    assert props_problems(ecr_repository_prefix="docker-hub", upstream_registry_url="registry-1.docker.io") == [
        "Test/Rule: credential_arn: missing: docker-hub needs its credentials in a Secrets Manager secret named "
        "ecr-pullthroughcache/..."]


def test_a_secret_without_the_ecr_pullthroughcache_prefix_is_refused() -> None:
    bad = "arn:aws:secretsmanager:us-east-1:111111111111:secret:dockerhub-credentials-AbCdEf"
    problems = props_problems(ecr_repository_prefix="docker-hub", upstream_registry_url="registry-1.docker.io",
                              credential_arn=bad)
    assert problems[0].startswith(f"Test/Rule: credential_arn: '{bad}' is not the ARN of a Secrets Manager secret "
                                  "whose name starts with ecr-pullthroughcache/")


def test_a_secret_in_another_region_than_the_rule_is_refused() -> None:
    other = SECRET.replace("us-east-1", "eu-west-1")
    assert props_problems(ecr_repository_prefix="ghcr", upstream_registry_url="ghcr.io", credential_arn=other) == [
        "Test/Rule: credential_arn: the secret is in eu-west-1; it must be in the region of the rule's registry, "
        "us-east-1"]


def test_a_cross_account_ecr_upstream_without_a_role_is_refused() -> None:
    assert props_problems(ecr_repository_prefix="prod", upstream_registry_url=UPSTREAM_ECR) == [
        "Test/Rule: custom_role_arn: missing: the upstream registry is in account 222222222222, another account "
        "than 111111111111, so ECR needs an IAM role to pull from it"]


def test_a_role_in_another_account_than_the_registry_is_refused() -> None:
    role = "arn:aws:iam::222222222222:role/puller"
    assert props_problems(ecr_repository_prefix="prod", upstream_registry_url=UPSTREAM_ECR, custom_role_arn=role) == [
        "Test/Rule: custom_role_arn: the role is in account 222222222222; it must be in the account of the rule's "
        "registry, 111111111111"]


def test_an_upstream_prefix_with_a_root_ecr_prefix_is_refused() -> None:
    assert props_problems(ecr_repository_prefix="ROOT", upstream_registry_url=UPSTREAM_ECR, custom_role_arn=ROLE,
                          upstream_repository_prefix="platform") == [
        "Test/Rule: upstream_repository_prefix: needs an ecr_repository_prefix other than ROOT"]


def test_role_and_upstream_prefix_are_refused_for_an_upstream_that_is_not_ecr() -> None:
    assert props_problems(ecr_repository_prefix="quay", upstream_registry_url="quay.io", custom_role_arn=ROLE,
                          upstream_repository_prefix="coreos") == [
        "Test/Rule: custom_role_arn: only for an Amazon ECR upstream (quay is not one)",
        "Test/Rule: upstream_repository_prefix: only for an Amazon ECR upstream (quay is not one)"]


def test_a_prefix_longer_than_30_characters_is_refused() -> None:
    prefix = "a" * 31
    assert props_problems(ecr_repository_prefix=prefix, upstream_registry_url="quay.io") == [
        f"Test/Rule: ecr_repository_prefix: '{prefix}' is not a repository prefix: 2 to 30 lowercase letters and "
        "digits separated by '.', '_', '-' or '/', or ROOT"]


def test_an_ecr_upstream_that_is_the_registry_itself_is_refused() -> None:
    assert props_problems(ecr_repository_prefix="self", upstream_registry_url="111111111111.dkr.ecr.us-east-1.amazonaws.com") == [
        "Test/Rule: upstream_registry_url: '111111111111.dkr.ecr.us-east-1.amazonaws.com' is the rule's own registry: "
        "a pull through cache needs another registry upstream"]


def test_token_values_are_not_checked() -> None:
    stack = new_stack()
    secret = cdk.Fn.import_value("DockerHubSecretArn")
    PullThroughCacheRule(stack, "Rule", ecr_repository_prefix="docker-hub", upstream_registry_url="registry-1.docker.io",
                         credential_arn=secret)
    Template.from_stack(stack).resource_count_is("AWS::ECR::PullThroughCacheRule", 1)


# --- the spec ---------------------------------------------------------------------------------------------------

def test_a_spec_rule_is_in_every_registry_of_its_environments_only() -> None:
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"},
        {"ecr_repository_prefix": "docker-hub", "upstream_registry_url": "registry-1.docker.io",
         "credential_arn": SECRET, "environments": ["dev"]}]})
    counts = {name: len(t.find_resources("AWS::ECR::PullThroughCacheRule")) for name, t in templates_of(raw).items()}
    assert counts == {"ecr-dev-us-east-1": 2, "ecr-prod-us-east-1": 1, "ecr-prod-eu-west-1": 1}


def test_the_rule_logical_id_comes_from_its_prefix_alone() -> None:
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"}]})
    ids = list(templates_of(raw)["ecr-dev-us-east-1"].find_resources("AWS::ECR::PullThroughCacheRule"))
    assert ids[0].startswith("PullThroughCacheecrpublic")


def test_a_spec_secret_in_one_region_for_a_rule_in_two_regions_is_refused_for_the_other() -> None:
    secret = SECRET.replace("111111111111", "222222222222")
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "docker-hub", "upstream_registry_url": "registry-1.docker.io",
         "credential_arn": secret, "environments": ["prod"]}]})
    assert problems_of(raw) == [
        "registry.pull_through_cache[0].credential_arn: the secret is in us-east-1; it must be in the region of the "
        "rule's registry, eu-west-1 (222222222222/eu-west-1, environments.prod)"]


def test_a_spec_rule_with_a_bad_url_is_named_with_its_path() -> None:
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"},
        {"ecr_repository_prefix": "hub", "upstream_registry_url": "docker.io"}]})
    problems = problems_of(raw)
    assert len(problems) == 1
    assert problems[0].startswith("registry.pull_through_cache[1].upstream_registry_url: 'docker.io' is not an "
                                  "upstream registry ECR can cache")


def test_a_spec_rule_missing_its_prefix_and_with_an_unknown_key_says_both() -> None:
    raw = spec(registry={"pull_through_cache": [{"upstream_registry_url": "quay.io", "prefix": "quay"}]})
    assert problems_of(raw) == [
        "registry.pull_through_cache[0].prefix: unknown key (allowed: credential_arn, custom_role_arn, "
        "ecr_repository_prefix, environments, upstream_registry_url, upstream_repository_prefix)",
        "registry.pull_through_cache[0].ecr_repository_prefix: missing"]


def test_two_spec_rules_with_one_prefix_in_one_registry_are_refused() -> None:
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "cache", "upstream_registry_url": "public.ecr.aws"},
        {"ecr_repository_prefix": "cache/", "upstream_registry_url": "quay.io", "environments": ["dev"]}]})
    assert problems_of(raw) == [
        "registry.pull_through_cache[1].ecr_repository_prefix: 'cache/' is already the prefix of "
        "registry.pull_through_cache[0] in the same registry (111111111111/us-east-1, environments.dev)"]


def test_an_unknown_environment_on_a_spec_rule_is_refused() -> None:
    raw = spec(registry={"pull_through_cache": [
        {"ecr_repository_prefix": "quay", "upstream_registry_url": "quay.io", "environments": ["qa"]}]})
    assert problems_of(raw) == [
        "registry.pull_through_cache[0].environments[0]: 'qa' is not an environment of this spec (known: dev, prod)"]


def test_more_than_50_rules_in_one_registry_are_refused() -> None:
    rules = [{"ecr_repository_prefix": f"cache{i}", "upstream_registry_url": "quay.io"} for i in range(51)]
    problems = problems_of(spec(registry={"pull_through_cache": rules}))
    assert "registry.pull_through_cache: 51 rules (111111111111/us-east-1, environments.dev); ECR allows 50 pull " \
           "through cache rules per registry" in problems
