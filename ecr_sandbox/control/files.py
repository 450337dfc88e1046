"""How the sandbox writes files safely on a shared machine.

- ``write_private``: a key or secret file, created mode 0600 from its first moment (``O_CREAT|O_EXCL``
  with the mode, then an atomic rename over the old one), never written readable and chmod'ed later.
- ``write_new`` / ``replace``: any other file, created with an exact mode (also atomic).
- ``private_umask``: umask 077 around code that writes secrets through ``Path.write_text``.
- ``secure_dir``: a directory outside ``.sandbox`` (dockerd's data and exec roots): created 0700, and
  refused when another user could have prepared or can change it.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecr_sandbox.control.errors import SandboxError

PRIVATE = 0o600


class UnsafeDirectoryError(SandboxError):
    """A directory the sandbox would use outside its own folder is not safely owned."""


def _create(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Create ``path`` (it must not exist) with ``mode`` at most (the umask can only narrow it)."""
    _create(path, data, mode)


def replace(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a new file beside ``path`` created with ``mode``, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _create(tmp, data, mode)
    try:
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes | str) -> None:
    """A key or secret: mode 0600 from creation, readable by its owner only, replaced atomically."""
    replace(path, data.encode() if isinstance(data, str) else data, PRIVATE)


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside are readable by their owner only (umask 077)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _unsafe(path: Path, st: os.stat_result, *, sticky_ok: bool) -> str | None:
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    if st.st_uid not in (0, os.geteuid()):
        return f"{path} is owned by uid {st.st_uid}, not root"
    if st.st_mode & 0o022 and not (sticky_ok and st.st_mode & stat.S_ISVTX):
        return f"{path} is group- or world-writable (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def secure_dir(path: Path, base: Path) -> Path:
    """Create (0700) or check every directory from ``base`` down to ``path``: each must be a real directory
    owned by root (or by us), writable by no one else; ``base``'s parent must exist and be safe too.
    Raises one line that says how to fix it otherwise."""
    path, base = Path(path), Path(base)
    if path != base and base not in path.parents:
        raise ValueError(f"{path} is not under {base}")
    parent = base.parent
    try:
        problem = _unsafe(parent, os.lstat(parent), sticky_ok=True)
    except FileNotFoundError:
        problem = f"{parent} does not exist"
    if problem:
        raise UnsafeDirectoryError(f"{problem}; the sandbox keeps dockerd's files under {base} and needs a "
                                   f"root-owned parent")
    chain = [base, *reversed([p for p in path.parents if base in p.parents]), path] if path != base else [base]
    for folder in dict.fromkeys(chain):
        try:
            os.mkdir(folder, 0o700)
            os.chmod(folder, 0o700)  # narrows only: the umask may have left it 0700 or less
        except FileExistsError:
            pass
        problem = _unsafe(folder, os.lstat(folder), sticky_ok=False)
        if problem:
            raise UnsafeDirectoryError(
                f"{problem}: another user could have prepared it; the sandbox refuses to use it. Remove it "
                f"(`sudo rm -rf {folder}`) or make it root's (`sudo chown root:root {folder} && "
                f"sudo chmod 0700 {folder}`), then run up again"
            )
    return path
