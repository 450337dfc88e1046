"""The retry policy (image_pipeline.core.retry): transient failures with full-jitter backoff inside the
deadline, the rest at once; and which ECR API failures are transient (image_pipeline.ecr.aws). Which registry
failures are transient is the registry client's (test_oci_client.py)."""
import pytest

from image_pipeline.core.errors import RegistryError
from image_pipeline.core.deadline import Deadline
from image_pipeline.core.errors import DeadlineError
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from image_pipeline.core.retry import ceilings, delays, with_retry
from image_pipeline.ecr.aws import api_transient
from image_pipeline.commands.settings import RetryPolicy


def client_error(code: str, status: int):  # type: ignore[no-untyped-def]
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize("code, status", [("ThrottlingException", 400), ("ServiceUnavailableException", 503),
                                          ("InternalFailure", 500), ("Anything", 502), ("TooManyRequestsException", 429)])
def test_throttling_and_service_failures_of_the_ecr_api_are_transient(code, status):
    """ECR API Reference, "Common Errors": ThrottlingException (400), ServiceUnavailable (503), InternalFailure (500)."""
    assert api_transient(client_error(code, status))


@pytest.mark.parametrize("code, status", [("AccessDeniedException", 403), ("RepositoryNotFoundException", 400),
                                          ("InvalidParameterException", 400), ("ImageTagAlreadyExistsException", 400)])
def test_refused_and_invalid_ecr_api_calls_are_permanent(code, status):
    assert not api_transient(client_error(code, status))


def test_a_read_timeout_of_the_ecr_api_is_transient_and_an_unreachable_endpoint_is_not():
    assert api_transient(ReadTimeoutError(endpoint_url="https://api.ecr"))
    assert not api_transient(EndpointConnectionError(endpoint_url="https://api.ecr"))


def test_the_backoff_ceiling_doubles_and_is_capped():
    assert ceilings(RetryPolicy(attempts=6, first_delay=0.5, max_delay=4.0)) == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_each_wait_is_full_jitter_between_zero_and_its_ceiling():
    """AWS Architecture Blog, "Exponential Backoff And Jitter": sleep = random_between(0, min(cap, base * 2 ** attempt))."""
    asked = []

    def rng(low, high):
        asked.append((low, high))
        return high * 0.25

    assert delays(RetryPolicy(attempts=4, first_delay=1.0, max_delay=3.0), rng) == [0.25, 0.5, 0.75]
    assert asked == [(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]


def test_real_jitter_stays_within_the_ceilings_and_is_not_lockstep():
    settings = RetryPolicy(attempts=6, first_delay=0.5, max_delay=4.0)
    runs = [delays(settings) for _ in range(50)]

    assert all(0.0 <= wait <= ceiling for run in runs for wait, ceiling in zip(run, ceilings(settings)))
    assert len({tuple(run) for run in runs}) > 1


def test_attempts_are_bounded_whatever_the_jitter():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("503 Service Unavailable", transient=True)

    with pytest.raises(RegistryError, match="gave up after 5 attempts"):
        with_retry(action, RetryPolicy(attempts=5, first_delay=0.1), sleep=lambda s: None, rng=lambda a, b: b)
    assert len(calls) == 5


def test_no_retry_waits_past_the_deadline():
    now = [0.0]
    deadline = Deadline(10.0, clock=lambda: now[0])
    calls = []

    def action():
        calls.append(1)
        now[0] += 4.0
        raise RegistryError("503 Service Unavailable", transient=True)

    with pytest.raises(RegistryError, match="no time left for attempt 3"):
        with_retry(action, RetryPolicy(attempts=10, first_delay=2.0, max_delay=2.0),
                   sleep=lambda s: now.__setitem__(0, now[0] + s), deadline=deadline, rng=lambda a, b: b)
    assert len(calls) == 2


def test_a_deadline_error_is_never_retried():
    calls = []

    def action():
        calls.append(1)
        raise DeadlineError("push of x: gave up at the 1 s limit (--timeout)", transient=True)

    with pytest.raises(DeadlineError):
        with_retry(action, RetryPolicy(attempts=4), sleep=lambda s: None)
    assert len(calls) == 1


def test_a_transient_failure_is_retried_until_success():
    calls, slept = [], []

    def action():
        calls.append(1)
        if len(calls) < 3:
            raise RegistryError("503 Service Unavailable", transient=True)
        return "sha256:x"

    assert with_retry(action, RetryPolicy(attempts=4, first_delay=1.0), sleep=slept.append,
                      rng=lambda low, high: high) == "sha256:x"
    assert slept == [1.0, 2.0]


def test_a_permanent_failure_is_raised_at_once():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("unauthorized", transient=False)

    with pytest.raises(RegistryError, match="unauthorized"):
        with_retry(action, RetryPolicy(attempts=4), sleep=lambda s: None)
    assert len(calls) == 1


def test_retries_stop_after_the_last_attempt_and_say_so():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("connection reset by peer", transient=True)

    with pytest.raises(RegistryError, match=r"gave up after 3 attempts"):
        with_retry(action, RetryPolicy(attempts=3), sleep=lambda s: None)
    assert len(calls) == 3
