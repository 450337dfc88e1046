"""Reading the engine's push/pull/build streams: failures hide inside HTTP 200 streams."""
import pytest

from image_pipeline.build import read_build_stream
from image_pipeline.errors import BuildError, RegistryError
from image_pipeline.stream import LayerEvent, read_stream

DIGEST = "sha256:" + "a" * 64


def test_a_push_stream_with_an_aux_digest_returns_that_digest():
    events: list[LayerEvent] = []
    chunks = [{"status": "Pushing", "id": "l1", "progressDetail": {"current": 10, "total": 20}},
              {"status": "Pushed", "id": "l1", "progressDetail": {}},
              {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": DIGEST, "Size": 1}}]

    assert read_stream(chunks, "push of x:v1", events.append) == DIGEST
    assert events == [LayerEvent("l1", "Pushing", 10, 20), LayerEvent("l1", "Pushed", None, None)]


def test_an_error_detail_inside_a_200_stream_raises_with_the_registry_message():
    chunks = [{"status": "Preparing", "id": "l1"},
              {"errorDetail": {"message": "unauthorized: authentication required"},
               "error": "unauthorized: authentication required"}]

    with pytest.raises(RegistryError, match="push of x:v1: unauthorized: authentication required") as caught:
        read_stream(chunks, "push of x:v1", lambda e: None)
    assert caught.value.transient is False


def test_an_error_detail_without_error_key_is_still_an_error():
    with pytest.raises(RegistryError, match="blob upload unknown"):
        read_stream([{"errorDetail": {"message": "blob upload unknown"}}], "push of x:v1", lambda e: None)


def test_a_5xx_inside_the_stream_is_transient():
    chunks = [{"error": "received unexpected HTTP status: 503 Service Unavailable"}]

    with pytest.raises(RegistryError) as caught:
        read_stream(chunks, "push of x:v1", lambda e: None)
    assert caught.value.transient is True


def test_a_stream_that_ends_without_a_digest_is_never_success():
    chunks = [{"status": "Pushing", "id": "l1", "progressDetail": {"current": 1, "total": 2}}]

    with pytest.raises(RegistryError, match="returned no digest"):
        read_stream(chunks, "push of x:v1", lambda e: None)


def test_a_pull_stream_reports_the_digest_in_its_status_line():
    chunks = [{"status": "Pulling from team/app", "id": "v1"},
              {"status": "Pull complete", "id": "l1", "progressDetail": {}},
              {"status": f"Digest: {DIGEST}"}, {"status": "Status: Downloaded newer image for x:v1"}]

    assert read_stream(chunks, "pull of x:v1", lambda e: None) == DIGEST


def test_a_build_stream_returns_the_image_id_and_logs_each_line():
    lines: list[str] = []
    chunks = [{"stream": "Step 1/1 : FROM scratch\n ---> Running\n"}, {"aux": {"ID": DIGEST}}]

    assert read_build_stream(chunks, lines.append) == DIGEST
    assert lines == ["Step 1/1 : FROM scratch", " ---> Running"]


def test_a_build_error_in_the_stream_raises_build_error_with_its_message():
    chunks = [{"stream": "Step 2/3 : RUN false\n"},
              {"errorDetail": {"code": 1, "message": "The command '/bin/sh -c false' returned a non-zero code: 1"},
               "error": "The command '/bin/sh -c false' returned a non-zero code: 1"}]

    with pytest.raises(BuildError, match="build failed: The command '/bin/sh -c false' returned a non-zero code"):
        read_build_stream(chunks, lambda line: None)


def test_a_build_stream_without_an_image_id_fails():
    with pytest.raises(BuildError, match="without an image id"):
        read_build_stream([{"stream": "Step 1/1\n"}], lambda line: None)


def test_a_401_after_the_registry_took_some_layers_is_a_lapsed_authorization_and_retried():
    """A registry's bearer token can expire mid-push (distribution token auth: tokens carry a short
    expires_in); the same credentials refused at the start are a wrong password and are not retried."""
    from image_pipeline.errors import RegistryError
    from image_pipeline.stream import read_stream
    refused = {"error": "unauthorized: authentication required",
               "errorDetail": {"message": "unauthorized: authentication required"}}

    with pytest.raises(RegistryError) as midway:
        read_stream([{"status": "Pushed", "id": "l1"}, refused], "push of x:v1", lambda e: None)
    with pytest.raises(RegistryError) as uploading:
        read_stream([{"status": "Pushing", "id": "l2", "progressDetail": {"current": 512, "total": 900}}, refused],
                    "push of x:v1", lambda e: None)
    with pytest.raises(RegistryError) as at_once:
        read_stream([{"status": "Preparing", "id": "l1"}, {"status": "Pushing", "id": "l1", "progressDetail": {}},
                     refused], "push of x:v1", lambda e: None)

    assert midway.value.transient and "accepted the credentials for 1 layer(s)" in str(midway.value)
    assert uploading.value.transient
    assert not at_once.value.transient
