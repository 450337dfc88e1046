"""Reading the engine's pull and build streams (image_pipeline.engine.stream, .build): failures hide inside
HTTP 200 streams (docker-py #3161: the error arrives as ``error``/``errorDetail``), and only a digest proves a
pull."""
import pytest

from image_pipeline.core.errors import BuildError, RegistryError
from image_pipeline.core.events import LayerEvent
from image_pipeline.engine.build import read_build_stream
from image_pipeline.engine.stream import read_pull_stream

DIGEST = "sha256:" + "a" * 64


def test_a_pull_stream_reports_the_digest_in_its_status_line_and_each_layer():
    events: list[LayerEvent] = []
    chunks = [{"status": "Pulling fs layer", "id": "l1"},
              {"status": "Pull complete", "id": "l1", "progressDetail": {}},
              {"status": f"Digest: {DIGEST}"}, {"status": "Status: Downloaded newer image for x:v1"}]

    assert read_pull_stream(chunks, "pull of x:v1", events.append) == DIGEST
    assert [e.status for e in events] == ["Pulling fs layer", "Pull complete"]


def test_an_error_detail_inside_a_200_stream_raises_with_the_registry_message():
    chunks = [{"status": "Pulling fs layer", "id": "l1"},
              {"errorDetail": {"message": "unauthorized: authentication required"},
               "error": "unauthorized: authentication required"}]

    with pytest.raises(RegistryError, match="pull of x:v1: unauthorized: authentication required") as caught:
        read_pull_stream(chunks, "pull of x:v1", lambda e: None)
    assert caught.value.transient is False


def test_an_error_detail_without_error_key_is_still_an_error():
    with pytest.raises(RegistryError, match="manifest unknown"):
        read_pull_stream([{"errorDetail": {"message": "manifest unknown"}}], "pull of x:v1", lambda e: None)


def test_a_5xx_inside_the_stream_is_transient():
    with pytest.raises(RegistryError) as caught:
        read_pull_stream([{"error": "received unexpected HTTP status: 503 Service Unavailable"}], "pull of x:v1",
                         lambda e: None)
    assert caught.value.transient is True


def test_a_stream_that_ends_without_a_digest_is_never_success():
    with pytest.raises(RegistryError, match="reported no digest"):
        read_pull_stream([{"status": "Pulling fs layer", "id": "l1"}], "pull of x:v1", lambda e: None)


def test_a_build_stream_returns_the_image_id_and_logs_each_line():
    lines: list[str] = []
    chunks = [{"stream": "Step 1/1 : FROM scratch\n"}, {"aux": {"ID": DIGEST}}, {"stream": "Successfully built\n"}]

    assert read_build_stream(chunks, lines.append) == DIGEST
    assert lines == ["Step 1/1 : FROM scratch", "Successfully built"]


def test_a_build_error_in_the_stream_raises_build_error_with_its_message():
    chunks = [{"stream": "Step 1/2 : RUN false\n"},
              {"errorDetail": {"message": "The command '/bin/sh -c false' returned a non-zero code: 1"}}]

    with pytest.raises(BuildError, match="build failed: The command '/bin/sh -c false' returned a non-zero code: 1"):
        read_build_stream(chunks, lambda line: None)


def test_a_build_stream_without_an_image_id_fails():
    with pytest.raises(BuildError, match="without an image id"):
        read_build_stream([{"stream": "Step 1/1 : FROM scratch\n"}], lambda line: None)
