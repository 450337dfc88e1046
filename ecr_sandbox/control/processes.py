"""Background processes the sandbox starts: detached, logged, remembered by pid file.

A pid file holds the pid; a process counts as ours only while its command line still contains the
``marker`` we started it with, so a stale pid reused by another program after a crash is never killed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Callable

from ecr_sandbox.control.errors import AddressInUseError, ComponentError
from ecr_sandbox.control.state import Paths


def _cmdline(pid: int, patient: bool = False) -> str:
    """The process's command line ("" when it is gone). Right after exec, /proc/PID/cmdline can read empty for a
    moment (seen under gVisor), so with ``patient`` an empty answer from a live process is asked again, for up to
    0.5 s, before it counts: only for a process we started. Kernel threads and exited processes always read
    empty; a scan of /proc must not wait on each of them."""
    for _ in range(50 if patient else 1):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return ""
        if raw or _is_zombie(pid):
            return raw.replace(b"\0", b" ").decode(errors="replace")
        if patient:
            time.sleep(0.01)
    return ""


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (exists and is not a zombie waiting for its parent)."""
    return not _is_zombie(pid)


def running_pid(paths: Paths, name: str, marker: str) -> int | None:
    """The pid of our process ``name`` if it still runs, else None (a stale pid file is removed)."""
    pid_file = paths.pid_file(name)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    cmd = _cmdline(pid, patient=True)
    if cmd and marker in cmd and _alive(pid):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def start(paths: Paths, name: str, argv: list[str], env: dict[str, str] | None = None) -> int:
    """Start ``argv`` detached from us (own session), output to logs/NAME.log (the previous one becomes
    NAME.log.1), pid to run/NAME.pid."""
    paths.pid_file(name).parent.mkdir(parents=True, exist_ok=True)
    log_path = paths.log_file(name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if log_path.exists():  # keep the previous run's log once, never let logs grow without end
        log_path.replace(log_path.with_name(log_path.name + ".1"))
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **(env or {})},
                close_fds=True,
            )
        except OSError as exc:
            raise ComponentError(f"cannot start {name} ({argv[0]}): {exc}") from exc
    paths.pid_file(name).write_text(f"{proc.pid}\n")
    return proc.pid


def stop(paths: Paths, name: str, marker: str, timeout: float = 10.0) -> bool:
    """Stop our process ``name`` (TERM, then KILL after ``timeout``). True if one was running."""
    return bool(stop_all(paths, [(name, marker)], timeout))


def stop_all(paths: Paths, processes: list[tuple[str, str]], timeout: float = 10.0) -> list[str]:
    """Stop our processes ``(name, marker)`` together: TERM to all, one shared wait of at most ``timeout``, then
    KILL to those still there. Returns the names that were running. (One after the other, a 50-registry sandbox
    took its registries' wait fifty times over.)"""
    running: dict[str, int] = {}
    for name, marker in processes:
        pid = running_pid(paths, name, marker)
        if pid is None:
            paths.pid_file(name).unlink(missing_ok=True)
            continue
        running[name] = pid
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(pid) for pid in running.values()):
        time.sleep(0.05)
    for name, pid in running.items():
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        paths.pid_file(name).unlink(missing_ok=True)
    return list(running)


def orphans(paths: Paths, markers: tuple[str, ...], timeout: float = 10.0) -> list[int]:
    """Stop processes of this sandbox whose pid file is gone (its folder was wiped, or it crashed
    mid-start): their command line names this sandbox's folder and one of ``markers``."""
    names_root = re.compile(re.escape(str(paths.root)) + r"(/|\s|$)")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        cmd = _cmdline(int(entry.name))
        if names_root.search(cmd) and any(m in cmd for m in markers) and _alive(int(entry.name)):
            found.append(int(entry.name))
    for pid in found:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in found) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in found:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return found


def port_answers(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tls_answers(address: str, server_name: str, ca_file: str, timeout: float = 1.0) -> bool:
    """True when ``address``:443 completes a TLS handshake for ``server_name`` trusted by ``ca_file``."""
    try:
        context = ssl.create_default_context(cafile=ca_file)
        with socket.create_connection((address, 443), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=server_name):
                return True
    except (OSError, ssl.SSLError):
        return False


def require_free(host: str, port: int, what: str, grace: float = 2.0) -> None:
    """Fail with one clear line when someone else already listens where we want to. A port held by a process
    that has just died (a crashed component, killed) can stay taken for a moment after /proc shows it exited
    (seen under gVisor), so it is asked again for up to ``grace`` seconds first."""
    deadline = time.monotonic() + grace
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
                return
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise AddressInUseError(
                        f"{host}:{port} (wanted for {what}) is already in use by another program; "
                        f"stop it or run `python -m ecr_sandbox down` if it is a leftover sandbox"
                    ) from exc
        time.sleep(0.05)


def wait_until(check: Callable[[], bool], what: str, timeout: float, log: Path | None = None,
               alive: Callable[[], bool] | None = None) -> None:
    """Poll ``check()`` until true; raise ComponentError naming ``what`` and its log otherwise
    (at once when ``alive()`` says the process has exited)."""
    hint = f"; see {log}" if log else ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if alive is not None and not alive():
            raise ComponentError(f"{what} exited while starting: {_last_line(log)}{hint}")
        time.sleep(0.05)
    raise ComponentError(f"{what} did not become ready within {timeout:.0f} s{hint}")


def _last_line(log: Path | None) -> str:
    """The log's last line that names an error (or its last line): what to show in one line."""
    time.sleep(0.2)  # let the exited process's last output land
    try:
        lines = [line for line in (log.read_text(errors="replace").splitlines() if log else []) if line.strip()]
    except OSError:
        return "no log"
    errors = [line for line in lines if any(w in line.lower() for w in ("error", "fatal", "panic"))]
    return (errors or lines or ["no output"])[-1].strip()[-200:]
