#!/usr/bin/env python3
"""The end-to-end demo (``make demo``): sandbox up, bootstrap, deploy, publish the example application to
every destination, pull it back from another account, preview the lifecycle policy, print a summary.

Every step streams its output. The sandbox's environment comes from ``ecr_sandbox.api`` as data (the same
mapping ``.sandbox/env`` gives a shell); nothing here re-reads a shell file.
A second run reuses the running sandbox and the deployed stacks and reports every destination ``unchanged``.
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecr_sandbox import api  # noqa: E402
from ecr_sandbox.api import Paths, SandboxError, machine_wide_notice  # noqa: E402

PYTHON = sys.executable
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


def run(argv: list[str], env: dict[str, str], capture: bool = False) -> str:
    """Runs ``argv`` with ``env``, streaming its output (stderr always; stdout unless captured)."""
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE if capture else None, text=True,
                          check=False)
    if done.returncode != 0:
        raise DemoFailed(f"{' '.join(argv[2:4]) if argv[0] == PYTHON else argv[0]} exited {done.returncode}")
    return done.stdout or ""


def main() -> int:
    started = time.monotonic()
    steps: list[Step] = []
    published: list[dict[str, object]] = []

    def step(name: str) -> Step:
        record = Step(name, started=time.monotonic())
        steps.append(record)
        banner(name)
        return record

    try:
        record = step("sandbox up")
        info = api.ensure_up(cdk_json=ROOT / "cdk.json", paths=Paths(ROOT / ".sandbox"))
        print(machine_wide_notice(info), file=sys.stderr, flush=True)
        # the sandbox's environment as data (the mapping .sandbox/env gives a shell), PATH included
        env = api.process_env(info, ROOT)
        record.finish("ok", f"{info.endpoint_url}, {len(info.registries)} registries"
                            f" ({'cold start' if info.cold_start else 'already running'})")

        record = step("cdk bootstrap")
        fresh = api.bootstrap(info, ROOT, stream=True)
        record.finish("ok", f"{len(fresh)} of {len(info.targets)} targets bootstrapped now")

        record = step("cdk deploy --all")
        api.deploy(info, ROOT, stream=True)
        record.finish("ok", f"{len(info.targets)} stacks")

        record = step(f"image-pipeline publish {REPOSITORY}")
        output = run([PYTHON, "-m", "image_pipeline", "publish", REPOSITORY, "--context",
                      str(ROOT / "examples" / "todobackend"), "--build-arg", f"BASE_IMAGE={info.base_image}",
                      "--json"], env, capture=True)
        published = json.loads(output)["destinations"]
        statuses = sorted({str(d["status"]) for d in published})
        record.finish("ok", f"{len(published)} destinations: {', '.join(statuses)}")

        record = step(f"image-pipeline pull from account {CONSUMER_ACCOUNT}")
        owner = info.targets[0][0]
        source = next((d for d in published if d["account"] != owner), published[0])
        tag = str(list(source["tags"])[0])  # type: ignore[call-overload]
        subprocess.run(["docker", "image", "rm", f"{source['repository_uri']}:{tag}"], env=env,
                       capture_output=True, check=False)  # untag locally so the pull fetches it again
        run([PYTHON, "-m", "image_pipeline", "pull", f"{REPOSITORY}:{tag}", "--env", str(source["environment"]),
             "--region", str(source["region"]), "--profile", info.profile(CONSUMER_ACCOUNT)], env)
        record.finish("ok", f"{source['repository_uri']}:{tag} digest verified")

        record = step("image-pipeline lifecycle-preview")
        run([PYTHON, "-m", "image_pipeline", "lifecycle-preview", REPOSITORY], env)
        record.finish("ok")
    except (DemoFailed, SandboxError) as error:
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
