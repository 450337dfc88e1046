#!/usr/bin/env python3
"""How does `cdk synth` through this project compare with a plain aws-cdk-lib app making the same stacks?

For each size (300 repositories in 12 stacks, 3,000 in 30, 6,000 in 300: 100 accounts x 3 regions), generates one
spec, synthesizes it with the real CDK CLI through the project (app.py: typed spec, validation, cdk-nag) and
through benchmarks/plain_app.py (the same resources and outputs, nothing else), both as `python -O` like cdk.json,
alternating the two, checks that both assemblies deploy the same thing (template_shape.py), and reports the
median times, their ratio, the time per stack and the peak memory of the synth's process tree. Machines are
noisy: read the ratio, not the seconds.
Usage: .venv/bin/python benchmarks/synth.py [--runs N] [--sizes 300,3000,6000] [--small]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peak_memory import run_measured  # noqa: E402
from template_shape import assembly_shape, first_difference  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CDK = str(ROOT / "node_modules" / ".bin" / "cdk")
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
SIZES = {300: (12, 1), 3000: (30, 1), 6000: (300, 3)}  # repositories: (stacks, regions per environment)


def generate(repositories: int, stacks: int, regions: int = 1) -> dict:
    """A spec with ``repositories`` repositories in ``stacks`` stacks: ``stacks / regions`` environments of one
    account each, every environment in the first ``regions`` of REGIONS, every repository in one environment
    (so in each of its regions). Every third keeps ``latest`` mutable, every second may be pulled by two
    accounts and CodeBuild."""
    accounts = stacks // regions
    environments = {f"env{n:02d}": {"account": f"{100000000000 + n:012d}", "regions": list(REGIONS[:regions])}
                    for n in range(accounts)}
    names = list(environments)
    repos = []
    for n in range(repositories // regions):
        repo: dict = {"name": f"team{n % 17}/service-{n}", "environments": [names[n % accounts]]}
        if n % 3 == 0:
            repo["mutable_tags"] = ["latest"]
        if n % 2 == 0:
            repo["pull"] = {"accounts": ["333333333333", "444444444444"], "services": ["codebuild.amazonaws.com"]}
        repos.append(repo)
    return {"environments": environments, "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
            "repositories": repos}


def synth(app: str, spec_file: Path, out: Path) -> tuple[float, int]:
    """(seconds, peak bytes) of one `cdk synth` of ``app``."""
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1")
    return run_measured([CDK, "synth", "--quiet", "--no-notices", "--app", app, "-o", str(out),
                         "-c", f"ecr-spec={spec_file}"], cwd=ROOT, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each app per size (default 3)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help=f"repository counts to run, of {', '.join(map(str, SIZES))} (default: all)")
    parser.add_argument("--small", action="store_true", help="only the 300-repository size")
    args = parser.parse_args()
    sizes = [300] if args.small else [int(s) for s in args.sizes.split(",")]
    python = sys.executable
    apps = {"project": f"{python} -O app.py", "plain": f"{python} -O benchmarks/plain_app.py"}
    print(f"{'size':>28} {'project s':>10} {'plain s':>8} {'ratio':>6} {'s/stack':>15} {'peak MB':>11}")
    for repositories in sizes:
        stacks, regions = SIZES[repositories]
        with tempfile.TemporaryDirectory() as tmp:
            spec_file = Path(tmp) / "spec.json"
            spec_file.write_text(json.dumps(generate(repositories, stacks, regions)))
            times: dict[str, list[float]] = {"project": [], "plain": []}
            peaks: dict[str, list[int]] = {"project": [], "plain": []}
            for run in range(args.runs):
                for name in (("project", "plain") if run % 2 == 0 else ("plain", "project")):
                    seconds, peak = synth(apps[name], spec_file, Path(tmp) / f"out-{name}-{run}")
                    times[name].append(seconds)
                    peaks[name].append(peak)
            difference = first_difference(assembly_shape(Path(tmp) / "out-project-0"),
                                          assembly_shape(Path(tmp) / "out-plain-0"))
            if difference:
                print(f"error: the plain app does not make what the project makes: {difference}", file=sys.stderr)
                return 1
        project, plain = statistics.median(times["project"]), statistics.median(times["plain"])
        label = f"{repositories} repos/{stacks} stacks"
        print(f"{label:>28} {project:>10.2f} {plain:>8.2f} {project / plain:>6.2f} "
              f"{project / stacks:>7.3f}/{plain / stacks:<7.3f} {max(peaks['project']) / 2**20:>5.0f}/"
              f"{max(peaks['plain']) / 2**20:<5.0f}", flush=True)
    print("s/stack and peak MB: project/plain; peak MB: the largest sum of RSS over the synth's processes "
          "(CDK CLI, app, jsii's Node.js); same resources and outputs checked for every size")
    return 0


if __name__ == "__main__":
    sys.exit(main())
