"""Which failures are retried: transient ones with backoff, the rest at once."""
import pytest

from image_pipeline.errors import RegistryError
from image_pipeline.deadline import Deadline
from image_pipeline.errors import DeadlineError
from image_pipeline.retry import ceilings, delays, is_token_expiry, is_transient, with_retry
from image_pipeline.settings import RetrySettings


@pytest.mark.parametrize("message", [
    "received unexpected HTTP status: 500 Internal Server Error",
    "received unexpected HTTP status: 502 Bad Gateway",
    "503 Service Unavailable",
    "read tcp 127.0.0.1:50000->127.0.0.2:443: read: connection reset by peer",
    "write: broken pipe",
    "Patch https://x/v2/a/blobs/uploads/1: EOF",
    "toomanyrequests: Rate exceeded",
    "ThrottlingException: Rate exceeded",
    "denied: Your authorization token has expired. Reauthenticate and try again.",
    "net/http: TLS handshake timeout",
    "Retrying in 5 seconds"])
def test_transient_failures_are_retried(message):
    assert is_transient(message)


@pytest.mark.parametrize("message", [
    "unauthorized: authentication required",
    "denied: requested access to the resource is denied",
    "dial tcp: lookup 444444444444.dkr.ecr.us-west-2.amazonaws.com: no such host",
    "dial tcp 127.0.0.9:443: connect: connection refused",
    "tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten "
    "because the repository is immutable.",
    "manifest invalid: manifest invalid",
    "name unknown: The repository with name 'x' does not exist"])
def test_other_failures_fail_fast(message):
    assert not is_transient(message)


def test_token_expiry_is_recognised():
    assert is_token_expiry("denied: Your authorization token has expired. Reauthenticate and try again.")
    assert not is_token_expiry("unauthorized: authentication required")


def test_the_backoff_ceiling_doubles_and_is_capped():
    assert ceilings(RetrySettings(attempts=6, first_delay=0.5, max_delay=4.0)) == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_each_wait_is_full_jitter_between_zero_and_its_ceiling():
    """AWS Architecture Blog, "Exponential Backoff And Jitter": sleep = random_between(0, min(cap, base * 2 ** attempt))."""
    asked = []

    def rng(low, high):
        asked.append((low, high))
        return high * 0.25

    assert delays(RetrySettings(attempts=4, first_delay=1.0, max_delay=3.0), rng) == [0.25, 0.5, 0.75]
    assert asked == [(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]


def test_real_jitter_stays_within_the_ceilings_and_is_not_lockstep():
    settings = RetrySettings(attempts=6, first_delay=0.5, max_delay=4.0)
    runs = [delays(settings) for _ in range(50)]

    assert all(0.0 <= wait <= ceiling for run in runs for wait, ceiling in zip(run, ceilings(settings)))
    assert len({tuple(run) for run in runs}) > 1


def test_attempts_are_bounded_whatever_the_jitter():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("503 Service Unavailable", transient=True)

    with pytest.raises(RegistryError, match="gave up after 5 attempts"):
        with_retry(action, RetrySettings(attempts=5, first_delay=0.1), sleep=lambda s: None, rng=lambda a, b: b)
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
        with_retry(action, RetrySettings(attempts=10, first_delay=2.0, max_delay=2.0),
                   sleep=lambda s: now.__setitem__(0, now[0] + s), deadline=deadline, rng=lambda a, b: b)
    assert len(calls) == 2


def test_a_deadline_error_is_never_retried():
    calls = []

    def action():
        calls.append(1)
        raise DeadlineError("push of x: gave up at the 1 s limit (--timeout)", transient=True)

    with pytest.raises(DeadlineError):
        with_retry(action, RetrySettings(attempts=4), sleep=lambda s: None)
    assert len(calls) == 1


def test_a_transient_failure_is_retried_until_success():
    calls, slept = [], []

    def action():
        calls.append(1)
        if len(calls) < 3:
            raise RegistryError("503 Service Unavailable", transient=True)
        return "sha256:x"

    assert with_retry(action, RetrySettings(attempts=4, first_delay=1.0), sleep=slept.append,
                      rng=lambda low, high: high) == "sha256:x"
    assert slept == [1.0, 2.0]


def test_a_permanent_failure_is_raised_at_once():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("unauthorized", transient=False)

    with pytest.raises(RegistryError, match="unauthorized"):
        with_retry(action, RetrySettings(attempts=4), sleep=lambda s: None)
    assert len(calls) == 1


def test_retries_stop_after_the_last_attempt_and_say_so():
    calls = []

    def action():
        calls.append(1)
        raise RegistryError("connection reset by peer", transient=True)

    with pytest.raises(RegistryError, match=r"gave up after 3 attempts"):
        with_retry(action, RetrySettings(attempts=3), sleep=lambda s: None)
    assert len(calls) == 3
