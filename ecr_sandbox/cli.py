"""``python -m ecr_sandbox up|deploy|status|down``: arguments -> a plain function in ``ecr_sandbox.api``.

Errors print one line ``sandbox: error: ...`` on stderr and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ecr_sandbox import api
from ecr_sandbox.errors import SandboxError


def _up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    info = api.ensure_up(spec_path=args.spec, cdk_json=args.cdk_json)
    seconds = time.monotonic() - started
    kind = "started" if info.cold_start else "already running"
    print(f"sandbox {kind} in {seconds:.1f} s: moto at {info.endpoint_url}, "
          f"{len(info.registries)} registries, base image {info.base_image}")
    for reg in info.registries:
        print(f"  {reg.host} -> {reg.address}")
    print(f"Use it from a shell with: . {info.sandbox_dir / 'env'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = api.status()
    width = max(len(r.name) for r in rows)
    where = max(len(r.where) for r in rows)
    print(f"{'COMPONENT'.ljust(width)}  {'WHERE'.ljust(where)}  {'PID':>7}  STATE")
    for row in rows:
        pid = str(row.pid) if row.pid else "-"
        print(f"{row.name.ljust(width)}  {row.where.ljust(where)}  {pid:>7}  {'up' if row.up else 'down'}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ecr_sandbox import cdk

    info = api.ensure_up(spec_path=args.spec, cdk_json=args.cdk_json)
    root = Path(args.cdk_json).resolve().parent
    started = time.monotonic()
    cdk.bootstrap(info, root)
    print(f"bootstrapped {len(info.targets)} environments in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    cdk.deploy(info, root, spec_path=args.spec)
    print(f"deployed every stack (cdk deploy --all) in {time.monotonic() - started:.1f} s")
    return 0


def _down(args: argparse.Namespace) -> int:
    for line in api.down():
        print(line)
    return 0


def parser() -> argparse.ArgumentParser:
    spec = argparse.ArgumentParser(add_help=False)
    spec.add_argument("--spec", help="a JSON spec file (default: $ECR_SPEC, else cdk.json's context 'ecr')")
    spec.add_argument("--cdk-json", default="cdk.json", help="the app's cdk.json (default: ./cdk.json)")
    root = argparse.ArgumentParser(prog="python -m ecr_sandbox", description="A local ECR sandbox.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("up", parents=[spec], help="start (or reuse) the sandbox and write .sandbox/env"
                        ).set_defaults(run=_up)
    commands.add_parser("deploy", parents=[spec], help="up, then cdk bootstrap every target and cdk deploy --all"
                        ).set_defaults(run=_deploy)
    commands.add_parser("status", help="show what runs where").set_defaults(run=_status)
    commands.add_parser("down", help="stop what the sandbox started and remove its traces").set_defaults(run=_down)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SandboxError as exc:
        print(f"sandbox: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sandbox: error: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
