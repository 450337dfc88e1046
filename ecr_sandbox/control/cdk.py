"""Bootstrap and deploy the project's CDK app into a running sandbox (what README's commands do).

    from ecr_sandbox import api, cdk
    info = api.ensure_up()
    cdk.bootstrap(info, repo_root)    # cdk bootstrap --profile sandbox-ACCOUNT aws://ACCOUNT/REGION ...
    cdk.deploy(info, repo_root)       # cdk deploy --all --require-approval never

Bootstrap runs from an empty folder (so the CLI does not synthesize the app) and one CLI per account,
in parallel; deploy synthesizes into a temporary folder under ``.sandbox/`` (never blocked by another CLI
using ``cdk.out``). Both hold ``.sandbox/cdk.lock``: test sessions sharing one sandbox bootstrap and
deploy one after the other, never over each other. The environment is the sandbox's (``info.env``).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ecr_sandbox.control.sandbox import SandboxInfo, process_env
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.state import exclusive


class CdkError(SandboxError):
    """The CDK CLI failed against the sandbox."""


def _cli(root: Path) -> str:
    cli = root / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        raise CdkError(f"the CDK CLI is not installed at {cli}; run `make install`")
    return str(cli)


def _run(argv: list[str], cwd: Path, env: dict[str, str], what: str, stream: bool = False) -> str:
    """Runs the CLI; with ``stream`` its output goes to this process's stdout/stderr as it comes."""
    if stream:
        print("$ " + " ".join(argv), flush=True)
    out = None if stream else subprocess.PIPE
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=out, text=True, check=False)
    if done.returncode != 0:
        tail = "" if stream else ": " + " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise CdkError(f"{what} failed (exit {done.returncode}){tail}")
    return (done.stdout or "") + (done.stderr or "")


def bootstrapped(info: SandboxInfo, account: str, region: str) -> bool:
    """Whether ``aws://ACCOUNT/REGION`` already has a complete CDKToolkit stack in this sandbox."""
    import botocore.exceptions

    from ecr_sandbox.common.aws import moto_client

    client = moto_client("cloudformation", info.endpoint_url, account, region)
    try:
        stacks = client.describe_stacks(StackName="CDKToolkit")["Stacks"]
    except botocore.exceptions.ClientError:
        return False
    status = stacks[0]["StackStatus"] if stacks else ""
    return status.endswith("_COMPLETE") and "ROLLBACK" not in status and "DELETE" not in status


def bootstrap(info: SandboxInfo, root: Path, stream: bool = False) -> list[tuple[str, str]]:
    """``cdk bootstrap`` every target of the spec that is not bootstrapped yet, with the account's sandbox
    profile; one CLI per account, in parallel. Returns the targets bootstrapped now."""
    by_account: dict[str, list[str]] = defaultdict(list)
    fresh = [(a, r) for a, r in info.targets if not bootstrapped(info, a, r)]
    for account, region in fresh:
        by_account[account].append(f"aws://{account}/{region}")
    cli, env = _cli(root), process_env(info, root)
    lock = exclusive(info.sandbox_dir / "cdk.lock")
    with lock, tempfile.TemporaryDirectory(prefix="sandbox-bootstrap-") as empty:
        with ThreadPoolExecutor(max_workers=len(by_account) or 1) as pool:
            jobs = [
                pool.submit(_run, [cli, "bootstrap", "--profile", info.profile(account), *envs],
                            Path(empty), env, f"cdk bootstrap {' '.join(envs)}", stream)
                for account, envs in sorted(by_account.items())
            ]
            for job in jobs:
                job.result()
    return fresh


def deploy(info: SandboxInfo, root: Path, spec_path: str | None = None, stream: bool = False) -> str:
    """``cdk deploy --all`` with the default profile (the CLI assumes each account's deploy role).

    ``spec_path`` (default ``$ECR_SPEC``) is passed as ``-c ecr-spec=PATH``, the app's override."""
    spec_path = spec_path or os.environ.get("ECR_SPEC") or None
    context = ["-c", f"ecr-spec={Path(spec_path).resolve()}"] if spec_path else []
    # a cloud assembly folder of its own: another CLI synthesizing into cdk.out must not block us
    lock = exclusive(info.sandbox_dir / "cdk.lock")
    with lock, tempfile.TemporaryDirectory(prefix="cdk.out-", dir=info.sandbox_dir) as output:
        return _run(
            [_cli(root), "deploy", "--all", *context, "--output", output, "--require-approval", "never",
             "--concurrency", "4", "--progress", "events"],
            root, process_env(info, root), "cdk deploy --all", stream,
        )
