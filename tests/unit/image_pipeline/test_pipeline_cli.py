"""The command line: one error line and exit 1 on PipelineError, the --json document on stdout."""
import json
from pathlib import Path

import pytest

from image_pipeline.cli import main as cli, run
from image_pipeline.commands import login as logins, publish as publishing
from image_pipeline.core.errors import SettingsError
from image_pipeline.commands.results import DestinationResult, PublishResult


def result(status: str, digest: str | None, error: str | None = None) -> PublishResult:
    return PublishResult("team/app", "sha256:i", (
        DestinationResult("dev", "111111111111", "us-east-1", "111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app",
                          ("v1",), digest, status, error, 1.23456),))


def test_json_prints_exactly_one_document_with_the_contract_keys(monkeypatch, capsys):
    monkeypatch.setattr(run, "_create", lambda settings: None)
    monkeypatch.setattr(publishing, "publish", lambda settings, rt: result("pushed", "sha256:d"))

    code = cli.main(["publish", "team/app", "--context", ".", "--json"])

    out = capsys.readouterr().out
    document = json.loads(out)
    assert code == 0
    (row,) = document["destinations"]
    assert {"repository_uri", "tags", "digest", "status", "error", "seconds"} <= set(row)
    assert (row["status"], row["digest"], row["error"], row["seconds"]) == ("pushed", "sha256:d", None, 1.235)


def test_a_failed_destination_exits_1_with_one_error_line_and_still_one_json_document(monkeypatch, capsys):
    monkeypatch.setattr(run, "_create", lambda settings: None)
    monkeypatch.setattr(publishing, "publish", lambda settings, rt: result("failed", None, "push refused"))

    code = cli.main(["publish", "team/app", "--context", ".", "--json"])

    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["destinations"][0]["status"] == "failed"
    assert captured.err.strip() == "error: push refused"


def test_a_pipeline_error_prints_one_line_without_a_traceback(monkeypatch, capsys):
    def boom(settings):
        raise SettingsError("the registry spec is invalid: environments: missing")
    monkeypatch.setattr(run, "_create", boom)

    code = cli.main(["publish", "team/app", "--context", "."])

    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err == "error: the registry spec is invalid: environments: missing\n"


def test_a_bad_build_arg_is_refused(capsys):
    assert cli.main(["publish", "team/app", "--context", ".", "--build-arg", "NOVALUE"]) == 1
    assert "--build-arg 'NOVALUE' must be KEY=VALUE" in capsys.readouterr().err


def test_settings_carry_every_publish_flag_and_the_profile_template(monkeypatch):
    seen = {}
    monkeypatch.setenv("IMAGE_PIPELINE_PROFILE_TEMPLATE", "sandbox-{account}")
    monkeypatch.setattr(run, "_create", lambda settings: None)
    monkeypatch.setattr(publishing, "publish", lambda settings, rt: seen.setdefault("s", settings) and
                        result("pushed", "sha256:d"))

    cli.main(["--spec", "s.json", "publish", "team/app", "--context", "ctx", "--dockerfile", "D", "--target", "T",
              "--build-arg", "A=1", "--build-arg", "B=x=y", "--env", "dev", "--env", "prod", "--tag", "v1",
              "--dry-run"])

    s = seen["s"]
    assert (str(s.build.context), s.build.dockerfile, s.build.target) == ("ctx", "D", "T")
    assert s.build.build_args == (("A", "1"), ("B", "x=y"))
    assert (s.environments, s.tags, s.dry_run) == (("dev", "prod"), ("v1",), True)
    assert str(s.spec.override) == "s.json"
    assert s.credentials.profile_template == "sandbox-{account}"


@pytest.mark.parametrize("argv", [["publish", "team/app"], ["nope"], []])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2


def test_the_module_runs_as_python_dash_m():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "image_pipeline", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "publish" in done.stdout and "lifecycle-preview" in done.stdout


def dry_run_process(tmp_path, stdout) -> "subprocess.Popen[bytes]":
    """``image-pipeline publish --dry-run --json`` of cdk.json's first repository, as its own process."""
    import subprocess
    import sys
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    root = Path(__file__).resolve().parents[3]
    return subprocess.Popen([sys.executable, "-m", "image_pipeline", "publish", "docker-in-aws/todobackend",
                             "--context", str(tmp_path), "--dry-run", "--json"], cwd=root, stdout=stdout,
                            stderr=subprocess.PIPE)


def test_the_whole_json_document_reaches_a_pipe_before_the_process_exits(tmp_path):
    import subprocess
    process = dry_run_process(tmp_path, subprocess.PIPE)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    rows = json.loads(out)["destinations"]
    assert [(r["environment"], r["region"], r["status"]) for r in rows] == [
        ("dev", "us-east-1", "planned"), ("prod", "us-east-1", "planned"), ("prod", "eu-west-1", "planned")]


def test_output_nobody_reads_makes_a_successful_command_exit_1_with_one_error_line(tmp_path):
    import os
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before anything is written: the write fails (EPIPE)
    try:
        process = dry_run_process(tmp_path, writer)
    finally:
        os.close(writer)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 1
    assert err.decode().strip() == "error: cannot write the output: Broken pipe"


def capture_settings(monkeypatch) -> dict:
    seen: dict = {}
    monkeypatch.setattr(run, "_create", lambda settings: None)
    monkeypatch.setattr(publishing, "publish", lambda settings, rt: seen.setdefault("s", settings) and
                        result("pushed", "sha256:d"))
    return seen


def test_publish_limits_and_partial_come_from_flags(monkeypatch):
    seen = capture_settings(monkeypatch)

    cli.main(["publish", "team/app", "--context", ".", "--timeout", "90", "--deadline", "300", "--attempts", "2",
              "--allow-partial"])

    s = seen["s"]
    assert (s.timeout, s.deadline, s.retry.attempts, s.allow_partial) == (90.0, 300.0, 2, True)


def test_publish_limits_fall_back_to_environment_variables_and_flags_win(monkeypatch):
    seen = capture_settings(monkeypatch)
    monkeypatch.setenv("IMAGE_PIPELINE_TIMEOUT", "45")
    monkeypatch.setenv("IMAGE_PIPELINE_DEADLINE", "120")
    monkeypatch.setenv("IMAGE_PIPELINE_ATTEMPTS", "6")

    cli.main(["publish", "team/app", "--context", ".", "--deadline", "60"])

    s = seen["s"]
    assert (s.timeout, s.deadline, s.retry.attempts, s.allow_partial) == (45.0, 60.0, 6, False)


def test_defaults_are_a_ten_minute_timeout_no_overall_deadline_and_no_partial_publishing(monkeypatch):
    for name in ("IMAGE_PIPELINE_TIMEOUT", "IMAGE_PIPELINE_DEADLINE", "IMAGE_PIPELINE_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    seen = capture_settings(monkeypatch)

    cli.main(["publish", "team/app", "--context", "."])

    assert (seen["s"].timeout, seen["s"].deadline, seen["s"].allow_partial) == (600.0, None, False)


@pytest.mark.parametrize("argv, message", [
    (["--timeout", "soon"], "error: --timeout: 'soon' is not a number"),
    (["--deadline", "-5"], "error: --deadline: '-5' must be greater than 0"),
    (["--attempts", "1.5"], "error: --attempts: '1.5' is not a whole number")])
def test_bad_limits_are_one_line_naming_the_option(monkeypatch, capsys, argv, message):
    capture_settings(monkeypatch)

    assert cli.main(["publish", "team/app", "--context", ".", *argv]) == 1
    assert capsys.readouterr().err.strip() == message


def test_a_bad_environment_variable_is_named_in_the_error(monkeypatch, capsys):
    capture_settings(monkeypatch)
    monkeypatch.setenv("IMAGE_PIPELINE_TIMEOUT", "ten")

    assert cli.main(["publish", "team/app", "--context", "."]) == 1
    assert capsys.readouterr().err.strip() == "error: $IMAGE_PIPELINE_TIMEOUT: 'ten' is not a number"


def test_help_shows_every_environment_variable_fallback(capsys):
    with pytest.raises(SystemExit):
        cli.main(["publish", "--help"])

    shown = capsys.readouterr().out
    for name in ("ECR_SPEC", "IMAGE_PIPELINE_PROFILE_TEMPLATE", "IMAGE_PIPELINE_TIMEOUT", "IMAGE_PIPELINE_DEADLINE",
                 "IMAGE_PIPELINE_ATTEMPTS", "DOCKER_CONFIG"):
        assert name in shown
    assert "--allow-partial" in shown and "130 interrupted" in shown


def test_login_settings_take_the_docker_config_from_the_environment(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setattr(run, "_create", lambda settings: None)
    monkeypatch.setattr(logins, "login", lambda settings, rt: seen.setdefault("s", settings) and [])

    cli.main(["login", "--env", "dev"])

    assert seen["s"].docker_config == tmp_path and seen["s"].environments == ("dev",)


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    def interrupted(settings, rt):
        raise KeyboardInterrupt
    capture_settings(monkeypatch)
    monkeypatch.setattr(publishing, "publish", interrupted)

    assert cli.main(["publish", "team/app", "--context", "."]) == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_an_unexpected_exception_is_one_error_line_not_a_traceback(monkeypatch, capsys):
    def buggy(settings, rt):
        raise RecursionError("maximum recursion depth exceeded")
    capture_settings(monkeypatch)
    monkeypatch.setattr(publishing, "publish", buggy)

    assert cli.main(["publish", "team/app", "--context", "."]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RecursionError: maximum recursion depth exceeded") and "Traceback" not in err
