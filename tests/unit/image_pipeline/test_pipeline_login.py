"""login/logout write to a docker credential helper (over stdin) or, when asked, to config.json."""
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from image_pipeline.core.errors import CredentialStoreError
from image_pipeline.commands.login import login, logout
from image_pipeline.commands.settings import LoginSettings
from .fake_engine import FakeDockerAPI
from .pipeline_fakes import FakeECR, runtime

HELPER = """#!{python}
import json, sys, pathlib
store = pathlib.Path({store!r})
data = json.loads(store.read_text()) if store.exists() else {{}}
action, payload = sys.argv[1], sys.stdin.read()
with open({argv_log!r}, "a") as log:
    log.write(" ".join(sys.argv) + "\\n")
if action == "store":
    item = json.loads(payload); data[item["ServerURL"]] = item
elif action == "erase":
    if payload.strip() not in data:
        print("credentials not found in native keychain"); sys.exit(1)
    del data[payload.strip()]
store.write_text(json.dumps(data))
"""


@pytest.fixture
def helper(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "docker-credential-pass"
    script.write_text(HELPER.format(python=sys.executable, store=str(tmp_path / "store.json"),
                                    argv_log=str(tmp_path / "argv.log")))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return tmp_path


def rt():
    ecrs = {(a, r): FakeECR(a, r) for a, r in (("111111111111", "us-east-1"), ("222222222222", "us-east-1"),
                                               ("222222222222", "eu-west-1"))}
    for (account, _), ecr in ecrs.items():
        ecr.default_password = f"{account}-auth-token"
    return runtime(ecrs, FakeDockerAPI())


def test_login_stores_each_registry_in_the_credential_helper_over_stdin(helper):
    config = helper / "docker"

    results = login(LoginSettings(docker_config=config), rt())

    stored = json.loads((helper / "store.json").read_text())
    assert sorted(stored) == ["111111111111.dkr.ecr.us-east-1.amazonaws.com",
                              "222222222222.dkr.ecr.eu-west-1.amazonaws.com",
                              "222222222222.dkr.ecr.us-east-1.amazonaws.com"]
    assert stored["111111111111.dkr.ecr.us-east-1.amazonaws.com"]["Secret"] == "111111111111-auth-token"
    assert {r.store for r in results} == {"credential helper docker-credential-pass"}
    written = json.loads((config / "config.json").read_text())
    assert written["credHelpers"]["111111111111.dkr.ecr.us-east-1.amazonaws.com"] == "pass"
    assert "auth-token" not in (config / "config.json").read_text()
    assert "auth-token" not in (helper / "argv.log").read_text()  # never in process arguments


def test_logout_erases_what_login_stored(helper):
    config = helper / "docker"
    login(LoginSettings(environments=("dev",), docker_config=config), rt())

    logout(LoginSettings(environments=("dev",), docker_config=config), rt())

    assert json.loads((helper / "store.json").read_text()) == {}
    assert json.loads((config / "config.json").read_text()).get("credHelpers") == {}


def test_without_a_helper_login_refuses_plaintext_unless_asked(tmp_path):
    with pytest.raises(CredentialStoreError, match="no docker credential helper found.*--plaintext"):
        login(LoginSettings(docker_config=tmp_path), rt(), which=lambda name: None)
    assert not (tmp_path / "config.json").exists()


def test_plaintext_login_writes_auths_readable_by_the_owner_only(tmp_path):
    results = login(LoginSettings(environments=("dev",), docker_config=tmp_path, plaintext=True), rt(),
                    which=lambda name: None)

    written = json.loads((tmp_path / "config.json").read_text())
    assert list(written["auths"]) == ["111111111111.dkr.ecr.us-east-1.amazonaws.com"]
    assert stat.S_IMODE((tmp_path / "config.json").stat().st_mode) == 0o600
    assert "plaintext" in results[0].store


def test_a_configured_credential_store_that_is_missing_is_a_clear_error(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "desktop"}))

    with pytest.raises(CredentialStoreError, match="docker-credential-desktop is not on PATH"):
        login(LoginSettings(docker_config=tmp_path), rt(), which=lambda name: None)


def test_login_keeps_the_rest_of_the_docker_config(helper):
    config = helper / "docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"proxies": {"default": {}}, "auths": {"other.io": {}}}))

    login(LoginSettings(environments=("dev",), docker_config=config), rt())

    written = json.loads((config / "config.json").read_text())
    assert written["proxies"] == {"default": {}} and "other.io" in written["auths"]
