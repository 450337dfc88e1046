"""The sandbox's own reading of ECR (``ecr_sandbox.model``) held to the AWS-documented cases in
``tests/ecr_cases``, the very cases that hold the product's reading (``test_ecr_cases_spec.py``)."""
from __future__ import annotations

import json

import pytest

from ecr_sandbox.model import limits as model_limits
from ecr_sandbox.model import tags as model_tags
from ecr_sandbox.model.lifecycle import Image, decide, read_policy
from ecr_sandbox.model.replication import rule_covers
from ecr_sandbox.model.templates import choose

from ..ecr_cases import lifecycle, limits, replication, tags, templates


def _image(case_image: lifecycle.Img) -> Image:
    at = lifecycle.Img.at
    return Image(case_image.digest, case_image.tags, at(case_image.age_days), last_pulled_at=at(case_image.pulled_days),
                 storage_class=case_image.storage_class, archived_at=at(case_image.archived_days),
                 activated_at=at(case_image.activated_days),
                 children=tuple(f"sha256:{c}" for c in case_image.children),
                 subject=f"sha256:{case_image.subject}" if case_image.subject else None)


@pytest.mark.parametrize("case", lifecycle.CASES, ids=lambda c: c.id)
def test_a_lifecycle_policy_does_what_the_aws_page_says(case: lifecycle.Case) -> None:
    rules = read_policy(json.dumps(case.policy))

    decisions = decide(rules, [_image(i) for i in case.images], lifecycle.NOW)

    assert {d.image.digest[7:]: (d.action, d.priority) for d in decisions if d.action != "keep"} == case.expected


@pytest.mark.parametrize("pattern, tag, matches", tags.WILDCARDS)
def test_a_wildcard_filter_covers_the_whole_tag(pattern: str, tag: str, matches: bool) -> None:
    assert model_tags.wildcard_matches(pattern, tag) is matches


@pytest.mark.parametrize("mutability, filters, tag, immutable", tags.MUTABILITY)
def test_a_tag_is_immutable_as_the_setting_and_its_exclusion_filters_say(mutability, filters, tag, immutable) -> None:
    assert model_tags.is_immutable(mutability, filters, tag) is immutable


@pytest.mark.parametrize("case_id, found, repository, scenario, expected", templates.CASES, ids=lambda v: str(v)[:40])
def test_the_creation_template_ecr_applies(case_id, found, repository, scenario, expected) -> None:
    chosen = choose([{"prefix": p, "appliedFor": list(a)} for p, a in found], repository, scenario)

    assert (chosen["prefix"] if chosen else None) == expected


@pytest.mark.parametrize("filters, repository, replicated", replication.CASES)
def test_a_replication_rule_sends_the_names_its_prefix_filters_start(filters, repository, replicated) -> None:
    rule = {"destinations": [], "repositoryFilters": [{"filter": f, "filterType": "PREFIX_MATCH"} for f in filters]}

    assert rule_covers(rule, repository) is replicated


MODEL_LIMITS = {
    "replication_rules_per_registry": model_limits.REPLICATION_RULES,
    "replication_filters_per_rule": model_limits.REPLICATION_FILTERS_PER_RULE,
    "replication_destinations_per_rule": model_limits.REPLICATION_DESTINATIONS_PER_RULE,
    "tag_mutability_exclusion_filters": model_limits.EXCLUSION_FILTERS,
    "lifecycle_rules_per_policy": model_limits.LIFECYCLE_RULES,
    "lifecycle_policy_min_chars": model_limits.LIFECYCLE_POLICY_CHARS[0],
    "lifecycle_policy_max_chars": model_limits.LIFECYCLE_POLICY_CHARS[1],
    "lifecycle_pattern_wildcards": model_limits.LIFECYCLE_PATTERN_WILDCARDS,
    "repository_policy_chars": model_limits.REPOSITORY_POLICY_CHARS,
    "image_tag_max_chars": model_limits.IMAGE_TAG_CHARS[1],
    "repository_name_min_chars": model_limits.REPOSITORY_NAME_CHARS[0],
    "repository_name_max_chars": model_limits.REPOSITORY_NAME_CHARS[1],
}


@pytest.mark.parametrize("name, value, page", limits.CASES, ids=lambda v: str(v)[:40])
def test_a_limit_is_the_one_aws_documents(name: str, value: int, page: str) -> None:
    assert MODEL_LIMITS[name] == value, page
