"""Every private key and secret file the sandbox writes is mode 0600 from the moment it exists.

The tests run under umask 0 (a file created with default permissions would be 0666) and make every chmod
first check the file's current mode: a file written readable and narrowed afterwards fails them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ecr_sandbox.control import certs, envfile, files, gateway_process
from ecr_sandbox.control.state import RegistryRecord, State


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(autouse=True)
def no_wide_moment(monkeypatch):  # type: ignore[no-untyped-def]
    """umask 0, and a chmod/fchmod that fails when the file was ever readable by others before it."""
    old = os.umask(0)
    real_chmod, real_fchmod = os.chmod, os.fchmod

    def chmod(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        current = _mode(path)
        assert stat.S_ISDIR(os.lstat(path).st_mode) or not current & 0o077, (
            f"{path} existed with mode {current:04o} before it was narrowed to {mode:04o}")
        return real_chmod(path, mode, *args, **kwargs)

    def fchmod(fd, mode):  # type: ignore[no-untyped-def]
        current = stat.S_IMODE(os.fstat(fd).st_mode)
        assert not current & 0o077, f"fd {fd} existed with mode {current:04o} before it was narrowed"
        return real_fchmod(fd, mode)

    monkeypatch.setattr(os, "chmod", chmod)
    monkeypatch.setattr(os, "fchmod", fchmod)
    yield
    os.umask(old)


def test_the_ca_key_is_0600_from_creation(tmp_path):
    _, key = certs.ensure_ca(tmp_path / "pki")

    assert _mode(key) == 0o600


def test_a_registry_hosts_tls_key_is_0600_from_creation(tmp_path):
    _, key = certs.ensure_host_cert(tmp_path / "pki", "111111111111.dkr.ecr.us-east-1.amazonaws.com")

    assert _mode(key) == 0o600


def test_the_token_signers_key_is_0600_from_creation(tmp_path):
    _, key = certs.ensure_token_signer(tmp_path / "pki")

    assert _mode(key) == 0o600


def test_the_pki_folder_is_readable_by_its_owner_only(tmp_path):
    certs.ensure_ca(tmp_path / "pki")

    assert _mode(tmp_path / "pki") == 0o700


def test_a_key_left_world_readable_by_an_older_version_is_replaced_by_a_0600_file(tmp_path):
    key = tmp_path / "token-signer.key"
    key.write_text("old")
    assert _mode(key) == 0o666

    files.write_private(key, "new secret")

    assert _mode(key) == 0o600 and key.read_text() == "new secret"


def test_the_aws_credentials_file_is_0600_from_creation(tmp_path, make_paths):
    paths = make_paths()

    envfile.write_aws_files(paths, ["111111111111"], "us-east-1", "abcd")

    assert _mode(paths.aws_dir / "credentials") == 0o600


def test_the_gateway_config_written_as_up_writes_it_is_0600_from_creation(make_paths):
    paths = make_paths()
    paths.root.mkdir(parents=True)
    state = State(accounts=["111111111111"], registries=[
        RegistryRecord("111111111111", "us-east-1", "111111111111.dkr.ecr.us-east-1.amazonaws.com", "127.0.0.2")])

    with files.private_umask():  # as ecr_sandbox.api does around every config that may hold a secret
        gateway_process.write_config(paths, state, (paths.pki_dir / "s.crt", paths.pki_dir / "s.key"))

    assert _mode(paths.gateway_config) == 0o600


def test_a_pki_folder_left_readable_by_an_older_version_is_narrowed_to_its_owner(tmp_path):
    (tmp_path / "pki").mkdir(mode=0o755)

    certs.ensure_ca(tmp_path / "pki")

    assert _mode(tmp_path / "pki") == 0o700
