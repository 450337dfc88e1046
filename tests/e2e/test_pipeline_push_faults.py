"""Push faults against a real registry process this test starts and stops itself (Debian's docker-registry
on 127.0.0.1, plain HTTP, which the Docker engine allows for loopback): a registry stopped in the middle of a
push and a registry that does not answer both end in a RegistryError, never in a digest; the engine's own
silent upload retries are cut at their first "Retrying in N seconds" so our retry policy decides."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from image_pipeline.errors import RegistryError
from image_pipeline.push import push_tag
from image_pipeline.retry import with_retry
from image_pipeline.settings import RetrySettings
from image_pipeline.stream import EngineRetryError

CONFIG = """version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def registry(sandbox, tmp_path):  # type: ignore[no-untyped-def]
    # Looked up after the sandbox is up: on a fresh machine the sandbox installs docker-registry itself.
    registry_binary = shutil.which("docker-registry")
    assert registry_binary, "docker-registry is not installed (apt-get install docker-registry)"
    port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(CONFIG.format(root=tmp_path / "storage", port=port))
    process = subprocess.Popen([registry_binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield process, f"127.0.0.1:{port}"
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture
def big_image(sandbox, docker_client, tmp_path):  # type: ignore[no-untyped-def]
    context = tmp_path / "context"
    context.mkdir()
    (context / "blob").write_bytes(os.urandom(150 * 1024 * 1024))
    (context / "Dockerfile").write_text(f"FROM {sandbox.base_image}\nCOPY blob /blob\n")
    image, _ = docker_client.images.build(path=str(context), rm=True, forcerm=True)
    yield image.id
    docker_client.api.remove_image(image.id, force=True)


def test_a_registry_stopped_in_the_middle_of_a_push_fails_the_push_without_a_digest(registry, big_image,
                                                                                    docker_client):
    process, address = registry
    uri, tag = f"{address}/faults/app", uuid.uuid4().hex[:8]
    docker_client.api.tag(big_image, uri, tag)
    uploading = threading.Event()

    def on_layer(event):  # type: ignore[no-untyped-def]
        if event.status == "Pushing" and (event.current or 0) > 0:
            uploading.set()

    def stop_when_uploading() -> None:
        if uploading.wait(timeout=60):
            process.kill()

    stopper = threading.Thread(target=stop_when_uploading)
    stopper.start()
    retried: list[RegistryError] = []
    try:
        with pytest.raises(RegistryError) as caught:
            with_retry(lambda: push_tag(docker_client.api, uri, tag, {}, on_layer),
                       RetrySettings(attempts=2, first_delay=0.2), lambda error, attempt, delay: retried.append(error),
                       sleep=time.sleep)
    finally:
        stopper.join()
    assert uploading.is_set(), "the push finished before the registry could be stopped"
    assert f"push of {uri}:{tag}" in str(caught.value)
    # The first attempt ended at the engine's own first retry, not after its five; ours came next.
    assert retried and isinstance(retried[0], EngineRetryError), retried


def test_a_registry_that_does_not_answer_fails_fast(docker_client, sandbox):
    uri, tag = f"127.0.0.1:{free_port()}/faults/app", "v1"
    docker_client.api.tag(sandbox.base_image, uri, tag)
    started = time.monotonic()

    with pytest.raises(RegistryError, match="connection refused") as caught:
        with_retry(lambda: push_tag(docker_client.api, uri, tag, {}, lambda e: None),
                   RetrySettings(attempts=4), sleep=time.sleep)

    assert caught.value.transient is False
    assert time.monotonic() - started < 30
    docker_client.api.remove_image(f"{uri}:{tag}")
