#!/usr/bin/env python3
"""Benchmark: the publisher's peak memory for an image with one big layer (default 2 GiB), on the sandbox.

The image: `FROM scratch` plus one file of pseudo-random (incompressible) bytes, made at run time in a scratch
directory and never committed. `image-pipeline publish` sends it to the three registries of cdk.json's spec
(fresh repositories), and the benchmark reports the publisher process's peak resident set size (the kernel's
``ru_maxrss`` of the finished child, which counts its threads), next to the layer's size, and the target:
peak RSS <= 250 MB whatever the layer's size (the layer streams from the engine through compression and the
uploads in pieces of at most a few MiB; nothing holds a whole layer). The same figure for a 150 MB layer shows
that the peak does not grow with the layer. Never run as a test.

Usage: .venv/bin/python benchmarks/memory.py [--megabytes 2048] [--small 150] [--results DIR]
(as root: it starts the sandbox with cdk.json's spec; `python -m ecr_sandbox down` stops it.)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, remove_images  # noqa: E402

DESTINATIONS = (("dev", "111111111111", "us-east-1"), ("prod", "222222222222", "us-east-1"),
                ("prod", "222222222222", "eu-west-1"))
TARGET_MB = 250
RESULTS = ROOT / "benchmarks" / "results"


def big_context(directory: Path, megabytes: int) -> Path:
    """A `FROM scratch` context with one incompressible file of ``megabytes`` MiB (written in 8 MiB pieces)."""
    directory.mkdir(parents=True)
    piece = 8 * 1024 * 1024
    with open(directory / "blob.bin", "wb") as out:
        for _ in range(megabytes * 1024 * 1024 // piece):
            out.write(os.urandom(piece))
    (directory / "Dockerfile").write_text("FROM scratch\nCOPY blob.bin /blob.bin\n")
    return directory


def publish_peak(context: Path, spec: Path, repository: str, env: dict[str, str]) -> tuple[float, float, list]:
    """(wall seconds, peak RSS in MB, rows) of one `image-pipeline publish --json`, run as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "image_pipeline", "--spec", str(spec), "publish", repository,
                           "--context", str(context), "--tag", "v1", "--json"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"error: the publish failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:400]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib <= before:
        sys.exit("error: cannot tell the publisher's peak memory (an earlier child used more)")
    return seconds, peak_kib / 1024, json.loads(done.stdout)["destinations"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=2048, help="the big layer, MiB (default 2048)")
    parser.add_argument("--small", type=int, default=150, help="the small layer for comparison, MiB (default 150)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()

    import boto3

    from ecr_sandbox import api

    info = api.ensure_up(cdk_json=ROOT / "cdk.json")
    api.apply_env(info)
    env = dict(os.environ)
    run_id = f"{int(time.time())}"
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    cases = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        # the small one first: a child's ru_maxrss is a running maximum over all children
        for megabytes in (args.small, args.megabytes):
            repository = f"bench/memory-{megabytes}-{run_id}"
            for _, account, region in DESTINATIONS:
                boto3.Session(profile_name=info.profile(account), region_name=region).client("ecr").create_repository(
                    repositoryName=repository)
            spec["repositories"].append({"name": repository, "environments": ["dev", "prod"]})
            spec_path = Path(scratch) / f"spec-{megabytes}.json"
            spec_path.write_text(json.dumps(spec))
            print(f"{megabytes} MiB layer: making the context ...", file=sys.stderr)
            context = big_context(Path(scratch) / f"context-{megabytes}", megabytes)
            print(f"{megabytes} MiB layer: image-pipeline publish to {len(DESTINATIONS)} registries ...",
                  file=sys.stderr)
            seconds, peak, rows = publish_peak(context, spec_path, repository, env)
            cases.append({"layer_mib": megabytes, "seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1),
                          "statuses": [r["status"] for r in rows]})
            remove_images([f"{r['repository_uri']}:v1" for r in rows], env)
    print(f"{'layer':>10}  {'wall s':>8}  {'peak RSS':>9}  statuses")
    for case in cases:
        print(f"{case['layer_mib']:>6} MiB  {case['seconds']:>8.2f}  {case['peak_rss_mb']:>6.1f} MB  "
              f"{','.join(case['statuses'])}")
    big = cases[-1]
    verdict = "ok" if big["peak_rss_mb"] <= TARGET_MB else "MISSED"
    print(f"target (issue 16): peak RSS <= {TARGET_MB} MB with a {big['layer_mib']} MiB layer: "
          f"{big['peak_rss_mb']:.1f} MB  {verdict}")
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "memory.json").write_text(json.dumps({"cases": cases, "target_mb": TARGET_MB}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
