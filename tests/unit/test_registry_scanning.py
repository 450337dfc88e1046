"""Registry scanning: the ``RegistryScanning`` construct and the spec's ``registry.scan_type`` /
``registry.scanning_rules``.

Sources: CloudFormation ``AWS::ECR::RegistryScanningConfiguration`` (aws-cdk-lib 2.275.0 jsii
``ScanningRuleProperty.scanFrequency``: "When the ENHANCED scan type is specified, the supported scan frequencies
are CONTINUOUS_SCAN and SCAN_ON_PUSH. When the BASIC scan type is specified, the SCAN_ON_PUSH scan frequency is
supported"; the resource schema in cfn-lint 1.58.0: at most 2 rules, 0..100 filters, filter pattern
``^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$`` of 1..255 characters, FilterType WILDCARD); the ECR user guide
"Filters to choose which repositories are scanned in Amazon ECR".
"""
from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from ecr_constructs import PropsError, RegistryScanning
from ecr_spec.model.registry_settings import ScanningRule

from .cdk_helpers import new_stack, only_resource
from .registry_helpers import templates_of
from .spec_helpers import BASE, parsed, problems_of, spec, with_repository


def scanning_props(**props: object) -> dict:
    stack = new_stack()
    RegistryScanning(stack, "Scanning", **props)  # type: ignore[arg-type]
    return only_resource(Template.from_stack(stack), "AWS::ECR::RegistryScanningConfiguration")["Properties"]


def test_by_default_every_repository_is_scanned_on_push_with_basic_scanning() -> None:
    assert scanning_props() == {"ScanType": "BASIC", "Rules": [
        {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]}


def test_enhanced_scanning_takes_a_continuous_rule_and_a_scan_on_push_rule() -> None:
    props = scanning_props(scan_type="ENHANCED", rules=[ScanningRule("CONTINUOUS_SCAN", ("prod-*",)),
                                                        ScanningRule("SCAN_ON_PUSH", ("*",))])
    assert props["Rules"] == [
        {"ScanFrequency": "CONTINUOUS_SCAN", "RepositoryFilters": [{"Filter": "prod-*", "FilterType": "WILDCARD"}]},
        {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]


def test_continuous_scanning_is_refused_with_basic_scanning() -> None:
    with pytest.raises(PropsError) as caught:
        RegistryScanning(new_stack(), "Scanning", scan_type="BASIC", rules=[ScanningRule("CONTINUOUS_SCAN")])
    assert caught.value.problems == [
        "Test/Scanning: rules[0].frequency: 'CONTINUOUS_SCAN' is not a BASIC scan frequency (allowed: SCAN_ON_PUSH)"]


def test_a_filter_with_capitals_is_refused() -> None:
    with pytest.raises(PropsError) as caught:
        RegistryScanning(new_stack(), "Scanning", rules=[ScanningRule("SCAN_ON_PUSH", ("Prod*",))])
    assert caught.value.problems[0].startswith("Test/Scanning: rules[0].filters[0]: 'Prod*' is not a scanning filter")


def test_an_unknown_scan_type_is_refused() -> None:
    with pytest.raises(PropsError) as caught:
        RegistryScanning(new_stack(), "Scanning", scan_type="DEEP", rules=[])
    assert caught.value.problems == ["Test/Scanning: scan_type: 'DEEP' must be one of BASIC, ENHANCED"]


# --- the spec ---------------------------------------------------------------------------------------------------

def test_scan_type_alone_keeps_its_meaning_and_gives_no_scanning_rules() -> None:
    result = parsed(spec(registry={"scan_type": "ENHANCED"}))
    assert (result.scan_type, result.registry_settings.scanning_rules) == ("ENHANCED", None)
    template = templates_of(spec(registry={"scan_type": "ENHANCED"}))["ecr-dev-us-east-1"]
    rules = only_resource(template, "AWS::ECR::RegistryScanningConfiguration")["Properties"]["Rules"]
    assert rules == [{"ScanFrequency": "CONTINUOUS_SCAN",
                      "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]


def test_without_scanning_rules_a_repository_that_opts_out_of_scan_on_push_is_left_out() -> None:
    template = templates_of(with_repository(1, scan_on_push=False))["ecr-dev-us-east-1"]
    filters = only_resource(template, "AWS::ECR::RegistryScanningConfiguration")["Properties"]["Rules"][0]
    assert filters["RepositoryFilters"] == [{"Filter": "docker-in-aws/todobackend", "FilterType": "WILDCARD"}]


def test_spec_scanning_rules_become_the_registry_rules_in_every_stack() -> None:
    raw = spec(registry={"scan_type": "ENHANCED", "scanning_rules": [
        {"frequency": "CONTINUOUS_SCAN", "filters": ["docker-in-aws/*"]},
        {"frequency": "SCAN_ON_PUSH", "filters": ["*"]}]})
    for template in templates_of(raw).values():
        props = only_resource(template, "AWS::ECR::RegistryScanningConfiguration")["Properties"]
        assert props["ScanType"] == "ENHANCED"
        assert [r["ScanFrequency"] for r in props["Rules"]] == ["CONTINUOUS_SCAN", "SCAN_ON_PUSH"]


def test_an_empty_list_of_scanning_rules_means_manual_scans_only() -> None:
    raw = spec(registry={"scan_type": "BASIC", "scanning_rules": []})
    props = only_resource(templates_of(raw)["ecr-dev-us-east-1"], "AWS::ECR::RegistryScanningConfiguration")
    assert props["Properties"]["Rules"] == []


def test_a_spec_frequency_that_does_not_fit_the_scan_type_is_named_with_its_path() -> None:
    raw = spec(registry={"scan_type": "BASIC", "scanning_rules": [
        {"frequency": "SCAN_ON_PUSH", "filters": ["*"]}, {"frequency": "CONTINUOUS_SCAN", "filters": ["prod*"]}]})
    assert problems_of(raw) == ["registry.scanning_rules[1].frequency: 'CONTINUOUS_SCAN' is not a BASIC scan "
                                "frequency (allowed: SCAN_ON_PUSH)"]


def test_two_rules_with_one_frequency_are_refused() -> None:
    raw = spec(registry={"scan_type": "ENHANCED", "scanning_rules": [
        {"frequency": "SCAN_ON_PUSH", "filters": ["a*"]}, {"frequency": "SCAN_ON_PUSH", "filters": ["b*"]}]})
    assert problems_of(raw) == ["registry.scanning_rules[1].frequency: 'SCAN_ON_PUSH' has a rule already: put all "
                                "its filters in one rule"]


def test_more_than_100_filters_in_a_rule_are_refused() -> None:
    raw = spec(registry={"scanning_rules": [{"frequency": "SCAN_ON_PUSH",
                                             "filters": [f"team{i}/*" for i in range(101)]}]})
    assert problems_of(raw) == ["registry.scanning_rules[0].filters: 101 filters; ECR allows at most 100 per rule"]


def test_a_rule_without_filters_is_refused() -> None:
    raw = spec(registry={"scanning_rules": [{"frequency": "SCAN_ON_PUSH", "filters": []}]})
    assert problems_of(raw) == ["registry.scanning_rules[0].filters: [] is empty: name at least one filter "
                                "('*' for every repository)"]


def test_scanning_rules_with_scan_type_null_are_refused() -> None:
    raw = spec(registry={"scan_type": None, "scanning_rules": [{"frequency": "SCAN_ON_PUSH", "filters": ["*"]}]})
    assert problems_of(raw) == ["registry.scanning_rules: needs a scan_type (BASIC or ENHANCED); scan_type null "
                                "leaves scanning alone"]


def test_an_unknown_key_in_registry_names_the_closest_and_lists_the_allowed_ones() -> None:
    assert problems_of(spec(registry={"scanning": []})) == [
        "registry.scanning: unknown key (did you mean 'scanning_rules'?) (allowed: creation_templates, "
        "pull_through_cache, scan_type, scanning_rules, signing)"]


def test_the_base_spec_still_scans_every_repository_on_push() -> None:
    assert parsed(BASE).scan_type == "BASIC"
