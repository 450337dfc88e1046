#!/usr/bin/env python3
"""The end-to-end demo (``make demo``): sandbox up, bootstrap, deploy, publish the example application to
every destination, pull it back from another account, preview the lifecycle policy, print a summary.

Every step runs as a subprocess with the sandbox's environment (``.sandbox/env``) and streams its output.
A second run reuses the running sandbox and the deployed stacks and reports every destination ``unchanged``.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecr_spec import load_cdk_json  # noqa: E402

PYTHON = sys.executable
CDK = str(ROOT / "node_modules" / ".bin" / "cdk")
REPOSITORY = "docker-in-aws/todobackend"
CONSUMER_ACCOUNT = "333333333333"  # granted pull by the example spec


@dataclass
class Step:
    name: str
    status: str = "skipped"
    seconds: float = 0.0
    detail: str = ""
    started: float = 0.0

    def finish(self, status: str, detail: str = "") -> None:
        self.status, self.detail = status, detail
        self.seconds = time.monotonic() - self.started


class DemoFailed(Exception):
    pass


def banner(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def sandbox_env(env_file: Path) -> dict[str, str]:
    """This process's environment with ``.sandbox/env`` (export/unset lines) applied."""
    env = dict(os.environ)
    for line in env_file.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "unset":
            for name in words[1:]:
                env.pop(name, None)
        elif words[0] == "export":
            for assignment in words[1:]:
                key, _, value = assignment.partition("=")
                env[key] = value
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}"
    return env


def run(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT, capture: bool = False) -> str:
    """Runs ``argv``, streaming its output (stderr always; stdout unless captured). Raises on failure."""
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE if capture else None, text=True,
                          check=False)
    if done.returncode != 0:
        raise DemoFailed(f"{argv[0]} {argv[1] if len(argv) > 1 else ''} exited {done.returncode}")
    return done.stdout or ""


def bootstrapped(env: dict[str, str], account: str, region: str) -> bool:
    import boto3
    import botocore.exceptions

    session = boto3.Session(profile_name=f"sandbox-{account}", region_name=region)
    client = session.client("cloudformation", endpoint_url=env["AWS_ENDPOINT_URL"])
    try:
        stacks = client.describe_stacks(StackName="CDKToolkit")["Stacks"]
    except botocore.exceptions.ClientError:
        return False
    return bool(stacks) and stacks[0]["StackStatus"].endswith("_COMPLETE") and "ROLLBACK" not in stacks[0]["StackStatus"]


def main() -> int:
    started = time.monotonic()
    steps: list[Step] = []
    published: list[dict[str, object]] = []

    def step(name: str):  # type: ignore[no-untyped-def]
        record = Step(name, started=time.monotonic())
        steps.append(record)
        banner(name)
        return record

    def done(record: Step, detail: str = "") -> None:
        record.finish("ok", detail)

    try:
        record = step("sandbox up")
        run([PYTHON, "-m", "sandbox", "up"])
        env = sandbox_env(ROOT / ".sandbox" / "env")
        done(record, detail=env["AWS_ENDPOINT_URL"])
        os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "IMAGE_PIPELINE_"))})
        for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            if name not in env:
                os.environ.pop(name, None)

        spec = load_cdk_json(ROOT / "cdk.json", override_path=env.get("ECR_SPEC") or None)
        record = step("cdk bootstrap")
        fresh = 0
        for target in spec.targets():
            if bootstrapped(env, target.account, target.region):
                print(f"aws://{target.account}/{target.region} is bootstrapped already", flush=True)
                continue
            run([CDK, "bootstrap", "--profile", f"sandbox-{target.account}",
                 f"aws://{target.account}/{target.region}"], env, cwd=Path("/tmp"))
            fresh += 1
        done(record, detail=f"{fresh} of {len(spec.targets())} targets bootstrapped now")

        record = step("cdk deploy --all")
        run([CDK, "deploy", "--all", "--require-approval", "never", "--concurrency", "4", "--progress", "events"],
            env)
        done(record, detail=f"{len(spec.targets())} stacks")

        record = step(f"image-pipeline publish {REPOSITORY}")
        output = run([PYTHON, "-m", "image_pipeline", "publish", REPOSITORY, "--context",
                      str(ROOT / "examples" / "todobackend"), "--build-arg",
                      f"BASE_IMAGE={env.get('SANDBOX_BASE_IMAGE', 'sandbox/busybox:1')}", "--json"],
                     env, capture=True)
        published = json.loads(output)["destinations"]
        statuses = sorted({str(d["status"]) for d in published})
        done(record, detail=f"{len(published)} destinations: {', '.join(statuses)}")

        record = step(f"image-pipeline pull from account {CONSUMER_ACCOUNT}")
        source = next((d for d in published if d["account"] != spec.environments[0].account), published[0])
        tag = str(list(source["tags"])[0])  # type: ignore[call-overload]
        subprocess.run(["docker", "image", "rm", f"{source['repository_uri']}:{tag}"], env=env,
                       capture_output=True, check=False)  # untag locally so the pull fetches it again
        run([PYTHON, "-m", "image_pipeline", "pull", f"{REPOSITORY}:{tag}", "--env", str(source["environment"]),
             "--region", str(source["region"]), "--profile", f"sandbox-{CONSUMER_ACCOUNT}"], env)
        done(record, detail=f"{source['repository_uri']}:{tag} digest verified")

        record = step("image-pipeline lifecycle-preview")
        run([PYTHON, "-m", "image_pipeline", "lifecycle-preview", REPOSITORY], env)
        done(record)
    except DemoFailed as error:
        steps[-1].finish("FAILED", str(error))
    finally:
        summary(steps, published, time.monotonic() - started)
    return 0 if all(s.status == "ok" for s in steps) else 1


def summary(steps: list[Step], published: list[dict[str, object]], total: float) -> None:
    banner("summary")
    width = max(len(s.name) for s in steps) if steps else 10
    for s in steps:
        print(f"{s.name:<{width}}  {s.status:<7} {s.seconds:6.1f}s  {s.detail}")
    if published:
        print()
        print(f"{'DESTINATION':<74} {'STATUS':<10} {'DIGEST':<20} SECONDS")
        for d in published:
            print(f"{str(d['repository_uri']):<74} {str(d['status']):<10} {str(d['digest'] or '-')[:19]:<20} "
                  f"{d['seconds']}")
    print(f"\ntotal {total:.1f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
