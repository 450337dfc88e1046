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
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DESTINATIONS = (("dev", "111111111111", "us-east-1"), ("prod", "222222222222", "us-east-1"),
                ("prod", "222222222222", "eu-west-1"))
LAYERS = 3


def make_context(directory: Path, seed: str, megabytes: int) -> Path:
    directory.mkdir(parents=True)
    generator = random.Random(seed)
    size = megabytes * 1024 * 1024 // LAYERS
    lines = ["FROM scratch"]
    for index in range(LAYERS):
        (directory / f"layer{index}.bin").write_bytes(generator.randbytes(size))
        lines.append(f"COPY layer{index}.bin /data/layer{index}.bin")
    (directory / "Dockerfile").write_text("\n".join(lines) + "\n")
    return directory


def timed(argv: list[str], env: dict[str, str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(argv[:4])}...: {done.stderr.strip()[-600:]}")
    return seconds, done


def baseline(context: Path, uris: list[str], tag: str, env: dict[str, str]) -> float:
    """docker build, then docker tag + docker push for each destination, one after the other."""
    started = time.monotonic()
    timed(["docker", "build", "-q", "-t", f"{uris[0]}:{tag}", str(context)], env)
    for uri in uris:
        timed(["docker", "tag", f"{uris[0]}:{tag}", f"{uri}:{tag}"], env)
        timed(["docker", "push", "-q", f"{uri}:{tag}"], env)
    return time.monotonic() - started


def pipeline(context: Path, spec: Path, repository: str, tag: str, env: dict[str, str]) -> tuple[float, list[str]]:
    seconds, done = timed([sys.executable, "-m", "image_pipeline", "--spec", str(spec), "publish", repository,
                           "--context", str(context), "--tag", tag, "--json"], env)
    return seconds, [d["status"] for d in json.loads(done.stdout)["destinations"]]


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
            data = boto3.Session(profile_name=info.profile(account), region_name=region).client(
                "ecr").get_authorization_token()["authorizationData"][0]
            password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1]
            timed(["docker", "login", "-u", "AWS", "--password-stdin",
                   f"{account}.dkr.ecr.{region}.amazonaws.com"], env, input=password)
        base_uris = [f"{a}.dkr.ecr.{r}.amazonaws.com/{names['baseline']}" for _, a, r in DESTINATIONS]
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
        pipe_uris = [f"{a}.dkr.ecr.{r}.amazonaws.com/{names['pipeline']}" for _, a, r in DESTINATIONS]
        for uri in base_uris + pipe_uris:  # the local copies of the 2 x 150 MB images; the registries keep theirs
            subprocess.run(["docker", "image", "rm", "-f", f"{uri}:v1"], env=env, capture_output=True, check=False)

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
