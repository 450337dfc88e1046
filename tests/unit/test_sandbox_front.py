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


# --- authentication as ECR's (ecr_sandbox.model.registry_api; ECR takes the token as basic credentials, user AWS) --

import base64  # noqa: E402

from ecr_sandbox.common.credentials import Credential, issue  # noqa: E402
from ecr_sandbox.registry.front import Refusal, Site  # noqa: E402

HOST = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
NOW = 1_900_000_000.0


def site(faults: FaultBook | None = None) -> Site:
    return Site(HOST, "111111111111", "us-east-1", ("127.0.0.1", 5000), faults or FaultBook(), secret=lambda: "s",
                decide=lambda credential, request: None, backend_token=lambda repositories: "",
                mutability=lambda repository: None, clock=lambda: NOW)


def basic(password: str, user: str = "AWS") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def token(region: str = "us-east-1", expires: float = NOW + 3600) -> str:
    return basic(issue("s", Credential("arn:aws:sts::111111111111:assumed-role/sandbox/ci", "111111111111", region,
                                       expires)))


def test_a_valid_token_names_its_principal() -> None:
    found = site().authenticate(token(), ping=False)

    assert not isinstance(found, Refusal) and found.principal.endswith(":assumed-role/sandbox/ci")


@pytest.mark.parametrize("header", ["", "Bearer abc", basic("wrong"), token().replace("Basic ", "Basic x")])
def test_no_or_wrong_credentials_get_401_with_a_basic_challenge(header: str) -> None:
    refusal = site().authenticate(header, ping=False)

    assert isinstance(refusal, Refusal) and refusal.status == 401
    assert refusal.headers["WWW-Authenticate"] == f'Basic realm="https://{HOST}/",service="ecr.amazonaws.com"'


def test_another_user_name_is_refused() -> None:
    good = token().split(" ", 1)[1]
    password = base64.b64decode(good).decode().split(":", 1)[1]

    assert isinstance(site().authenticate(basic(password, "root"), ping=False), Refusal)


def test_an_expired_token_is_denied_with_ecrs_sentence() -> None:
    refusal = site().authenticate(token(expires=NOW - 1), ping=False)

    assert refusal == Refusal(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.")


def test_a_token_of_another_region_fails_docker_login_with_400_and_other_requests_as_expired() -> None:
    assert site().authenticate(token("eu-west-1"), ping=True).status == 400  # type: ignore[union-attr]
    assert site().authenticate(token("eu-west-1"), ping=False).status == 403  # type: ignore[union-attr]


def test_the_token_expiry_fault_answers_like_an_expired_token() -> None:
    faults = FaultBook()
    faults.add(Fault(HOST, "token-expiry"))
    header = token()
    faults.expire(HOST, header)

    assert site(faults).authenticate(header, ping=False).code == "DENIED"  # type: ignore[union-attr]
    assert not isinstance(site(faults).authenticate(header, ping=False), Refusal)  # count used up


def test_credentials_fetched_after_the_token_expiry_fault_fired_keep_working() -> None:
    # docs/sandbox-faults.md: "A newly fetched token works" - also when the renewed push completes a blob while
    # the fault still has requests to refuse (concurrent uploads decide how many the old token used up)
    faults = FaultBook()
    faults.add(Fault(HOST, "token-expiry", count=3))
    old, renewed = token(), token()
    faults.expire(HOST, old)
    faults.expire(HOST, renewed)

    assert site(faults).authenticate(old, ping=False).code == "DENIED"  # type: ignore[union-attr]
    assert not isinstance(site(faults).authenticate(renewed, ping=False), Refusal)


def test_the_token_expiry_fault_expires_nothing_when_it_is_not_armed() -> None:
    faults = FaultBook()
    header = token()
    faults.expire(HOST, header)

    assert not isinstance(site(faults).authenticate(header, ping=False), Refusal)
