"""One tag's push through the engine: the engine's own silent upload retries are stopped, deadlines end a
stalled stream, and the engine request is closed whenever we stop reading."""
import io
import itertools
import time

import pytest

from image_pipeline.deadline import Deadline
from image_pipeline.errors import DeadlineError, RegistryError
from image_pipeline.publish import publish
from image_pipeline.push import push_tag
from image_pipeline.settings import BuildSettings, PublishSettings, RetrySettings
from image_pipeline.stream import EngineRetryError
from .pipeline_fakes import FakeDockerAPI, deployed, good_push, runtime

URI = "111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app"


class Recorder:
    """A push stream (a generator, like docker-py's) that records how far it was read and whether closed."""

    def __init__(self, chunks):
        self.read, self.closed = 0, False
        self._chunks = chunks

    def stream(self):
        try:
            for chunk in self._chunks:
                self.read += 1
                yield chunk
        except GeneratorExit:
            self.closed = True
            raise


ENGINE_RETRYING = [{"status": "Preparing", "id": "l1"},
                   {"status": "Pushing", "id": "l1", "progressDetail": {"current": 512, "total": 4096}},
                   {"status": "Retrying in 5 seconds", "id": "l1"},
                   {"status": "Retrying in 4 seconds", "id": "l1"},
                   *good_push(URI, "v1", {})]


def test_the_engines_first_retry_message_stops_the_push_and_closes_the_engine_request():
    recorder = Recorder(ENGINE_RETRYING)
    api = FakeDockerAPI(push_script=lambda r, t, a: recorder.stream())

    with pytest.raises(EngineRetryError, match=r"layer l1 failed and the engine began retrying on its own "
                                               r"\(Retrying in 5 seconds\); stopped it") as caught:
        push_tag(api, URI, "v1", {}, lambda event: None)

    assert caught.value.transient
    assert recorder.read == 3 and recorder.closed


def test_publish_retries_itself_after_stopping_the_engines_retry(tmp_path):
    calls = []

    def script(repository, tag, auth):
        calls.append(tag)
        return Recorder(ENGINE_RETRYING if len(calls) == 1 else good_push(repository, tag, auth)).stream()

    log = io.StringIO()
    result = publish(PublishSettings(repository="docker-in-aws/todobackend", build=BuildSettings(tmp_path),
                                     tags=("v1",), environments=("dev",), retry=RetrySettings(attempts=3)),
                     runtime(deployed(), FakeDockerAPI(push_script=script), log))

    assert result.ok and calls == ["v1", "v1"]
    assert "began retrying on its own" in log.getvalue() and "retrying in" in log.getvalue()


def test_a_push_stream_that_outlives_the_deadline_is_stopped_and_closed():
    now = [0.0]
    deadline = Deadline(30.0, clock=lambda: now[0])

    def slow():
        for _ in itertools.count():
            now[0] += 10.0  # each progress line comes 10 s after the one before
            yield {"status": "Pushing", "id": "l1", "progressDetail": {"current": 1, "total": 9}}

    recorder = Recorder(slow())
    with pytest.raises(DeadlineError, match=r"push of .*:v1: gave up at the 30 s limit \(--timeout\)"):
        push_tag(FakeDockerAPI(push_script=lambda r, t, a: recorder.stream()), URI, "v1", {}, lambda e: None,
                 deadline)
    assert recorder.closed and recorder.read == 3


def test_the_engine_socket_timeout_is_the_stall_limit_or_what_is_left_of_the_deadline():
    api = FakeDockerAPI()
    api.timeout = 900

    push_tag(api, URI, "v1", {}, lambda e: None, Deadline(20.0), stall_seconds=60.0)
    assert 0 < api.timeout <= 20.0

    push_tag(api, URI, "v1", {}, lambda e: None, Deadline(600.0), stall_seconds=60.0)
    assert api.timeout == 60.0


def test_a_destination_past_its_timeout_fails_with_the_limit_named_and_the_others_finish(tmp_path):
    def stall_eu(repository, tag, auth):
        if ".eu-west-1." not in repository:
            return good_push(repository, tag, auth)

        def crawl():
            for _ in range(2000):
                time.sleep(0.005)
                yield {"status": "Pushing", "id": "l1", "progressDetail": {"current": 1, "total": 9}}
        return crawl()

    result = publish(PublishSettings(repository="docker-in-aws/todobackend", build=BuildSettings(tmp_path),
                                     tags=("v1",), timeout=0.2, retry=RetrySettings(attempts=2)),
                     runtime(deployed(), FakeDockerAPI(push_script=stall_eu)))

    assert [d.status for d in result.destinations] == ["pushed", "pushed", "failed"]
    assert result.destinations[2].error.endswith("gave up at the 0.2 s limit (--timeout)")


def test_a_cancelled_deadline_stops_a_push_at_the_next_line():
    deadline = Deadline(None)
    deadline.cancel()

    with pytest.raises(DeadlineError, match="cancelled"):
        push_tag(FakeDockerAPI(), URI, "v1", {}, lambda e: None, deadline)


def test_an_engine_error_closes_the_stream_and_keeps_its_message():
    recorder = Recorder([{"status": "Pushing", "id": "l1"}, {"error": "received unexpected HTTP status: 502"}])

    with pytest.raises(RegistryError, match="502") as caught:
        push_tag(FakeDockerAPI(push_script=lambda r, t, a: recorder.stream()), URI, "v1", {}, lambda e: None)

    assert caught.value.transient and recorder.closed


def test_a_silent_engine_stream_is_reported_as_a_stalled_registry_and_may_be_retried():
    import urllib3

    def silent():
        yield {"status": "Pushing", "id": "l1", "progressDetail": {"current": 1, "total": 9}}
        raise urllib3.exceptions.ReadTimeoutError(None, "/images/x/push", "Read timed out.")

    with pytest.raises(RegistryError, match=r"push of .*:v1: no progress from the engine for 20 s: the registry "
                                            r"stalled") as caught:
        push_tag(FakeDockerAPI(push_script=lambda r, t, a: silent()), URI, "v1", {}, lambda e: None,
                 Deadline(20.0), stall_seconds=60.0)
    assert caught.value.transient
