"""The registry API client: the token flow is bounded and https-only, statuses become clear errors.

Token auth as the distribution registry documents it ("Docker Registry v2 authentication via central
service", distribution/docs/spec/auth/token.md): a 401 carries ``WWW-Authenticate: Bearer realm=...,
service=..., scope=...``; the client asks the realm for a token and repeats the request with it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from image_pipeline import registry
from image_pipeline.errors import AuthError, RegistryError
from image_pipeline.registry import AUTH_ROUNDS, RegistryClient

HOST = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
CHALLENGE = f'Bearer realm="https://auth.example/token",service="{HOST}",scope="repository:a/app:pull"'


class Response:
    def __init__(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.status, self._headers, self._body = status, headers or {}, body

    def read(self, size: int = -1) -> bytes:
        return self._body

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return {k.lower(): v for k, v in self._headers.items()}.get(name.lower(), default)

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self._headers.items())


class FakeNetwork:
    """Stands in for http.client.HTTPSConnection: answers per host from ``routes`` and records requests."""

    def __init__(self, routes):
        self.routes, self.requests = routes, []

    def connection(self, netloc, timeout=None, context=None, blocksize=None):
        network = self

        class Connection:
            def request(self, method, path, body=None, headers=None):
                network.requests.append((netloc, method, path, dict(headers or {}), timeout))
                self.answer = network.routes(netloc, method, path, dict(headers or {}))

            def getresponse(self):
                return self.answer

            def close(self):
                pass
        return Connection()


@pytest.fixture
def network(monkeypatch):
    def install(routes):
        fake = FakeNetwork(routes)
        monkeypatch.setattr(registry.http.client, "HTTPSConnection", fake.connection)
        return fake
    return install


def client(**options) -> RegistryClient:
    return RegistryClient(HOST, username="AWS", password="s3cret", **options)


def test_a_registry_that_keeps_answering_401_is_an_auth_error_after_a_bounded_number_of_rounds(network):
    def routes(netloc, method, path, headers):
        if netloc == "auth.example":
            return Response(200, body=json.dumps({"token": "t"}).encode())
        return Response(401, {"WWW-Authenticate": CHALLENGE})
    fake = network(routes)

    with pytest.raises(AuthError, match=r"GET .*/v2/a/app/manifests/v1: HTTP 401 .*\(credentials refused\)"):
        client().manifest("a/app", "v1")

    to_registry = [r for r in fake.requests if r[0] == HOST]
    assert len(to_registry) == AUTH_ROUNDS + 1
    assert len([r for r in fake.requests if r[0] == "auth.example"]) == AUTH_ROUNDS


def test_a_bearer_token_from_the_realm_is_used_for_the_repeated_request(network):
    def routes(netloc, method, path, headers):
        if netloc == "auth.example":
            assert headers["Authorization"].startswith("Basic ")
            assert "scope=repository%3Aa%2Fapp%3Apull" in path
            return Response(200, body=b'{"access_token": "granted"}')
        if headers.get("Authorization") == "Bearer granted":
            return Response(200, {"Content-Type": registry.SINGLE_MANIFESTS[0]}, b"{}")
        return Response(401, {"WWW-Authenticate": CHALLENGE})
    network(routes)

    assert client().manifest("a/app", "v1") == (b"{}", registry.SINGLE_MANIFESTS[0])


def test_a_plain_http_token_realm_is_refused_and_never_sent_the_credentials(network):
    challenge = CHALLENGE.replace("https://auth.example", "http://127.0.0.1:8080")
    fake = network(lambda netloc, method, path, headers: Response(401, {"WWW-Authenticate": challenge}))

    with pytest.raises(AuthError, match=r"names the token realm http://127.0.0.1:8080/token, which is not https; "
                                        r"refusing to send registry credentials there"):
        client().has_blob("a/app", "sha256:" + "1" * 64)

    assert {r[0] for r in fake.requests} == {HOST}


def test_a_5xx_is_a_transient_error_and_a_404_manifest_a_permanent_one(network):
    network(lambda netloc, method, path, headers: Response(503 if "blobs" in path else 404, body=b"nope"))

    with pytest.raises(RegistryError) as unavailable:
        client().upload_blob("a/app", "sha256:" + "1" * 64, b"data")
    with pytest.raises(RegistryError) as missing:
        client().manifest("a/app", "v1")

    assert unavailable.value.transient and "HTTP 503" in str(unavailable.value)
    assert not missing.value.transient and "HTTP 404 nope" in str(missing.value)


def test_every_socket_gets_the_client_timeout_or_less_when_the_deadline_is_nearer(network):
    from image_pipeline.deadline import Deadline
    fake = network(lambda netloc, method, path, headers: Response(200))

    client(timeout=30.0).has_blob("a/app", "sha256:" + "1" * 64)
    client(timeout=30.0, deadline=Deadline(5.0)).has_blob("a/app", "sha256:" + "1" * 64)

    assert fake.requests[0][4] == 30.0 and 0 < fake.requests[1][4] <= 5.0


def test_a_file_upload_is_a_post_then_a_put_with_the_digest_and_the_file_size(network, tmp_path):
    blob = tmp_path / "blob"
    blob.write_bytes(b"12345")

    def routes(netloc, method, path, headers):
        if method == "POST":
            return Response(202, {"Location": f"https://{HOST}/v2/a/app/blobs/uploads/u1?state=x"})
        return Response(201)
    fake = network(routes)

    RegistryClient(HOST, token="minted").upload_blob("a/app", "sha256:" + "1" * 64, Path(blob))

    (_, post, _, post_headers, _), (_, put, put_path, put_headers, _) = fake.requests
    assert (post, put) == ("POST", "PUT")
    assert put_path == "/v2/a/app/blobs/uploads/u1?state=x&digest=sha256:" + "1" * 64
    assert put_headers["Content-Length"] == "5" and put_headers["Authorization"] == "Bearer minted"


def test_the_client_errors_are_os_errors_too_for_callers_that_catch_those(network):
    network(lambda netloc, method, path, headers: Response(500))

    with pytest.raises(OSError):
        RegistryClient(HOST, token="t").put_manifest("a/app", "v1", b"{}", registry.SINGLE_MANIFESTS[0])


def test_the_password_is_not_in_the_repr():
    assert "s3cret" not in repr(client()) and "<hidden>" in repr(client())


def test_an_upload_location_on_the_registrys_own_host_is_followed_over_https_whatever_its_scheme(network):
    def routes(netloc, method, path, headers):
        if method == "POST":
            return Response(202, {"Location": f"http://{HOST}/v2/a/app/blobs/uploads/u2"})
        return Response(201)
    fake = network(routes)

    client().upload_blob("a/app", "sha256:" + "2" * 64, b"x")

    assert fake.requests[1][:3] == (HOST, "PUT", "/v2/a/app/blobs/uploads/u2?digest=sha256:" + "2" * 64)
