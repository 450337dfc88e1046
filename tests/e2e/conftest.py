"""Shared fixtures for the end-to-end tests: a running ECR sandbox, and the example spec deployed into it.

- ``sandbox``: the running sandbox (``ecr_sandbox.api.SandboxInfo``), its environment applied to os.environ
  for the whole session. Outside CI it skips when the sandbox cannot start here (not root, no Debian
  packages); in CI (``CI=true``) it never skips: a missing component fails the tests.
- ``deployed_sandbox``: the same, after ``cdk bootstrap`` of every target and ``cdk deploy --all``
  (once per session).
- ``ecr``: ``ecr(account, region)`` -> a boto3 ECR client in that sandbox account and region.
- ``ecr_password``: ``ecr_password(account, region=default)`` -> that account's registry password, from the ECR
  API in that region (ECR's tokens serve the registries of the region they come from).
- ``build_image`` / ``push_image``: a small unique image FROM the sandbox base image; a checked push
  (raises ``push_image.Refused`` on an error inside docker's stream; returns the registry's digest).

The sandbox is left running after the session (a second run starts warm); in CI a sandbox the
session started is stopped at the end.
"""

from __future__ import annotations

import base64
import io
import os
import tarfile
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):  # type: ignore[no-untyped-def]
    config.addinivalue_line("markers", "restarts_sandbox: takes the shared sandbox down and up (runs last)")


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Tests that restart the sandbox (moto loses its state) run after every test that shares it."""
    items.sort(key=lambda item: item.get_closest_marker("restarts_sandbox") is not None)


def start_sandbox(spec_path: str | None = None) -> "object":
    """``api.ensure_up`` for cdk.json's spec or the spec file ``spec_path``: outside CI a sandbox that cannot start
    here skips the test, in CI it fails it."""
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths, SandboxError

    try:
        return api.ensure_up(spec_path=spec_path, cdk_json=ROOT / "cdk.json", paths=Paths(ROOT / ".sandbox"))
    except SandboxError as exc:
        if IN_CI:
            pytest.fail(f"the ECR sandbox did not start: {exc}")
        pytest.skip(f"the ECR sandbox cannot start here: {exc}")


@pytest.fixture(scope="session")
def sandbox() -> Iterator["object"]:
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths

    paths = Paths(ROOT / ".sandbox")
    info = start_sandbox()
    saved = dict(os.environ)
    api.apply_env(info)
    yield info
    os.environ.clear()
    os.environ.update(saved)
    if IN_CI and info.cold_start:
        api.down(paths)


@pytest.fixture(scope="session")
def deployed_sandbox(sandbox):  # type: ignore[no-untyped-def]
    from ecr_sandbox import api

    api.bootstrap(sandbox, ROOT)
    api.deploy(sandbox, ROOT)
    return sandbox


@pytest.fixture(scope="session")
def ecr(sandbox) -> Callable[[str, str], object]:  # type: ignore[no-untyped-def]
    import boto3

    clients: dict[tuple[str, str], object] = {}

    def client(account: str, region: str):  # type: ignore[no-untyped-def]
        if (account, region) not in clients:
            session = boto3.Session(profile_name=sandbox.profile(account), region_name=region)
            clients[(account, region)] = session.client("ecr")
        return clients[(account, region)]

    return client


@pytest.fixture(scope="session")
def ecr_password(ecr, sandbox) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    def password(account: str, region: str | None = None) -> str:
        data = ecr(account, region or sandbox.default_region).get_authorization_token()["authorizationData"][0]
        user, _, secret = base64.b64decode(data["authorizationToken"]).decode().partition(":")
        assert user == "AWS"
        return secret

    return password


@pytest.fixture(scope="session")
def docker_client(sandbox):  # type: ignore[no-untyped-def]
    import docker

    client = docker.DockerClient(base_url=sandbox.env["DOCKER_HOST"], timeout=300)
    yield client
    client.close()


@pytest.fixture
def build_image(docker_client, sandbox) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """Build a tiny image with unique content (so its digest is new); return its image id.

    ``scratch=True``: one layer only, ``FROM scratch``, none of the base image's. The engine remembers, across
    runs (its data root stays), which compressed blobs it has pushed or pulled for a layer and reuses whichever a
    registry already has, so the base image's layer can go up as different blobs to two registries; a scratch
    image's only layer is new, so every push compresses it afresh and identically."""

    def build(scratch: bool = False) -> str:
        if not scratch:
            dockerfile = f"FROM {sandbox.base_image}\nRUN echo {uuid.uuid4().hex} > /id\n".encode()
            image, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile), rm=True, forcerm=True)
            return image.id
        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as tar:
            for name, data in (("Dockerfile", b"FROM scratch\nCOPY id /id\n"), ("id", uuid.uuid4().hex.encode())):
                entry = tarfile.TarInfo(name)
                entry.size = len(data)
                tar.addfile(entry, io.BytesIO(data))
        context.seek(0)
        image, _ = docker_client.images.build(fileobj=context, custom_context=True, rm=True, forcerm=True)
        return image.id

    return build


@pytest.fixture
def push_image(docker_client) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """Tag ``image_id`` as HOST/REPOSITORY:TAG and push it; return the digest the registry reported."""

    def push(image_id: str, host: str, repository: str, tag: str, password: str) -> str:
        target = f"{host}/{repository}"
        docker_client.api.tag(image_id, target, tag)
        digest = None
        auth = {"username": "AWS", "password": password}
        for line in docker_client.api.push(target, tag=tag, stream=True, decode=True, auth_config=auth):
            if "error" in line or "errorDetail" in line:
                raise PushRefused(line.get("error") or str(line["errorDetail"]))
            digest = (line.get("aux") or {}).get("Digest", digest)
        if not digest:
            raise PushRefused(f"no digest reported for {target}:{tag}")
        return digest

    push.Refused = PushRefused  # type: ignore[attr-defined]
    return push


class PushRefused(Exception):
    """The registry refused a push (the error arrived inside docker's JSON stream)."""
