"""image-pipeline login/logout, compose-publish and lifecycle-preview end to end against the sandbox."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from image_pipeline.commands.login import KNOWN_HELPERS
from .test_pipeline_publish import REPO, ROOT, make_context, publish_json, run_cli, unique_tag

# A real credential helper program (the docker-credential-* protocol), keeping its store in a file.
HELPER = """#!{python}
import json, pathlib, sys
store = pathlib.Path({store!r})
data = json.loads(store.read_text()) if store.exists() else {{}}
action, payload = sys.argv[1], sys.stdin.read().strip()
if action == "store":
    item = json.loads(payload); data[item["ServerURL"]] = item
elif action == "get":
    if payload not in data:
        print("credentials not found in native keychain"); sys.exit(1)
    print(json.dumps(data[payload])); sys.exit(0)
elif action == "erase":
    data.pop(payload, None)
elif action == "list":
    print(json.dumps({{k: v["Username"] for k, v in data.items()}})); sys.exit(0)
store.write_text(json.dumps(data))
"""


@pytest.fixture
def credential_helper(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-pass"
    helper.write_text(HELPER.format(python=sys.executable, store=str(tmp_path / "store.json")))
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "DOCKER_CONFIG": str(tmp_path / "docker")}


def test_login_lets_the_docker_cli_pull_through_a_credential_helper_and_logout_removes_it(
        deployed_sandbox, tmp_path, credential_helper, docker_client):
    tag = unique_tag()
    done, document = publish_json(make_context(tmp_path, deployed_sandbox.base_image), tag, extra=("--env", "dev"))
    assert done.returncode == 0, done.stderr
    uri = document["destinations"][0]["repository_uri"]
    host = uri.split("/", 1)[0]

    logged_in = run_cli("login", "--env", "dev", env=credential_helper)

    assert logged_in.returncode == 0, logged_in.stderr
    assert f"logged in to {host} (dev): credential helper docker-credential-pass" in logged_in.stdout
    config = json.loads((Path(credential_helper["DOCKER_CONFIG"]) / "config.json").read_text())
    assert config["credHelpers"][host] == "pass" and "auths" not in config or host not in config.get("auths", {})
    docker_client.api.remove_image(f"{uri}:{tag}", force=True)
    pulled = subprocess.run(["docker", "pull", f"{uri}:{tag}"], capture_output=True, text=True,
                            env={**os.environ, **credential_helper}, check=False)
    assert pulled.returncode == 0, pulled.stderr

    logged_out = run_cli("logout", "--env", "dev", env=credential_helper)

    assert logged_out.returncode == 0, logged_out.stderr
    assert json.loads((tmp_path / "store.json").read_text()) == {}


def test_login_without_a_credential_helper_refuses_to_write_plaintext_unless_asked(deployed_sandbox, tmp_path):
    env = {"DOCKER_CONFIG": str(tmp_path / "docker"), "PATH": "/usr/bin:/bin"}
    if any(shutil.which(f"docker-credential-{name}", path=env["PATH"]) for name in KNOWN_HELPERS):
        pytest.skip("a docker credential helper is installed in /usr/bin or /bin")

    refused = run_cli("login", "--env", "dev", env=env)
    allowed = run_cli("login", "--env", "dev", "--plaintext", env=env)

    assert refused.returncode == 1 and refused.stderr.startswith("error: no docker credential helper found")
    assert allowed.returncode == 0 and "plaintext file" in allowed.stdout
    assert "111111111111.dkr.ecr.us-east-1.amazonaws.com" in json.loads(
        (tmp_path / "docker" / "config.json").read_text())["auths"]


def test_compose_publish_builds_and_publishes_the_example_services(deployed_sandbox):
    tag = unique_tag()

    done = run_cli("compose-publish", "-f", str(ROOT / "examples" / "docker-compose.yml"), "--tag", tag, "--json",
                   env={"SANDBOX_BASE_IMAGE": deployed_sandbox.base_image})

    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["destinations"]
    assert len(rows) == 3 and {r["status"] for r in rows} <= {"pushed", "unchanged"}
    assert all(r["repository_uri"].endswith("/" + REPO) and r["tags"] == [tag] for r in rows)


def test_lifecycle_preview_shows_every_destination_as_ecrs_preview_api_evaluates_it(deployed_sandbox, tmp_path):
    """The sandbox serves StartLifecyclePolicyPreview / GetLifecyclePolicyPreview, so the API path answers."""
    done, document = publish_json(make_context(tmp_path, deployed_sandbox.base_image), unique_tag())
    assert done.returncode == 0, done.stderr

    preview = run_cli("lifecycle-preview", REPO)

    assert preview.returncode == 0, preview.stderr
    for row in document["destinations"]:
        assert row["repository_uri"] in preview.stdout
        assert row["digest"][7:19] in preview.stdout
    assert "Evaluated by ECR's lifecycle preview API." in preview.stdout and "DIGEST" in preview.stdout
    assert "local evaluator" not in preview.stdout
