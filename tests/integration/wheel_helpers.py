"""Our wheel, built once per test session from a clean copy of the source tree, and fresh virtualenvs outside the
checkout that install it (the consumer's view: only what pip installed, no PYTHONPATH, no AWS configuration)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
REGISTRY_APP = Path(__file__).resolve().parent / "registry_app" / "app.py"
NOT_IN_THE_WHEEL = {".git", ".venv", "node_modules", "cdk.out", "build", "dist", ".sandbox", ".pytest_cache",
                    "__pycache__"}


def clean_env() -> dict[str, str]:
    """No PYTHONPATH (the venv must see only what pip installed), no AWS credentials or config."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not k.startswith("AWS_")}
    env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1",
               AWS_CONFIG_FILE="/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials")
    return env


def run(args: list[object], cwd: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def build_wheel(work: Path) -> Path:
    """The wheel, built from a copy of the tree so the build leaves nothing (build/, *.egg-info) in it."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=lambda _d, names: [n for n in names if n in NOT_IN_THE_WHEEL
                                                              or n.endswith(".egg-info")], symlinks=True)
    result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", source, "-w", work / "dist"])
    assert result.returncode == 0, result.stderr
    [built] = (work / "dist").glob("*.whl")
    return built


def new_venv(path: Path) -> Path:
    result = run([sys.executable, "-m", "venv", path])
    assert result.returncode == 0, result.stderr
    return path


def synth_app(venv: Path, app: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`cdk synth` of ``app`` (copied into ``out``, outside the checkout) with the venv's python."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(app, out / "app.py")
    return run([CDK, "synth", "--quiet", "--no-notices", "--app", f"{venv / 'bin' / 'python'} app.py",
                "-o", out / "cdk.out"], cwd=out)


def synthesized_app(venv: Path, app: Path, out: Path) -> Path:
    """``synth_app`` that must succeed; returns the cloud assembly (``out/cdk.out``)."""
    result = synth_app(venv, app, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "cdk.out"
