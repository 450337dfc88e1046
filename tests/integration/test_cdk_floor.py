"""The lowest aws-cdk-lib the library works with (``ecr_constructs.core.cdk_versions.LOWEST``, pyproject.toml's
floor): the wheel installs beside exactly that release without replacing it, and the example consumer app
synthesizes there; a feature that needs a newer release stops the synth with one line naming the version.

The virtualenv with aws-cdk-lib at the floor is kept under the temp directory, keyed by the version (installing
aws-cdk-lib takes about a minute); each run installs the freshly built wheel into it again.
"""
from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import pytest

from ecr_constructs.core.cdk_versions import LOWEST, SIGNING

from .wheel_helpers import REGISTRY_APP, ROOT, new_venv, run, synth_app, synthesized_app

FLOOR_VENV = Path(tempfile.gettempdir()) / f"ecr-cdk-floor-{LOWEST}"


@pytest.fixture(scope="module")
def floor_venv(wheel: Path) -> Path:
    python = FLOOR_VENV / "bin" / "python"
    if not (FLOOR_VENV / ".ready").exists():
        new_venv(FLOOR_VENV)
        result = run([python, "-m", "pip", "install", "-q", f"aws-cdk-lib=={LOWEST}", wheel])
        assert result.returncode == 0, result.stderr
        (FLOOR_VENV / ".ready").touch()
    result = run([python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", wheel])
    assert result.returncode == 0, result.stderr
    return FLOOR_VENV


def test_pyprojects_range_starts_at_the_tested_floor() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"aws-cdk-lib>={LOWEST},<3" in dependencies


def test_the_wheel_installs_beside_the_floor_release_without_replacing_it(floor_venv: Path) -> None:
    result = run([floor_venv / "bin" / "python", "-m", "pip", "check"])
    assert result.returncode == 0, result.stdout
    result = run([floor_venv / "bin" / "python", "-c", "import importlib.metadata as m; print(m.version('aws-cdk-lib'))"])
    assert result.stdout.strip() == LOWEST


def test_the_example_consumer_app_synthesizes_on_the_floor_release(floor_venv: Path, tmp_path: Path) -> None:
    assembly = synthesized_app(floor_venv, REGISTRY_APP, tmp_path)
    assert sorted(p.name for p in assembly.glob("*.template.json")) == [
        "Service.template.json", "ecr-dev-us-east-1.template.json", "ecr-prod-eu-west-1.template.json",
        "ecr-prod-us-east-1.template.json"]


def test_managed_signing_on_the_floor_release_is_one_error_line_naming_the_version(
        floor_venv: Path, tmp_path: Path) -> None:
    app = tmp_path / "signing_app.py"
    app.write_text(REGISTRY_APP.read_text().replace(
        '"publisher": {', '"registry": {"signing": [{"signing_profile_arn": '
        '"arn:aws:signer:us-east-1:111111111111:/signing-profiles/release_images"}]},\n    "publisher": {'))
    result = synth_app(floor_venv, app, tmp_path / "out")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: ecr-dev-us-east-1/Signing: managed signing (RegistrySigning, the spec's registry.signing) "
                      f"needs aws-cdk-lib >= {SIGNING}; this app has {LOWEST}: upgrade aws-cdk-lib, or leave the "
                      "feature out"]
