"""Where the sandbox keeps its files, and the record of what it started (``.sandbox/state.json``).

Layout under the sandbox directory (default ``./.sandbox``, or ``$SANDBOX_DIR``)::

    env                     shell export lines (``. .sandbox/env``)
    state.json              what runs: ports, addresses, pids (no secrets)
    aws/config, aws/credentials
    pki/                    the sandbox CA, per-host certificates, the token signer
    registries/HOST/        config.yml and storage of one registry
    gateway.json            what the token server and push bridge need to know
    run/*.pid  logs/*.log   one per process the sandbox started

Outside that folder (``SystemPaths``): its lines in /etc/hosts, ``/etc/docker/certs.d/HOST/ca.crt`` (both
recorded in state.json as they are made, so ``down`` removes exactly those), and, when the sandbox starts
dockerd, its data root under ``/var/lib/ecr-sandbox`` and exec root and pid file under ``/run/ecr-sandbox``
(root-owned, 0700, checked before use).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_MOTO_PORT = 14566
DEFAULT_GATEWAY_PORT = 14567
FIRST_REGISTRY_OCTET = 2  # registries listen on 127.0.0.2, 127.0.0.3, ...
HOSTS_TAG = "# ecr-sandbox"
BASE_IMAGE = "sandbox/busybox:1"


@dataclass(frozen=True)
class SystemPaths:
    """The machine-wide places the sandbox touches; tests put temporary ones in their place."""

    hosts_file: Path = Path("/etc/hosts")
    certs_d: Path = Path("/etc/docker/certs.d")
    state_dir: Path = Path("/var/lib/ecr-sandbox")  # dockerd's data root lives under it
    run_dir: Path = Path("/run/ecr-sandbox")  # dockerd's exec root and pid file

    @classmethod
    def default(cls) -> "SystemPaths":
        env = os.environ
        return cls(
            hosts_file=Path(env.get("SANDBOX_HOSTS_FILE") or cls.hosts_file),
            certs_d=Path(env.get("SANDBOX_DOCKER_CERTS_D") or cls.certs_d),
            state_dir=Path(env.get("SANDBOX_STATE_DIR") or cls.state_dir),
            run_dir=Path(env.get("SANDBOX_RUN_DIR") or cls.run_dir),
        )

    @property
    def dockerd_data_root(self) -> Path:
        return self.state_dir / "dockerd"

    @property
    def dockerd_exec_root(self) -> Path:
        return self.run_dir / "dockerd"

    @property
    def dockerd_pid_file(self) -> Path:
        return self.run_dir / "dockerd.pid"


@dataclass(frozen=True)
class Paths:
    """Every file the sandbox writes, derived from one root directory (and the machine-wide places)."""

    root: Path
    system: SystemPaths = field(default_factory=SystemPaths.default, compare=False)

    @classmethod
    def default(cls) -> "Paths":
        return cls(Path(os.environ.get("SANDBOX_DIR") or ".sandbox").resolve())

    @property
    def env_file(self) -> Path:
        return self.root / "env"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def aws_dir(self) -> Path:
        return self.root / "aws"

    @property
    def pki_dir(self) -> Path:
        return self.root / "pki"

    @property
    def gateway_config(self) -> Path:
        return self.root / "gateway.json"

    def registry_dir(self, host: str) -> Path:
        return self.root / "registries" / host

    def pid_file(self, name: str) -> Path:
        return self.root / "run" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (waits for other processes holding it)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@dataclass
class RegistryRecord:
    """One registry the sandbox runs: the real ECR host name and the loopback address it listens on."""

    account: str
    region: str
    host: str
    address: str


@dataclass
class TrustRecord:
    """A ``certs.d/HOST/ca.crt`` the sandbox wrote: ``down`` removes that file (and the folder only when the
    sandbox made it, and only while it is empty), or puts back the other sandbox CA it replaced."""

    host: str
    folder_created: bool
    sha256: str  # of the ca.crt written, so a file changed since is left alone
    previous: str | None = None  # another sandbox's CA certificate (PEM) that was there before


@dataclass
class State:
    """What the last ``up`` set up; ``down`` and ``status`` read it."""

    moto_port: int = DEFAULT_MOTO_PORT
    gateway_port: int = DEFAULT_GATEWAY_PORT
    started_dockerd: bool = False
    moto_session: str = ""  # changes whenever moto (re)starts; names the profiles' role sessions
    accounts: list[str] = field(default_factory=list)
    organization_id: str = ""
    organization_accounts: list[str] = field(default_factory=list)
    registries: list[RegistryRecord] = field(default_factory=list)
    hosts_lines: list[str] = field(default_factory=list)  # exactly the /etc/hosts lines this sandbox wrote
    trust: list[TrustRecord] = field(default_factory=list)

    def trust_record(self, host: str) -> TrustRecord | None:
        return next((t for t in self.trust if t.host == host), None)

    @classmethod
    def load(cls, paths: Paths) -> "State":
        try:
            raw = json.loads(paths.state_file.read_text())
        except (OSError, ValueError):
            return cls()
        registries = [RegistryRecord(**r) for r in raw.pop("registries", [])]
        trust = [TrustRecord(**t) for t in raw.pop("trust", [])]
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(registries=registries, trust=trust, **known)

    def save(self, paths: Paths) -> None:
        paths.root.mkdir(parents=True, exist_ok=True)
        tmp = paths.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        tmp.replace(paths.state_file)
