"""dockerd's data root, exec root and pid file live in root-owned 0700 folders outside /tmp, checked first."""

from __future__ import annotations

import os
import stat

import pytest

from ecr_sandbox.control import dockerd
from ecr_sandbox.control.files import UnsafeDirectoryError
from ecr_sandbox.control.state import SystemPaths


def test_dockerds_data_and_exec_roots_and_pid_file_are_outside_tmp_by_default():
    argv = dockerd.argv(SystemPaths())

    def value(flag: str) -> str:
        return argv[argv.index(flag) + 1]

    assert value("--data-root") == "/var/lib/ecr-sandbox/dockerd"
    assert value("--exec-root") == "/run/ecr-sandbox/dockerd"
    assert value("--pidfile") == "/run/ecr-sandbox/dockerd.pid"


def test_the_folders_are_created_readable_by_their_owner_only(system):
    dockerd.prepare_dirs(system)

    for folder in (system.state_dir, system.dockerd_data_root, system.run_dir, system.dockerd_exec_root):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_a_world_writable_data_folder_made_by_someone_else_is_refused_with_one_line(system):
    system.state_dir.mkdir()
    system.dockerd_data_root.mkdir()
    os.chmod(system.dockerd_data_root, 0o777)

    with pytest.raises(UnsafeDirectoryError) as caught:
        dockerd.prepare_dirs(system)

    folder = system.dockerd_data_root
    assert str(caught.value) == (
        f"{folder} is group- or world-writable (mode 0777): another user could have prepared it; the sandbox "
        f"refuses to use it. Remove it (`sudo rm -rf {folder}`) or make it root's (`sudo chown root:root "
        f"{folder} && sudo chmod 0700 {folder}`), then run up again"
    )


def test_a_data_folder_owned_by_another_user_is_refused(system):
    system.state_dir.mkdir(mode=0o700)
    os.chown(system.state_dir, 4242, 4242)

    with pytest.raises(UnsafeDirectoryError, match=f"^{system.state_dir} is owned by uid 4242, not root"):
        dockerd.prepare_dirs(system)


def test_a_symbolic_link_in_place_of_the_data_folder_is_refused(system, tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    system.state_dir.symlink_to(tmp_path / "elsewhere")

    with pytest.raises(UnsafeDirectoryError, match=f"^{system.state_dir} is a symbolic link"):
        dockerd.prepare_dirs(system)


def test_a_parent_folder_anyone_can_write_to_without_the_sticky_bit_is_refused(system):
    os.chmod(system.state_dir.parent, 0o777)

    with pytest.raises(UnsafeDirectoryError, match=f"^{system.state_dir.parent} is group- or world-writable"):
        dockerd.prepare_dirs(system)
