#!/usr/bin/env python3
"""How much slower is `cdk synth` through this project than through a plain aws-cdk-lib app?

For each size (300 repositories in 12 stacks, 3,000 in 30), generates one spec, then synthesizes it with the
real CDK CLI through the project (app.py: typed spec, validation, cdk-nag) and through benchmarks/plain_app.py
(same resources, nothing else), alternating the two, and reports the median times and their ratio. Machines
are noisy: read the ratio, not the seconds. Usage: .venv/bin/python benchmarks/synth.py [--runs N] [--small]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CDK = str(ROOT / "node_modules" / ".bin" / "cdk")
SIZES = [(300, 12), (3000, 30)]


def generate(repositories: int, stacks: int) -> dict:
    environments = {f"env{n:02d}": {"account": f"{100000000000 + n:012d}", "regions": ["us-east-1"]}
                    for n in range(stacks)}
    names = list(environments)
    repos = []
    for n in range(repositories):
        repo = {"name": f"team{n % 17}/service-{n}", "environments": [names[n % stacks]]}
        if n % 3 == 0:
            repo["mutable_tags"] = ["latest"]
        if n % 2 == 0:
            repo["pull"] = {"accounts": ["333333333333", "444444444444"], "services": ["codebuild.amazonaws.com"]}
        repos.append(repo)
    return {"environments": environments, "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
            "repositories": repos}


def synth_seconds(app: str, spec_file: Path, out: Path) -> float:
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1")
    started = time.perf_counter()
    subprocess.run([CDK, "synth", "--quiet", "--no-notices", "--app", app, "-o", str(out), "-c", f"ecr-spec={spec_file}"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each app per size (default 3)")
    parser.add_argument("--small", action="store_true", help="only the 300-repository size")
    args = parser.parse_args()
    python = sys.executable
    apps = {"project": f"{python} app.py", "plain": f"{python} benchmarks/plain_app.py"}
    print(f"{'size':>22} {'project s':>10} {'plain s':>10} {'ratio':>7}")
    for repositories, stacks in SIZES[:1] if args.small else SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            spec_file = Path(tmp) / "spec.json"
            spec_file.write_text(json.dumps(generate(repositories, stacks)))
            times: dict[str, list[float]] = {"project": [], "plain": []}
            for run in range(args.runs):
                for name in (("project", "plain") if run % 2 == 0 else ("plain", "project")):
                    times[name].append(synth_seconds(apps[name], spec_file, Path(tmp) / f"out-{name}-{run}"))
            project, plain = statistics.median(times["project"]), statistics.median(times["plain"])
            print(f"{f'{repositories} repos/{stacks} stacks':>22} {project:>10.2f} {plain:>10.2f} {project / plain:>7.2f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
