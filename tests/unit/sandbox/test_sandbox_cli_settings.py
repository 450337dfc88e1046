"""``python -m ecr_sandbox``: settings built by keyword from the parsed arguments, environment fallbacks shown in
``--help``, Ctrl-C exits 130, the machine-wide host names announced loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_sandbox.control import sandbox
from ecr_sandbox.api import RegistryInfo, SandboxError, SandboxInfo
from ecr_sandbox.control import cli


def test_up_settings_come_from_the_arguments(tmp_path):
    args = cli.parser().parse_args(["up", "--sandbox-dir", str(tmp_path), "--spec", "s.json",
                                    "--cdk-json", "app/cdk.json", "--moto-port", "15000", "--gateway-port", "15001"])

    settings = cli.UpSettings.from_args(args)

    assert settings == cli.UpSettings(sandbox=cli.Settings(tmp_path), spec="s.json", cdk_json=Path("app/cdk.json"),
                                      moto_port=15000, gateway_port=15001)


def test_environment_variables_are_the_fallbacks(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_DIR", str(tmp_path))
    monkeypatch.setenv("ECR_SPEC", "from-env.json")
    monkeypatch.setenv("SANDBOX_MOTO_PORT", "15100")

    settings = cli.UpSettings.from_args(cli.parser().parse_args(["up"]))

    assert (settings.sandbox.sandbox_dir, settings.spec, settings.moto_port) == (tmp_path, "from-env.json", 15100)


@pytest.mark.parametrize("name", ["SANDBOX_DIR", "ECR_SPEC", "SANDBOX_MOTO_PORT", "SANDBOX_GATEWAY_PORT"])
def test_up_help_names_each_environment_fallback(capsys, name):
    with pytest.raises(SystemExit):
        cli.main(["up", "--help"])

    assert f"env {name}" in " ".join(capsys.readouterr().out.split())


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys, tmp_path):
    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(sandbox, "down", interrupted)

    assert cli.main(["down", "--sandbox-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "sandbox: interrupted\n"


def test_several_problems_are_one_error_line_each(monkeypatch, capsys, tmp_path):
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SandboxError("first problem\nsecond problem")

    monkeypatch.setattr(sandbox, "down", refuse)

    assert cli.main(["down", "--sandbox-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "sandbox: error: first problem\nsandbox: error: second problem\n"


def test_up_announces_that_the_spec_hosts_resolve_to_the_sandbox_machine_wide():
    hosts = ("111111111111.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.eu-west-1.amazonaws.com")
    info = SandboxInfo(endpoint_url="http://localhost:14566", env={}, unset=(), accounts=(),
                       registries=tuple(RegistryInfo("1", "r", h, "127.0.0.2") for h in hosts), targets=(),
                       base_image="b", default_region="us-east-1", sandbox_dir=Path("/x"))

    line = cli.machine_wide_notice(info)

    assert line.startswith("sandbox: WARNING: while the sandbox runs, these ECR host names resolve to it for EVERY "
                           "process on this machine")
    assert line.endswith(": " + ", ".join(hosts))
