"""The TLS front's decisions, without a network: ECR's refusal text, the API's filter shape, fault counts.
Which tags are immutable is ``ecr_sandbox.model.tags``, held to ``tests/ecr_cases/tags.py``."""
from __future__ import annotations

import pytest

from ecr_sandbox.common.faults import Fault, FaultBook, FaultError
from ecr_sandbox.registry.front import immutable_message, tag_is_immutable

def test_the_front_reads_the_apis_exclusion_filter_shape():
    filters = [{"filterType": "WILDCARD", "filter": "dev-*"}]

    assert tag_is_immutable("IMMUTABLE_WITH_EXCLUSION", filters, "v1") is True
    assert tag_is_immutable("IMMUTABLE_WITH_EXCLUSION", filters, "dev-1") is False


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
