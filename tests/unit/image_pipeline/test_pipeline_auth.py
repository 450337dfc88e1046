"""ECR tokens: one per registry, reused until they near their expiry, renewed when refused, never shown."""
from datetime import datetime, timedelta, timezone

import pytest

from image_pipeline.ecr.tokens import Token, TokenCache, fetch_token, host_of
from image_pipeline.core.errors import AuthError
from .pipeline_fakes import FakeECR, client_error

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def token(expires_in: timedelta, fetched: datetime = NOW) -> Token:
    return Token("AWS", "s3cret", "1.dkr.ecr.us-east-1.amazonaws.com", fetched + expires_in, fetched)


def test_fetch_decodes_user_and_password_and_strips_the_scheme_from_the_endpoint():
    fetched = fetch_token(FakeECR("111111111111", "us-east-1"), "dev", clock=lambda: NOW)

    assert (fetched.username, fetched.password) == ("AWS", "secret")
    assert fetched.proxy_endpoint == "111111111111.dkr.ecr.us-east-1.amazonaws.com"


def test_the_password_is_hidden_in_repr_and_str():
    shown = repr(token(timedelta(hours=12))) + str(token(timedelta(hours=12)))

    assert "s3cret" not in shown and "<hidden>" in shown


def test_a_token_is_fetched_once_per_registry_and_reused_until_it_expires():
    clock = [NOW]
    fetched = []
    cache = TokenCache(lambda key: fetched.append(key) or token(timedelta(hours=12), clock[0]), clock=lambda: clock[0])

    cache.get(("1", "us-east-1"))
    cache.get(("1", "us-east-1"))
    cache.get(("2", "us-east-1"))
    clock[0] = NOW + timedelta(hours=11, minutes=58)  # inside the refresh margin
    cache.get(("1", "us-east-1"))

    assert fetched == [("1", "us-east-1"), ("2", "us-east-1"), ("1", "us-east-1")]


def test_a_token_is_fetched_again_once_it_is_within_five_minutes_of_its_expiry():
    """ECR's tokens last 12 hours (API Reference, GetAuthorizationToken); one about to expire is replaced."""
    clock = [NOW]
    fetched = []
    cache = TokenCache(lambda key: fetched.append(key) or token(timedelta(minutes=10), clock[0]), clock=lambda: clock[0])
    cache.get("k")
    clock[0] = NOW + timedelta(minutes=6)

    cache.get("k")

    assert len(fetched) == 2


def test_a_refused_token_is_renewed_with_a_fresh_fetch():
    passwords = iter(["first", "second"])
    cache = TokenCache(lambda key: Token("AWS", next(passwords), "h", NOW + timedelta(hours=12), NOW), clock=lambda: NOW)
    cache.get("k")

    assert cache.renew("k", ("AWS", "first")) is True
    assert cache.get("k").password == "second"


def test_a_token_another_request_renewed_meanwhile_is_not_fetched_again():
    fetched = []
    cache = TokenCache(lambda key: fetched.append(key) or Token("AWS", f"p{len(fetched)}", "h",
                                                                 NOW + timedelta(hours=12), NOW), clock=lambda: NOW)
    cache.get("k")
    cache.renew("k", ("AWS", "p1"))

    assert cache.renew("k", ("AWS", "p1")) is True
    assert len(fetched) == 2


def test_a_renewal_that_brings_back_the_refused_token_says_retrying_cannot_help():
    cache = TokenCache(lambda key: token(timedelta(hours=12)), clock=lambda: NOW)
    cache.get("k")

    assert cache.renew("k", ("AWS", "s3cret")) is False


def test_an_ecr_error_becomes_an_auth_error_naming_where():
    class Refusing:
        def get_authorization_token(self):
            raise client_error("AccessDeniedException")

    with pytest.raises(AuthError, match="for account 1 region us-east-1: AccessDeniedException"):
        fetch_token(Refusing(), "account 1 region us-east-1")


@pytest.mark.parametrize("endpoint", ["https://h.example/", "http://h.example", "h.example"])
def test_host_of_strips_scheme_and_slash(endpoint):
    assert host_of(endpoint) == "h.example"
