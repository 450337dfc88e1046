"""The TLS front's decisions, without a network: which tags are immutable, ECR's refusal text, fault counts.

Tag mutability: ECR user guide, "Preventing image tags from being overwritten in Amazon ECR" and the
PutImageTagMutability API reference (IMMUTABLE_WITH_EXCLUSION / MUTABLE_WITH_EXCLUSION, wildcard filters)."""
from __future__ import annotations

import pytest

from ecr_sandbox.faults import Fault, FaultBook, FaultError
from ecr_sandbox.front import immutable_message, tag_is_immutable

DEV = [{"filterType": "WILDCARD", "filter": "dev-*"}]


@pytest.mark.parametrize("mutability, filters, tag, immutable", [
    ("IMMUTABLE", [], "v1", True),
    ("MUTABLE", [], "v1", False),
    ("IMMUTABLE_WITH_EXCLUSION", DEV, "dev-42", False),
    ("IMMUTABLE_WITH_EXCLUSION", DEV, "v1", True),
    ("MUTABLE_WITH_EXCLUSION", DEV, "dev-42", True),
    ("MUTABLE_WITH_EXCLUSION", DEV, "v1", False),
])
def test_a_tag_is_immutable_as_the_repositorys_mutability_and_exclusion_filters_say(mutability, filters, tag, immutable):
    assert tag_is_immutable(mutability, filters, tag) is immutable


def test_the_refusal_names_the_tag_and_the_repository_in_ecrs_words():
    assert immutable_message("v1", "team/app") == (
        "The image tag 'v1' already exists in the 'team/app' repository and cannot be overwritten because "
        "the tag is immutable.")


def test_a_fault_applies_to_the_next_count_requests_then_disarms():
    book = FaultBook()
    book.add(Fault("h", "blob-5xx", count=2))

    taken = [book.take("h", "blob-5xx") for _ in range(3)]

    assert [f is not None for f in taken] == [True, True, False]


def test_an_api_fault_for_one_operation_leaves_the_others_alone():
    book = FaultBook()
    book.add(Fault("api", "throttle", operation="DescribeImages"))

    assert book.take("api", "throttle", "ListImages") is None
    assert book.take("api", "throttle", "DescribeImages") is not None


def test_a_stall_without_seconds_is_refused_naming_the_value():
    with pytest.raises(FaultError, match="seconds must be positive for stall, got 0.0"):
        FaultBook().add(Fault("h", "stall"))
