"""The sandbox hands its environment to Python callers as data (``ecr_sandbox.api.process_env``), the same
mapping ``.sandbox/env`` gives a shell: a child process still finds the system's tools (node, docker)."""

from pathlib import Path

from ecr_sandbox.api import SandboxInfo, process_env

ROOT = Path("/repo")
INFO = SandboxInfo(
    endpoint_url="http://localhost:14566",
    env={"AWS_ENDPOINT_URL": "http://localhost:14566", "AWS_CONFIG_FILE": "/repo/.sandbox/aws/config"},
    unset=("AWS_PROFILE", "AWS_ACCESS_KEY_ID"),
    accounts=("111111111111",), registries=(), targets=(("111111111111", "us-east-1"),),
    base_image="sandbox/busybox:1", default_region="us-east-1", sandbox_dir=ROOT / ".sandbox",
)


def test_the_child_path_puts_the_project_tools_first_and_keeps_the_system_directories():
    env = process_env(INFO, ROOT, base={"PATH": "/usr/local/bin:/usr/bin:/bin"})

    assert env["PATH"].split(":") == ["/repo/.venv/bin", "/repo/node_modules/.bin", "/usr/local/bin", "/usr/bin",
                                      "/bin"]


def test_the_child_environment_has_no_literal_shell_variable():
    env = process_env(INFO, ROOT, base={"PATH": "/usr/bin"})

    assert not any("$" in value for value in env.values())


def test_variables_that_would_override_the_sandbox_profiles_are_removed():
    env = process_env(INFO, ROOT, base={"PATH": "/usr/bin", "AWS_PROFILE": "prod", "HOME": "/root"})

    assert "AWS_PROFILE" not in env
    assert env["HOME"] == "/root"
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:14566"


def test_running_it_twice_does_not_grow_the_path():
    once = process_env(INFO, ROOT, base={"PATH": "/usr/bin"})

    assert process_env(INFO, ROOT, base=once)["PATH"] == once["PATH"]
