"""Type checkers see our types from the installed wheel (PEP 561 ``py.typed``), lazily exported names included:
mypy and pyright find nothing wrong in tests/integration/registry_app/app.py and report a wrong call.

Both run outside the checkout against the wheel's virtualenv (mypy ``--python-executable``, pyright
``--pythonpath``), so the checkout's own sources cannot stand in for what pip installed.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .wheel_helpers import REGISTRY_APP, ROOT, run

MYPY = ROOT / ".venv" / "bin" / "mypy"
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
WRONG_CALL = '''import aws_cdk as cdk
from ecr_constructs import EcrRepository, PublisherProject

stack = cdk.Stack(cdk.App(), "Wrong")
EcrRepository(stack, "Images", repository_name=5)
project: type[PublisherProject] = PublisherProject
'''


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("typed-consumer")
    shutil.copy(REGISTRY_APP, folder / "app.py")
    (folder / "wrong_call.py").write_text(WRONG_CALL)
    return folder


def test_mypy_finds_no_problem_in_the_consumer_app_and_reports_the_wrong_call(checked: Path, venv: Path) -> None:
    result = run([MYPY, "--python-executable", venv / "bin" / "python", "--cache-dir", checked / ".mypy_cache",
                  "--no-error-summary", "app.py", "wrong_call.py"], cwd=checked)
    assert result.stdout.splitlines() == [
        'wrong_call.py:5: error: Argument "repository_name" to "EcrRepository" has incompatible type "int"; '
        'expected "str"  [arg-type]'], result.stdout + result.stderr


def test_pyright_finds_no_problem_in_the_consumer_app(checked: Path, venv: Path) -> None:
    result = run([PYRIGHT, "--pythonpath", venv / "bin" / "python", "app.py"], cwd=checked)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout + result.stderr


def test_pyright_sees_the_lazily_exported_publisher_project_and_reports_the_wrong_call(
        checked: Path, venv: Path) -> None:
    result = run([PYRIGHT, "--pythonpath", venv / "bin" / "python", "wrong_call.py"], cwd=checked)
    errors = [line.strip() for line in result.stdout.splitlines() if " - error: " in line]
    assert len(errors) == 1 and 'parameter "repository_name" of type "str"' in errors[0], result.stdout
