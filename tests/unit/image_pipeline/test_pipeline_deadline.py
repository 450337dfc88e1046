"""Deadlines: a destination's --timeout inside the publish's --deadline, whichever comes first is named."""
import pytest

from image_pipeline.core.deadline import Deadline
from image_pipeline.core.errors import DeadlineError


def clock_at(now):
    return lambda: now[0]


def test_a_destination_timeout_ends_at_the_overall_deadline_when_that_is_nearer_and_says_so():
    now = [0.0]
    overall = Deadline(100.0, clock=clock_at(now), label="--deadline")
    destination = overall.child(600.0)
    now[0] = 100.0

    with pytest.raises(DeadlineError, match=r"push: gave up at the 100 s limit \(--deadline\)"):
        destination.check("push")


def test_the_destination_timeout_is_named_when_it_comes_first():
    now = [0.0]
    destination = Deadline(None, clock=clock_at(now), label="--deadline").child(30.0)
    now[0] = 31.0

    with pytest.raises(DeadlineError, match=r"copy: gave up at the 30 s limit \(--timeout\)"):
        destination.check("copy")


def test_socket_timeouts_shrink_with_the_time_left_but_never_reach_zero():
    now = [0.0]
    deadline = Deadline(10.0, clock=clock_at(now))

    assert deadline.timeout(60.0) == 10.0
    now[0] = 9.5
    assert deadline.timeout(60.0) == 0.5
    now[0] = 12.0
    assert deadline.timeout(60.0) > 0


def test_cancelling_the_overall_deadline_cancels_every_destination():
    overall = Deadline(None)
    destinations = [overall.child(600.0) for _ in range(3)]

    overall.cancel()

    assert all(d.expired() for d in destinations)


def test_a_build_past_the_overall_deadline_stops_and_nothing_is_pushed(tmp_path):
    from image_pipeline.commands.publish import publish
    from image_pipeline.commands.settings import BuildSettings, PublishSettings
    from .pipeline_fakes import FakeDockerAPI, deployed, runtime

    now = [0.0]
    overall = Deadline(60.0, clock=lambda: now[0], label="--deadline")

    def slow_build():
        yield {"stream": "Step 1/2 : FROM scratch\n"}
        now[0] = 61.0
        yield {"stream": "Step 2/2 : RUN make\n"}
        yield {"aux": {"ID": "sha256:" + "c" * 64}}

    api = FakeDockerAPI(build_chunks=[])
    api.build = lambda **kwargs: slow_build()
    result = publish(PublishSettings(repository="docker-in-aws/todobackend", build=BuildSettings(tmp_path),
                                     tags=("v1",), deadline=60.0), runtime(deployed(), api), overall)

    assert api.exports == 0 and {d.status for d in result.destinations} == {"failed"}
    assert {d.error for d in result.destinations} == {"build stopped: the 60 s limit (--deadline) passed"}
