"""The product's reading of ECR (``ecr_spec``) held to the AWS-documented cases in ``tests/ecr_cases``: the same
cases hold the sandbox's own reading (``test_ecr_cases_sandbox.py``), so a misreading shows in one of the two.
Each case names its AWS page."""
from __future__ import annotations

import json

import pytest

from ecr_spec import ReplicationRule, parse_policy_text
from ecr_spec.core import limits as spec_limits
from ecr_spec.parse.creation_templates import template_for
from ecr_spec.model.lifecycle_evaluation import Image, evaluate
from ecr_spec.core.tags import tag_is_immutable, wildcard_match

from ..ecr_cases import lifecycle, limits, replication, tags, templates


def _image(case_image: lifecycle.Img) -> Image:
    at = lifecycle.Img.at
    return Image(case_image.digest, case_image.tags, at(case_image.age_days), at(case_image.pulled_days),
                 case_image.storage_class, at(case_image.archived_days), at(case_image.activated_days),
                 tuple(f"sha256:{c}" for c in case_image.children),
                 f"sha256:{case_image.subject}" if case_image.subject else None)


@pytest.mark.parametrize("case", lifecycle.CASES, ids=lambda c: c.id)
def test_a_lifecycle_policy_does_what_the_aws_page_says(case: lifecycle.Case) -> None:
    rules = parse_policy_text(json.dumps(case.policy))  # as `cdk synth` checks it

    verdicts = evaluate(rules, [_image(i) for i in case.images], lifecycle.NOW)

    assert {v.image.digest[7:]: (v.action, v.rule_priority) for v in verdicts if v.action != "keep"} == case.expected


@pytest.mark.parametrize("pattern, tag, matches", tags.WILDCARDS)
def test_a_wildcard_filter_covers_the_whole_tag(pattern: str, tag: str, matches: bool) -> None:
    assert wildcard_match(pattern, tag) is matches


@pytest.mark.parametrize("mutability, filters, tag, immutable", tags.MUTABILITY)
def test_a_tag_is_immutable_as_the_setting_and_its_exclusion_filters_say(mutability, filters, tag, immutable) -> None:
    assert tag_is_immutable(mutability, filters, tag) is immutable


class _Template:
    def __init__(self, prefix: str, applied_for: tuple[str, ...]) -> None:
        self.prefix, self.applied_for = prefix, applied_for


@pytest.mark.parametrize("case_id, found, repository, scenario, expected", templates.CASES, ids=lambda v: str(v)[:40])
def test_the_creation_template_ecr_applies(case_id, found, repository, scenario, expected) -> None:
    chosen = template_for([_Template(*t) for t in found], repository, scenario)

    assert (chosen.prefix if chosen else None) == expected


@pytest.mark.parametrize("filters, repository, replicated", replication.CASES)
def test_a_replication_rule_sends_the_names_its_prefix_filters_start(filters, repository, replicated) -> None:
    assert ReplicationRule(destinations=(), repositories=filters).replicates(repository) is replicated


SPEC_LIMITS = {
    "replication_rules_per_registry": spec_limits.MAX_REPLICATION_RULES,
    "replication_filters_per_rule": spec_limits.MAX_REPLICATION_FILTERS_PER_RULE,
    "replication_destinations_per_rule": spec_limits.MAX_REPLICATION_DESTINATIONS_PER_RULE,
    "tag_mutability_exclusion_filters": spec_limits.MAX_MUTABLE_TAG_FILTERS,
    "lifecycle_rules_per_policy": spec_limits.MAX_LIFECYCLE_RULES,
    "lifecycle_policy_min_chars": spec_limits.MIN_LIFECYCLE_POLICY_CHARS,
    "lifecycle_policy_max_chars": spec_limits.MAX_LIFECYCLE_POLICY_CHARS,
    "lifecycle_pattern_wildcards": spec_limits.MAX_TAG_PATTERN_WILDCARDS,
    "repository_policy_chars": spec_limits.MAX_REPOSITORY_POLICY_CHARS,
    "image_tag_max_chars": spec_limits.MAX_IMAGE_TAG_CHARS,
    "repository_name_min_chars": spec_limits.MIN_REPOSITORY_NAME_CHARS,
    "repository_name_max_chars": spec_limits.MAX_REPOSITORY_NAME_CHARS,
}


@pytest.mark.parametrize("name, value, page", limits.CASES, ids=lambda v: str(v)[:40])
def test_a_limit_is_the_one_aws_documents(name: str, value: int, page: str) -> None:
    assert SPEC_LIMITS[name] == value, page
