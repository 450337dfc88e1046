"""The Docker engine and the offline base image.

The sandbox uses the engine that answers on /var/run/docker.sock; when none does it starts Debian's
``dockerd`` without a bridge network (no container ever gets a private-range address) and records that
it did, so ``down`` stops only an engine the sandbox started. Its data root (``/var/lib/ecr-sandbox/dockerd``)
and exec root and pid file (``/run/ecr-sandbox/``) are root-owned 0700 folders outside /tmp, checked
before use: a folder another user could have prepared is refused, never used.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile

import docker
from docker.errors import DockerException, ImageNotFound

from ecr_sandbox.control import files, processes
from ecr_sandbox.control.errors import ComponentError
from ecr_sandbox.control.state import BASE_IMAGE, Paths, SystemPaths

SOCKET = "/var/run/docker.sock"
DOCKER_HOST = f"unix://{SOCKET}"
NAME = "dockerd"


def client(timeout: int = 300) -> docker.DockerClient:
    return docker.DockerClient(base_url=DOCKER_HOST, timeout=timeout)


def answers() -> bool:
    try:
        with docker.APIClient(base_url=DOCKER_HOST, timeout=3) as api:
            api.ping()
        return True
    except (DockerException, OSError):
        return False


def argv(system: SystemPaths) -> list[str]:
    return [
        "dockerd", "--host", DOCKER_HOST, "--bridge=none", "--iptables=false", "--ip-masq=false",
        "--data-root", str(system.dockerd_data_root), "--exec-root", str(system.dockerd_exec_root),
        "--pidfile", str(system.dockerd_pid_file),
    ]


def prepare_dirs(system: SystemPaths) -> None:
    """Create (0700, root's) or check dockerd's folders; one clear line if another user could own them."""
    files.secure_dir(system.dockerd_data_root, base=system.state_dir)
    files.secure_dir(system.dockerd_exec_root, base=system.run_dir)


def running(paths: Paths) -> int | None:
    return processes.running_pid(paths, NAME, "--bridge=none")


def ensure_engine(paths: Paths) -> bool:
    """Make sure an engine answers; return True when the sandbox started it now."""
    if answers():
        return False
    if running(paths) is None:
        prepare_dirs(paths.system)
        processes.start(paths, NAME, argv(paths.system))
    processes.wait_until(answers, "dockerd", 60, paths.log_file(NAME), alive=lambda: running(paths) is not None)
    return True


def stop(paths: Paths) -> bool:
    return processes.stop(paths, NAME, "--bridge=none", timeout=20)


def _busybox_rootfs() -> bytes:
    """A tar of a tiny root file system: static busybox plus a link per applet."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for folder in ("bin", "etc", "tmp", "root", "usr", "usr/bin", "var"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(busybox, arcname="bin/busybox")
        for applet in applets:
            if applet == "busybox":
                continue
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(info)
        for name, text in (("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"), ("etc/group", "root:x:0:\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def ensure_base_image(name: str = BASE_IMAGE) -> str:
    """Import the busybox base image once (no network needed); return its name."""
    engine = client()
    try:
        engine.images.get(name)
        return name
    except ImageNotFound:
        pass
    repository, _, tag = name.rpartition(":")
    try:
        engine.api.import_image_from_data(
            _busybox_rootfs(), repository=repository, tag=tag,
            changes=["ENV PATH=/bin:/usr/bin", 'CMD ["/bin/sh"]'],
        )
        engine.images.get(name)
    except (DockerException, subprocess.CalledProcessError, OSError) as exc:
        raise ComponentError(f"cannot make the base image {name}: {exc}") from exc
    return name
