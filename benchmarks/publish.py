#!/usr/bin/env python3
"""Benchmark: ``image-pipeline publish`` against the plain baseline, on the sandbox, in one run.

The image: about 150 MB in three incompressible layers (pseudo-random bytes from a seeded generator, made at
run time, never committed). Three destinations: two accounts, two regions. Each side gets its own fresh
repositories and its own content (a different seed), so both cold pushes are really cold.

- cold:      image-pipeline publish          vs  docker build + a `docker push` loop over the destinations
- unchanged: image-pipeline publish (again)  vs  docker build (cached) + the same push loop (layers exist)

Prints both times and the ratios. Targets: cold <= 1.0x, unchanged <= 0.5x. Never run as a test.
Usage: .venv/bin/python benchmarks/publish.py [--megabytes 150]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, docker_login, make_context, pipeline_publish, push_loop, remove_images, uri  # noqa: E402

DESTINATIONS = (("dev", "111111111111", "us-east-1"), ("prod", "222222222222", "us-east-1"),
                ("prod", "222222222222", "eu-west-1"))


def baseline(context: Path, uris: list[str], tag: str, env: dict[str, str]) -> float:
    """docker build, then docker tag + docker push for each destination, one after the other."""
    return push_loop(context, uris, tag, env)


def pipeline(context: Path, spec: Path, repository: str, tag: str, env: dict[str, str]) -> tuple[float, list[str]]:
    seconds, rows = pipeline_publish(context, spec, repository, tag, env)
    return seconds, [d["status"] for d in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=150)
    args = parser.parse_args()

    import boto3

    from ecr_sandbox import api

    info = api.ensure_up(cdk_json=ROOT / "cdk.json")
    api.apply_env(info)
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    run_id = f"{int(time.time())}"
    names = {"baseline": f"bench/baseline-{run_id}", "pipeline": f"bench/pipeline-{run_id}"}
    for _, account, region in DESTINATIONS:
        client = boto3.Session(profile_name=info.profile(account), region_name=region).client("ecr")
        for name in names.values():
            client.create_repository(repositoryName=name)

    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["repositories"].append({"name": names["pipeline"], "environments": ["dev", "prod"]})
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as scratch:
        work = Path(scratch)
        spec_file = work / "spec.json"
        spec_file.write_text(json.dumps(spec))
        env["DOCKER_CONFIG"] = str(work / "docker")
        for _, account, region in DESTINATIONS:  # the baseline logs in once, outside the timings
            docker_login(boto3.Session(profile_name=info.profile(account)), account, region, env)
        base_uris = [uri(a, r, names["baseline"]) for _, a, r in DESTINATIONS]
        print(f"generating 2 x {args.megabytes} MB of incompressible layers ...", flush=True)
        base_context = make_context(work / "baseline", f"baseline-{run_id}", args.megabytes)
        pipe_context = make_context(work / "pipeline", f"pipeline-{run_id}", args.megabytes)

        print("cold: baseline (docker build + docker push x3) ...", flush=True)
        cold_base = baseline(base_context, base_uris, "v1", env)
        print("cold: image-pipeline publish ...", flush=True)
        cold_pipe, cold_status = pipeline(pipe_context, spec_file, names["pipeline"], "v1", env)
        print("unchanged: baseline ...", flush=True)
        warm_base = baseline(base_context, base_uris, "v1", env)
        print("unchanged: image-pipeline publish ...", flush=True)
        warm_pipe, warm_status = pipeline(pipe_context, spec_file, names["pipeline"], "v1", env)
        pipe_uris = [uri(a, r, names["pipeline"]) for _, a, r in DESTINATIONS]
        # the local copies of the 2 x 150 MB images; the registries keep theirs
        remove_images([f"{uri}:v1" for uri in base_uris + pipe_uris], env)

    print()
    print(f"{'case':<12}{'baseline':>10}{'pipeline':>10}{'ratio':>8}  target  pipeline statuses")
    for case, base, pipe, target, statuses in (("cold", cold_base, cold_pipe, 1.0, cold_status),
                                               ("unchanged", warm_base, warm_pipe, 0.5, warm_status)):
        ratio = pipe / base
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{case:<12}{base:>9.2f}s{pipe:>9.2f}s{ratio:>7.2f}x  <={target:.1f}x {verdict:<6} {','.join(statuses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
