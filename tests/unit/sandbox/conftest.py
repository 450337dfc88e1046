"""Temporary stand-ins for the machine-wide places the sandbox touches (/etc/hosts, /etc/docker/certs.d,
/var/lib/ecr-sandbox, /run/ecr-sandbox), so the unit tests never touch the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_sandbox.control.state import Paths, SystemPaths

USER_HOSTS = "127.0.0.1 localhost\n10.1.2.3 build-cache.internal\n"


@pytest.fixture
def system(tmp_path: Path) -> SystemPaths:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hosts").write_text(USER_HOSTS)
    (tmp_path / "var").mkdir(mode=0o755)  # /var/lib and /run: root's, 0755
    (tmp_path / "run").mkdir(mode=0o755)
    return SystemPaths(hosts_file=tmp_path / "etc" / "hosts", certs_d=tmp_path / "etc" / "docker" / "certs.d",
                       state_dir=tmp_path / "var" / "ecr-sandbox", run_dir=tmp_path / "run" / "ecr-sandbox")


@pytest.fixture
def make_paths(tmp_path: Path, system: SystemPaths):  # type: ignore[no-untyped-def]
    """``make_paths("a")`` -> the Paths of a sandbox folder ``a`` on the stand-in machine."""

    def make(name: str = "project") -> Paths:
        return Paths(tmp_path / name / ".sandbox", system)

    return make
