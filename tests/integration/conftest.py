"""Session fixtures shared by the tests that install our wheel (test_consumer_wheel, test_consumer_types,
test_cdk_floor)."""
from __future__ import annotations

from pathlib import Path

import pytest

from .wheel_helpers import build_wheel, new_venv, run


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A brand-new virtualenv with `pip install "<wheel>[app]"`: dependencies from our metadata only."""
    path = new_venv(tmp_path_factory.mktemp("consumer") / "venv")
    result = run([path / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[app]"])
    assert result.returncode == 0, result.stderr
    return path
