"""Stopping a publish: Ctrl-C (SIGINT) and SIGTERM (what CI runners, ``timeout`` and container stops send) in the
middle of uploading to the sandbox's three registries, and destinations the client cannot reach at all.

Each interrupted run must exit 130 (SIGINT) or 143 (SIGTERM) within 5 s, leave nothing in its ``$TMPDIR``, and
every registry that lists the tag must serve the image whole (the docker CLI pulls it by that tag: the engine
checks every layer). Unknown hosts and refused connections fail at once, without a retry: run with a name
service of ``/etc/hosts`` only (a private mount namespace, ``unshare -m``), so no name is ever looked up
outside this machine."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .registry_checks import registry_digest
from .test_publish_faults import DEV, REPO, ROOT, host, make_context


def start(context: Path, tag: str, scratch: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(scratch)}
    return subprocess.Popen([sys.executable, "-m", "image_pipeline", "publish", REPO, "--context", str(context),
                             "--tag", tag, "--json", *extra], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_uploads(process: subprocess.Popen[str]) -> list[str]:
    """Reads stderr until the destinations are pushing and the first layer reached one of them."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "layer" in line and ("Pushed" in line or "Layer already exists" in line):
            return seen
    raise AssertionError("the publish ended before any upload: " + "".join(seen[-5:]))


@pytest.mark.parametrize("number, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_upload_stops_the_publish_within_seconds_leaving_no_scratch_and_no_partial_tag(
        deployed_sandbox, tmp_path, docker_client, ecr_password, number, code):
    tag = "sig-" + uuid.uuid4().hex[:10]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = start(make_context(tmp_path, deployed_sandbox.base_image, megabytes=160), tag, scratch)
    try:
        wait_for_uploads(process)
        process.send_signal(number)
        sent = time.monotonic()
        process.wait(timeout=5)  # stopped within 5 s of the signal, or this raises
        stopped_after = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    _, stderr = process.communicate()

    print(f"\nSIGNAL | {signal.Signals(number).name} | exit {process.returncode} after {stopped_after:.2f} s")
    assert process.returncode == code, stderr
    assert "error: interrupted" in stderr and "Traceback" not in stderr
    assert list(scratch.iterdir()) == []
    for registry in deployed_sandbox.registries:
        if registry.account == "333333333333":
            continue
        uri = f"{registry.host}/{REPO}"
        if registry_digest(docker_client, uri, tag, ecr_password(registry.account, registry.region)) is not None:
            docker_client.images.pull(uri, tag=tag)  # a listed tag is served whole


def test_scratch_a_killed_run_left_behind_is_removed_by_the_next_run(deployed_sandbox, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = start(make_context(tmp_path, deployed_sandbox.base_image, megabytes=120),
                    "kill-" + uuid.uuid4().hex[:8], scratch)
    try:
        wait_for_uploads(process)
        process.kill()  # SIGKILL: no clean-up is possible
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    left = [p.name for p in scratch.iterdir()]
    assert left and all(name.startswith("image-pipeline-") for name in left)

    again = start(make_context(tmp_path, deployed_sandbox.base_image, megabytes=1),
                  "after-" + uuid.uuid4().hex[:8], scratch, "--env", "dev")
    out, err = again.communicate(timeout=300)

    assert again.returncode == 0, err
    assert list(scratch.iterdir()) == []


def isolated(tmp_path: Path, victim: str, address: str | None) -> list[str]:
    """A command prefix whose process sees /etc/hosts with ``victim`` mapped to ``address`` (or missing) and a
    name service of that file only."""
    hosts = [line for line in Path("/etc/hosts").read_text().splitlines() if victim not in line]
    if address:
        hosts.append(f"{address} {victim}")
    (tmp_path / "hosts").write_text("\n".join(hosts) + "\n")
    (tmp_path / "nsswitch.conf").write_text("hosts: files\n")
    return ["unshare", "-m", "sh", "-c", f'mount --bind {tmp_path / "hosts"} /etc/hosts && '
            f'mount --bind {tmp_path / "nsswitch.conf"} /etc/nsswitch.conf && exec "$@"', "isolated"]


@pytest.mark.parametrize("address, said", [(None, "cannot resolve the host"),
                                           ("127.0.0.250", "refused the connection")])
def test_a_destination_that_cannot_be_reached_fails_at_once_without_retrying(deployed_sandbox, tmp_path,
                                                                           address, said):
    victim = host(*DEV)
    command = isolated(tmp_path, victim, address) + [
        sys.executable, "-m", "image_pipeline", "publish", REPO, "--context",
        str(make_context(tmp_path, deployed_sandbox.base_image, megabytes=1)), "--tag", "u-" + uuid.uuid4().hex[:8],
        "--env", "dev", "--json"]

    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    (row,) = json.loads(done.stdout)["destinations"]
    assert done.returncode == 1 and row["status"] == "failed" and said in row["error"], done.stderr
    assert victim in row["error"] and "retrying" not in done.stderr and "attempts" not in row["error"]
