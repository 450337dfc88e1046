"""Managed signing: the ``RegistrySigning`` construct and the spec's ``registry.signing``.

Sources: CloudFormation ``AWS::ECR::SigningConfiguration`` (aws-cdk-lib 2.275.0 jsii ``CfnSigningConfiguration``
``RuleProperty.signingProfileArn`` / ``repositoryFilters``, ``RepositoryFilterProperty.filterType``: "Currently,
only WILDCARD_MATCH is supported"; the resource schema in cfn-lint 1.58.0: the profile ARN pattern
``arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME`` of at most 200 characters, 1..100 filters per rule);
the ECR API model ``SigningConfiguration.rules``: "Maximum of 10 rules"; ECR user guide "Managed signing".
"""
from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, RegistrySigning
from ecr_spec.model.registry_settings import SigningRule

from .cdk_helpers import new_stack, only_resource
from .registry_helpers import templates_of
from .spec_helpers import problems_of, spec

PROFILE = "arn:aws:signer:us-east-1:111111111111:/signing-profiles/release_images"


def signing_problems(rules: list[SigningRule]) -> list[str]:
    with pytest.raises(PropsError) as caught:
        RegistrySigning(new_stack(), "Signing", rules=rules)
    return caught.value.problems


def test_a_rule_signs_the_repositories_its_wildcard_match_filters_name() -> None:
    stack = new_stack()
    RegistrySigning(stack, "Signing", rules=[SigningRule(PROFILE, ("payments/*", "*/production"))])
    assert only_resource(Template.from_stack(stack), "AWS::ECR::SigningConfiguration")["Properties"] == {"Rules": [
        {"SigningProfileArn": PROFILE, "RepositoryFilters": [{"Filter": "payments/*", "FilterType": "WILDCARD_MATCH"},
                                                             {"Filter": "*/production", "FilterType": "WILDCARD_MATCH"}]}]}


def test_a_rule_without_filters_signs_every_repository_and_writes_no_filter_list() -> None:
    stack = new_stack()
    RegistrySigning(stack, "Signing", rules=[SigningRule(PROFILE)])
    rule = only_resource(Template.from_stack(stack), "AWS::ECR::SigningConfiguration")["Properties"]["Rules"][0]
    assert rule == {"SigningProfileArn": PROFILE}


def test_a_signing_profile_arn_without_the_signing_profiles_path_is_refused() -> None:
    bad = "arn:aws:signer:us-east-1:111111111111:signing-profiles/release"
    assert signing_problems([SigningRule(bad)]) == [
        f"Test/Signing: rules[0].signing_profile_arn: '{bad}' is not an AWS Signer signing profile ARN such as "
        "'arn:aws:signer:us-east-1:111111111111:/signing-profiles/release'"]


def test_more_than_10_rules_are_refused() -> None:
    assert signing_problems([SigningRule(PROFILE, (f"team{i}/*",)) for i in range(11)]) == [
        "Test/Signing: rules: 11 rules; ECR allows 10 signing rules per registry"]


def test_a_filter_that_is_not_a_repository_name_pattern_is_refused() -> None:
    problems = signing_problems([SigningRule(PROFILE, ("Payments/*",))])
    assert problems[0].startswith("Test/Signing: rules[0].filters[0]: 'Payments/*' is not a signing filter")


def test_no_rules_at_all_is_refused() -> None:
    assert signing_problems([]) == ["Test/Signing: rules: [] is empty: name at least one signing rule"]


# --- the spec ---------------------------------------------------------------------------------------------------

def test_spec_signing_rules_go_to_their_environments_only() -> None:
    raw = spec(registry={"signing": [{"signing_profile_arn": PROFILE, "filters": ["docker-in-aws/*"],
                                      "environments": ["dev"]}]})
    counts = {name: len(t.find_resources("AWS::ECR::SigningConfiguration")) for name, t in templates_of(raw).items()}
    assert counts == {"ecr-dev-us-east-1": 1, "ecr-prod-us-east-1": 0, "ecr-prod-eu-west-1": 0}


def test_a_spec_signing_rule_without_a_profile_is_refused() -> None:
    assert problems_of(spec(registry={"signing": [{"filters": ["*"]}]})) == [
        "registry.signing[0].signing_profile_arn: missing"]


def test_a_spec_signing_rule_with_an_empty_filter_list_is_refused() -> None:
    assert problems_of(spec(registry={"signing": [{"signing_profile_arn": PROFILE, "filters": []}]})) == [
        "registry.signing[0].filters: [] is empty: leave the key out to sign every repository"]


def test_a_bad_profile_in_the_spec_is_named_with_its_path() -> None:
    problems = problems_of(spec(registry={"signing": [{"signing_profile_arn": PROFILE},
                                                      {"signing_profile_arn": "release"}]}))
    assert problems == ["registry.signing[1].signing_profile_arn: 'release' is not an AWS Signer signing profile ARN "
                        "such as 'arn:aws:signer:us-east-1:111111111111:/signing-profiles/release'"]


def test_more_than_10_spec_signing_rules_in_one_registry_are_refused() -> None:
    rules = [{"signing_profile_arn": PROFILE, "filters": [f"team{i}/*"]} for i in range(11)]
    assert "registry.signing: 11 rules (111111111111/us-east-1, environments.dev); ECR allows 10 signing rules per " \
           "registry" in problems_of(spec(registry={"signing": rules}))


def test_on_an_aws_cdk_lib_without_signing_a_spec_with_signing_is_one_error_line_naming_the_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr

    from ecr_constructs import build_registry, exit_on_spec_errors

    monkeypatch.delattr(ecr, "CfnSigningConfiguration")  # as in aws-cdk-lib 2.229.0 and older
    monkeypatch.setattr("ecr_constructs.core.cdk_versions.installed", lambda: "2.221.0")
    out = io.StringIO()
    with pytest.raises(SystemExit), exit_on_spec_errors(out):
        build_registry(cdk.App(), spec(registry={"signing": [{"signing_profile_arn": PROFILE}]}))
    assert out.getvalue() == ("error: ecr-dev-us-east-1/Signing: managed signing (RegistrySigning, the spec's "
                              "registry.signing) needs aws-cdk-lib >= 2.230.0; this app has 2.221.0: upgrade "
                              "aws-cdk-lib, or leave the feature out\n")
