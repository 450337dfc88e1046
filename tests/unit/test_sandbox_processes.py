"""The sandbox's background processes are stopped together: TERM to all, one shared wait, KILL to what stays."""
from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from ecr_sandbox.control import processes
from ecr_sandbox.control.errors import AddressInUseError
from ecr_sandbox.control.state import Paths

# a process that ignores TERM, as a registry busy with a kept-alive connection may for a while
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"


def _start(paths: Paths, name: str, code: str) -> int:
    pid = processes.start(paths, name, [sys.executable, "-c", code, f"sandbox-test-{name}"])
    deadline = time.monotonic() + 10
    while b"ready" not in paths.log_file(name).read_bytes() and time.monotonic() < deadline:
        time.sleep(0.02)
    return pid


def test_stop_all_stops_processes_that_ignore_term_and_names_them(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    for name in ("a", "b", "c"):
        _start(paths, name, STUBBORN)

    stopped = processes.stop_all(paths, [(n, f"sandbox-test-{n}") for n in ("a", "b", "c")], timeout=0.3)

    assert stopped == ["a", "b", "c"]
    assert all(processes.running_pid(paths, n, f"sandbox-test-{n}") is None for n in ("a", "b", "c"))
    assert not any(paths.pid_file(n).exists() for n in ("a", "b", "c"))


def test_stop_all_leaves_alone_a_process_whose_command_line_lacks_the_marker(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    pid = _start(paths, "other", STUBBORN)

    assert processes.stop_all(paths, [("other", "not-its-marker")], timeout=0.3) == []
    assert processes.running_pid(paths, "other", "sandbox-test-other") is None  # its pid file was dropped as stale
    assert Path(f"/proc/{pid}").exists()
    os.kill(pid, signal.SIGKILL)


def test_a_port_someone_else_keeps_is_one_line_naming_it_and_what_wanted_it() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(AddressInUseError) as caught:
            processes.require_free("127.0.0.1", port, "the sandbox gateway", grace=0.2)
    assert str(caught.value) == (f"127.0.0.1:{port} (wanted for the sandbox gateway) is already in use by another "
                                 "program; stop it or run `python -m ecr_sandbox down` if it is a leftover sandbox")


def test_a_port_released_within_the_grace_period_counts_as_free() -> None:
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    port = held.getsockname()[1]
    threading.Timer(0.2, held.close).start()

    processes.require_free("127.0.0.1", port, "the sandbox gateway", grace=5.0)  # raises if still taken at the end
