"""The one registry client (image_pipeline.oci.client) against a real HTTPS registry that speaks the OCI
distribution spec v1.1: chunked uploads with Content-Range, upload status ("Range: 0-N"), mounts, manifests
verified by digest, authentication (Basic, as ECR takes it; one fresh token after a refusal, including ECR's
403 "Your authorization token has expired"), and every failure classified for the retry policy."""
from __future__ import annotations

import hashlib
import io
import json
import socket
import threading

import pytest

from image_pipeline.core import cancel
from image_pipeline.core.deadline import Deadline
from image_pipeline.core.errors import DeadlineError, IntegrityError
from image_pipeline.oci.client import Fixed, RegistryClient
from image_pipeline.oci.errors import RegistryAuthError, RegistryRequestError

from .fake_registry import sha

REPO = "team/app"


class Renewing:
    """Credentials that hand out ``passwords`` in turn when renewed."""

    def __init__(self, *passwords: str) -> None:
        self.passwords, self.renewals = list(passwords), 0

    def current(self) -> tuple[str, str]:
        return "AWS", self.passwords[0]

    def renew(self, stale: tuple[str, str]) -> bool:
        self.renewals += 1
        if len(self.passwords) > 1:
            self.passwords.pop(0)
            return True
        return False


def client(registry, credentials=None, deadline=None) -> RegistryClient:  # type: ignore[no-untyped-def]
    return RegistryClient(registry.host, credentials or Fixed("AWS", "secret"), ca_file=registry.ca,
                          deadline=deadline)


def upload(c: RegistryClient, data: bytes, part: int) -> None:
    location = c.start_upload(REPO)
    assert location is not None
    offset = 0
    while offset < len(data):
        length = min(part, len(data) - offset)
        location = c.upload_part(location, lambda start: io.BytesIO(data[start:]), offset, length)
        offset += length
    c.finish_upload(location, sha(data))


def test_a_blob_uploaded_in_parts_is_stored_under_its_digest(registry):
    data = bytes(range(256)) * 100

    upload(client(registry), data, part=1000)

    assert registry.holds(REPO, sha(data))
    assert registry.count("PATCH") == 26


def test_an_upload_status_reports_how_many_bytes_the_registry_holds(registry):
    c = client(registry)
    location = c.start_upload(REPO)
    location = c.upload_part(location, lambda start: io.BytesIO(b"x" * 500), 0, 500)

    assert c.upload_status(location) == 500


def test_a_part_cut_off_by_a_reset_is_a_transient_error_and_the_registry_keeps_what_arrived(registry):
    c = client(registry)
    location = c.start_upload(REPO)
    registry.reset()

    with pytest.raises(RegistryRequestError) as raised:
        c.upload_part(location, lambda start: io.BytesIO(b"y" * 200_000), 0, 200_000)

    assert raised.value.transient
    assert c.upload_status(location) == 100_000


def test_a_blob_in_another_repository_of_the_registry_is_mounted_without_an_upload(registry):
    digest = registry.put_blob("team/base", b"shared layer")

    assert client(registry).start_upload(REPO, digest, "team/base") is None
    assert registry.holds(REPO, digest)


def test_a_registry_that_does_not_mount_starts_an_upload_session_instead(registry):
    registry.state.mounts = False
    digest = registry.put_blob("team/base", b"shared layer")

    location = client(registry).start_upload(REPO, digest, "team/base")

    assert location and "/blobs/uploads/" in location


def test_a_manifest_fetched_by_digest_is_verified_against_it(registry):
    body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"digest": sha(b"{}"), "size": 2}, "layers": []}).encode()
    digest = registry.put_manifest(REPO, body, "application/vnd.oci.image.manifest.v1+json")
    registry.tamper(digest)

    with pytest.raises(IntegrityError, match="hash to sha256:.*, not " + digest):
        client(registry).manifest(REPO, digest)


def test_a_manifest_put_returns_the_digest_of_its_bytes(registry):
    config = registry.put_blob(REPO, b"{}")
    body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"digest": config, "size": 2, "mediaType": "application/vnd.oci.image.config.v1+json"},
                       "layers": []}).encode()

    digest = client(registry).put_manifest(REPO, "v1", body, "application/vnd.oci.image.manifest.v1+json")

    assert digest == sha(body) == registry.tag(REPO, "v1")


def test_a_refused_token_is_renewed_once_and_the_request_sent_again(registry):
    registry.expire("fresh")
    credentials = Renewing("secret", "fresh")

    assert client(registry, credentials).has_blob(REPO, sha(b"nothing")) is False
    assert credentials.renewals == 1


def test_ecrs_403_for_an_expired_token_gets_a_fresh_token_too(registry):
    registry.expire("fresh", status=403)
    credentials = Renewing("secret", "fresh")

    assert client(registry, credentials).has_blob(REPO, sha(b"nothing")) is False
    assert credentials.renewals == 1


def test_a_registry_that_refuses_the_fresh_token_too_is_a_permanent_auth_error(registry):
    registry.expire("never-given")
    credentials = Renewing("secret", "fresh")

    with pytest.raises(RegistryAuthError, match="credentials refused, also after a fresh token") as raised:
        client(registry, credentials).has_blob(REPO, sha(b"nothing"))

    assert not raised.value.transient and credentials.renewals == 1


@pytest.mark.parametrize("status, transient", [(500, True), (503, True), (429, True), (408, True), (404, False),
                                               (400, False), (403, False)])
def test_http_statuses_are_transient_only_for_5xx_408_and_429(registry, status, transient):
    registry.fail("GET", "/manifests/", status)

    with pytest.raises(RegistryRequestError) as raised:
        client(registry).manifest(REPO, "v1")

    assert raised.value.transient is transient and raised.value.status == status


def test_an_answer_cut_off_before_its_end_is_a_transient_truncated_answer(registry):
    digest = registry.put_blob(REPO, b"z" * 100_000)
    registry.truncate("/blobs/")
    close, stream = client(registry).open_blob(REPO, digest)

    with pytest.raises(Exception) as raised:
        stream.read()
    close()

    from image_pipeline.oci.errors import connection_failure
    failure = connection_failure(raised.value, registry.host, "GET blob")
    assert failure.transient and "cut off" in str(failure)


def test_a_refused_connection_fails_at_once_naming_the_host():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused

        with pytest.raises(RegistryRequestError, match=f"127.0.0.1:{port} refused the connection") as raised:
            RegistryClient(f"127.0.0.1:{port}", Fixed("AWS", "x")).status()

    assert not raised.value.transient


def test_an_unknown_host_fails_at_once_naming_the_host(monkeypatch):
    def no_such_host(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    with pytest.raises(RegistryRequestError, match="cannot resolve the host nowhere.example") as raised:
        RegistryClient("nowhere.example", Fixed("AWS", "x")).status()

    assert not raised.value.transient


def test_a_registry_whose_certificate_is_not_trusted_fails_at_once(registry):
    with pytest.raises(RegistryRequestError, match="TLS verification of 127.0.0.1") as raised:
        RegistryClient(registry.host, Fixed("AWS", "secret")).status()

    assert not raised.value.transient


def test_no_request_starts_after_an_interrupt(registry):
    c = client(registry)
    before = len(registry.state.requests)
    cancel.INTERRUPT.set()

    with pytest.raises(DeadlineError, match="cancelled"):
        c.has_blob(REPO, sha(b"x"))

    assert len(registry.state.requests) == before


def test_an_interrupt_ends_a_request_blocked_on_a_silent_registry_at_once():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    c = RegistryClient(f"127.0.0.1:{silent.getsockname()[1]}", Fixed("AWS", "x"), deadline=Deadline(30))
    errors = []
    worker = threading.Thread(target=lambda: errors.append(pytest.raises(Exception, c.status)))
    worker.start()
    while not accepted:
        threading.Event().wait(0.01)

    cancel.interrupt()
    worker.join(timeout=5)

    assert not worker.is_alive()
    silent.close()


def test_kept_alive_connections_are_reused(registry):
    c = client(registry)
    for _ in range(5):
        c.has_blob(REPO, sha(b"x"))

    assert len(c._idle) == 1


def test_the_password_is_not_in_the_repr():
    text = repr(RegistryClient("h", Fixed("AWS", "s3cr3t-token")))

    assert "s3cr3t" not in text and "<hidden>" in text


def test_digests_are_sha256_of_the_exact_bytes():
    assert sha(b"abc") == "sha256:" + hashlib.sha256(b"abc").hexdigest()


def test_a_bearer_challenge_gets_a_token_from_the_realm_for_the_repeated_request(registry):
    registry.use_bearer()

    assert client(registry).has_blob(REPO, sha(b"x")) is False
    assert registry.count("GET", "/token") == 1


def test_a_registry_that_keeps_refusing_its_realms_tokens_is_an_auth_error_after_bounded_rounds(registry):
    from image_pipeline.oci.client import AUTH_ROUNDS
    registry.use_bearer()
    registry.state.worthless_tokens = True

    with pytest.raises(RegistryAuthError, match="credentials refused"):
        client(registry).has_blob(REPO, sha(b"x"))

    assert registry.count("GET", "/token") == AUTH_ROUNDS


def test_a_plain_http_token_realm_is_refused_and_never_sent_the_credentials(registry):
    registry.use_bearer("http://127.0.0.1:9/token")

    with pytest.raises(RegistryAuthError, match="not https; refusing to send registry credentials"):
        client(registry).has_blob(REPO, sha(b"x"))


def test_every_socket_gets_the_client_timeout_or_less_when_the_deadline_is_nearer(registry):
    c = RegistryClient(registry.host, Fixed("AWS", "secret"), ca_file=registry.ca, timeout=60,
                       deadline=Deadline(5))

    connection, _ = c._take("probe")

    assert 0 < connection.timeout <= 5


def test_content_that_ends_before_its_length_fails_at_once_instead_of_waiting_for_the_registry(registry):
    c = client(registry, deadline=Deadline(30))
    location = c.start_upload(REPO)

    with pytest.raises(IntegrityError, match="ended after 100 of its 1000 bytes"):
        c.upload_part(location, lambda start: io.BytesIO(b"x" * 100), 0, 1000)
