"""The command line and its contract: warm `up`, `status`, `.sandbox/env`, clear errors, crash recovery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _sandbox(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecr_sandbox", *args], cwd=ROOT, env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_a_warm_up_reuses_what_runs_in_a_few_seconds(sandbox):
    started = time.monotonic()
    done = _sandbox("up")
    seconds = time.monotonic() - started

    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout
    assert seconds < 5


def test_status_shows_every_component_up_with_its_address(sandbox):
    done = _sandbox("status")

    assert done.returncode == 0
    lines = done.stdout.splitlines()
    for registry in sandbox.registries:
        line = next(l for l in lines if registry.host in l)
        assert f"https://{registry.address}:443" in line and line.rstrip().endswith("up")
    assert any(l.startswith("moto") and l.rstrip().endswith("up") for l in lines)


def test_the_env_file_points_boto3_at_the_sandbox_with_a_profile_per_account(sandbox):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    script = (
        "import boto3, sys\n"
        "print(boto3.client('sts').get_caller_identity()['Account'])\n"
        f"print(boto3.Session(profile_name='sandbox-{sandbox.accounts[-1]}').client('sts').get_caller_identity()['Account'])\n"
    )
    done = subprocess.run(["sh", "-c", f". {sandbox.sandbox_dir}/env && {sys.executable} -c \"$0\"", script],
                          env=clean, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == sandbox.accounts[-1]


def test_no_file_the_sandbox_writes_for_users_holds_a_registry_password(sandbox):
    for name in ("env", "aws/config", "aws/credentials", "state.json", "gateway.json"):
        assert "-auth-token" not in (sandbox.sandbox_dir / name).read_text(), name


def test_a_port_in_use_is_one_clear_line_and_exit_1(sandbox, tmp_path):
    # a second sandbox (own state folder) wants the port the running one holds
    env = {**os.environ, "SANDBOX_DIR": str(tmp_path)}

    done = _sandbox("up", env=env)

    assert done.returncode == 1
    assert done.stderr.startswith("sandbox: error: 127.0.0.1:")
    assert "already in use" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_spec_that_cannot_be_read_is_one_clear_line_and_exit_1(sandbox, tmp_path):
    env = {**os.environ, "ECR_SPEC": str(tmp_path / "missing.json")}

    done = _sandbox("up", env=env)

    assert done.returncode == 1
    assert done.stderr.startswith("sandbox: error: cannot read the registry spec")
    assert "Traceback" not in done.stderr


def test_up_restarts_a_component_that_crashed(sandbox):
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths
    from ecr_sandbox.control import gateway_process

    paths = Paths(sandbox.sandbox_dir)
    pid = gateway_process.running(paths)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while gateway_process.running(paths) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    api.ensure_up(cdk_json=ROOT / "cdk.json", paths=paths)

    rows = {row.name: row for row in api.status(paths)}
    assert rows["gateway (tokens, push bridge)"].up
    assert rows["gateway (tokens, push bridge)"].pid != pid


def test_a_stale_pid_file_is_never_taken_for_a_running_sandbox_process(tmp_path):
    from ecr_sandbox.api import Paths
    from ecr_sandbox.control import processes

    paths = Paths(tmp_path)
    paths.pid_file("moto").parent.mkdir(parents=True)
    paths.pid_file("moto").write_text(f"{os.getpid()}\n")  # a live process that is not moto

    assert processes.running_pid(paths, "moto", "ecr_sandbox.moto_ext.server") is None
    assert processes.stop(paths, "moto", "ecr_sandbox.moto_ext.server") is False
    assert not paths.pid_file("moto").exists()


def test_a_spec_with_another_environment_gets_its_registry_and_loses_it_when_removed(sandbox, tmp_path):
    import json

    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["environments"]["sandboxtest"] = {"account": "444444444444", "regions": ["eu-central-1"]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    host = "444444444444.dkr.ecr.eu-central-1.amazonaws.com"

    grown = _sandbox("up", env={**os.environ, "ECR_SPEC": str(tmp_path / "spec.json")})
    hosts_while_grown = Path("/etc/hosts").read_text()
    shrunk = _sandbox("up", env={k: v for k, v in os.environ.items() if k != "ECR_SPEC"})

    assert grown.returncode == 0 and shrunk.returncode == 0, grown.stderr + shrunk.stderr
    assert f"{host} -> 127.0.0." in grown.stdout
    assert host in hosts_while_grown
    assert host not in Path("/etc/hosts").read_text()
    assert not Path(f"/etc/docker/certs.d/{host}").exists()


def test_every_key_and_secret_file_of_the_running_sandbox_is_readable_by_root_only(sandbox):
    root = sandbox.sandbox_dir
    secrets = [*root.glob("pki/*.key"), *root.glob("registries/*/http-secret"), *root.glob("registries/*/config.yml"),
               root / "gateway.json", root / "aws" / "credentials"]
    wanted = {"ca.key", "token-signer.key", *(f"{r.host}.key" for r in sandbox.registries)}
    assert wanted <= {p.name for p in secrets}

    wider = {str(p.relative_to(root)): oct(p.stat().st_mode & 0o777) for p in secrets if p.stat().st_mode & 0o077}

    assert wider == {}
    assert (root / "pki").stat().st_mode & 0o777 == 0o700


USER_KEY = "-----BEGIN PRIVATE KEY-----\nthe user's own client key (test)\n-----END PRIVATE KEY-----\n"


@pytest.mark.restarts_sandbox  # a real down + up: run after every test that shares the session's sandbox
def test_down_keeps_a_certs_d_folder_that_existed_before_up_and_dockerd_keeps_its_data_outside_tmp(sandbox):
    from ecr_sandbox.control import dockerd

    host = sandbox.registries[0].host
    folder = Path("/etc/docker/certs.d") / host
    assert _sandbox("down").returncode == 0
    assert not folder.exists(), f"{folder} exists although no sandbox runs: not this test's to use"
    folder.mkdir(parents=True)
    (folder / "client.key").write_text(USER_KEY)
    try:
        up = _sandbox("up")
        ca_added = (folder / "ca.crt").read_bytes() == (sandbox.sandbox_dir / "pki" / "ca.crt").read_bytes()
        engine_root = dockerd.client().info()["DockerRootDir"] if up.returncode == 0 else None
        down = _sandbox("down")
        left = sorted(p.name for p in folder.iterdir())
        key_after = (folder / "client.key").read_text()
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()

    assert up.returncode == 0 and down.returncode == 0, up.stderr + down.stderr
    assert "these ECR host names resolve to it for EVERY process on this machine" in up.stderr
    assert host in up.stderr
    assert ca_added
    assert engine_root == "/var/lib/ecr-sandbox/dockerd"
    assert left == ["client.key"] and key_after == USER_KEY
    assert f"removed {folder / 'ca.crt'}" in down.stdout.splitlines()
