"""``python -m ecr_sandbox up|deploy|status|down``: arguments -> settings -> a plain function in ``ecr_sandbox.control.sandbox``.

Each option falls back to an environment variable (named in ``--help``). Errors print one line
``sandbox: error: ...`` on stderr and exit 1, never a traceback; Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ecr_sandbox.control import sandbox as api
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.state import DEFAULT_GATEWAY_PORT, DEFAULT_MOTO_PORT, Paths

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


@dataclass(frozen=True)
class Settings:
    """Where the sandbox keeps its files (every command)."""

    sandbox_dir: Path

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Settings":
        return cls(sandbox_dir=Path(args.sandbox_dir).resolve())

    @property
    def paths(self) -> Paths:
        return Paths(self.sandbox_dir)


@dataclass(frozen=True)
class UpSettings:
    """What ``up`` and ``deploy`` start the sandbox for, and on which ports."""

    sandbox: Settings
    spec: str | None
    cdk_json: Path
    moto_port: int | None
    gateway_port: int | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "UpSettings":
        return cls(
            sandbox=Settings.from_args(args),
            spec=args.spec,
            cdk_json=Path(args.cdk_json),
            moto_port=args.moto_port,
            gateway_port=args.gateway_port,
        )

    def start(self) -> api.SandboxInfo:
        return api.ensure_up(spec_path=self.spec, cdk_json=self.cdk_json, paths=self.sandbox.paths,
                             moto_port=self.moto_port, gateway_port=self.gateway_port)


def machine_wide_notice(info: api.SandboxInfo) -> str:
    """The loud line of ``up``: the sandbox takes over these host names for the whole machine."""
    names = ", ".join(r.host for r in info.registries)
    return (f"sandbox: WARNING: while the sandbox runs, these ECR host names resolve to it for EVERY process "
            f"on this machine (/etc/hosts), so any push or pull to them from this machine reaches the sandbox, "
            f"not AWS: {names}")


def _started(info: api.SandboxInfo, seconds: float) -> None:
    kind = "started" if info.cold_start else "already running"
    print(machine_wide_notice(info), file=sys.stderr)
    print(f"sandbox {kind} in {seconds:.1f} s: moto at {info.endpoint_url}, "
          f"{len(info.registries)} registries, base image {info.base_image}")
    for reg in info.registries:
        print(f"  {reg.host} -> {reg.address}")


def _up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    info = UpSettings.from_args(args).start()
    _started(info, time.monotonic() - started)
    print(f"Use it from a shell with: . {info.sandbox_dir / 'env'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = api.status(Settings.from_args(args).paths)
    width = max(len(r.name) for r in rows)
    where = max(len(r.where) for r in rows)
    print(f"{'COMPONENT'.ljust(width)}  {'WHERE'.ljust(where)}  {'PID':>7}  STATE")
    for row in rows:
        pid = str(row.pid) if row.pid else "-"
        print(f"{row.name.ljust(width)}  {row.where.ljust(where)}  {pid:>7}  {'up' if row.up else 'down'}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from ecr_sandbox.control import cdk

    settings = UpSettings.from_args(args)
    started = time.monotonic()
    info = settings.start()
    _started(info, time.monotonic() - started)
    root = settings.cdk_json.resolve().parent
    started = time.monotonic()
    cdk.bootstrap(info, root)
    print(f"bootstrapped {len(info.targets)} environments in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    cdk.deploy(info, root, spec_path=settings.spec)
    print(f"deployed every stack (cdk deploy --all) in {time.monotonic() - started:.1f} s")
    return 0


def _down(args: argparse.Namespace) -> int:
    for line in api.down(Settings.from_args(args).paths):
        print(line)
    return 0


def _env(name: str) -> str:
    """How ``--help`` shows an option's environment fallback and its value now."""
    value = os.environ.get(name)
    return f"env {name}, now {value!r}" if value else f"env {name}, unset"


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else None


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--sandbox-dir", default=os.environ.get("SANDBOX_DIR") or ".sandbox",
                        help="where the sandbox keeps its state, keys and logs "
                             f"({_env('SANDBOX_DIR')}; default .sandbox)")
    spec = argparse.ArgumentParser(add_help=False, parents=[common])
    spec.add_argument("--spec", default=os.environ.get("ECR_SPEC") or None,
                      help=f"a JSON spec file ({_env('ECR_SPEC')}; default: cdk.json's context 'ecr')")
    spec.add_argument("--cdk-json", default="cdk.json", help="the app's cdk.json (default: ./cdk.json)")
    spec.add_argument("--moto-port", type=int, default=_env_int("SANDBOX_MOTO_PORT"),
                      help=f"moto's port ({_env('SANDBOX_MOTO_PORT')}; default: the running sandbox's, "
                           f"else {DEFAULT_MOTO_PORT})")
    spec.add_argument("--gateway-port", type=int, default=_env_int("SANDBOX_GATEWAY_PORT"),
                      help=f"the gateway's port ({_env('SANDBOX_GATEWAY_PORT')}; default: the running "
                           f"sandbox's, else {DEFAULT_GATEWAY_PORT})")
    root = argparse.ArgumentParser(prog="python -m ecr_sandbox", description="A local ECR sandbox.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("up", parents=[spec], help="start (or reuse) the sandbox and write .sandbox/env"
                        ).set_defaults(run=_up)
    commands.add_parser("deploy", parents=[spec], help="up, then cdk bootstrap every target and cdk deploy --all"
                        ).set_defaults(run=_deploy)
    commands.add_parser("status", parents=[common], help="show what runs where").set_defaults(run=_status)
    commands.add_parser("down", parents=[common], help="stop what the sandbox started and remove exactly what it "
                        "wrote outside its folder").set_defaults(run=_down)
    return root


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return int(args.run(args))
    except SandboxError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:  # one line per problem
            print(f"sandbox: error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sandbox: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
