#!/usr/bin/env python3
"""Benchmark: publishing one image to 3, 6 and 12 (up to 50) registries of the sandbox, four ways, in one run.

The image: about 150 MB in three incompressible layers (pseudo-random bytes from a seeded generator, made at
run time, never committed). The registries: 3 accounts (dev 111111111111, staging 222222222222, prod
333333333333) x 4 regions (us-east-1, eu-west-1, us-west-2, ap-southeast-2), then 19 more accounts (team04
440000000004 .. team22 440000000022) x 2 regions (us-east-1, eu-west-1): 50 registries, one environment per
registry in a temporary spec derived from cdk.json's. N destinations are the first N of (every one of the 3
accounts in us-east-1, then in eu-west-1, ..., then every further account in us-east-1, then in eu-west-1), so
3 = one region per account, 6 = two, 12 = four, 50 = all; the sandbox starts only the first max(--counts).

Per destination count, each mode gets its own fresh repositories and its own content (a new seed), so every
push is cold:

- docker:     docker build, then `docker tag` + `docker push` per destination, one after the other (baseline)
- skopeo:     docker build, then `skopeo copy docker-daemon:IMAGE docker://URI:TAG` per destination
- pipeline:   `image-pipeline publish`, every destination fed by the client
- replicated: `image-pipeline publish` of a repository whose spec replicates it from dev/us-east-1 to the
              other N-1 registries: the client pushes to the source only; ECR replication (the sandbox's) feeds
              the rest and publish waits until each replica has the digest (`replicated`)

then the unchanged republish at the smallest count: the docker loop again and `image-pipeline publish` again, five
times each in turn, the median of each.

Prints a table (wall time, client-uploaded bytes, ratio to the docker loop of the same count) and the
targets of issue 16; writes benchmarks/results/fanout.json and fanout.png. Never run as a test.
Usage: .venv/bin/python benchmarks/fanout.py [--megabytes 150] [--counts 3,6,12] [--skip-baselines] [--results DIR]
(as root: it starts the sandbox with its own spec of max(--counts) registries, e.g. --counts 3,12,50;
`python -m ecr_sandbox down` stops it).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (ROOT, LAYERS, docker_login, make_context, pipeline_publish, push_loop,  # noqa: E402
                    remove_images, timed, uri)

ACCOUNTS = (("dev", "111111111111"), ("staging", "222222222222"), ("prod", "333333333333"))
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
# (environment, account, region): every account in the first region, then every account in the next one
MORE_ACCOUNTS = tuple((f"team{n:02d}", f"{440000000000 + n:012d}") for n in range(4, 23))
MORE_REGIONS = REGIONS[:2]
REGISTRIES = (tuple((f"{env}-{region}", account, region) for region in REGIONS for env, account in ACCOUNTS)
              + tuple((f"{env}-{region}", account, region) for region in MORE_REGIONS for env, account in MORE_ACCOUNTS))
TAG = "v1"
UNCHANGED_RUNS = 5  # the unchanged republish is timed this many times (docker, then image-pipeline, in turn)
MODES = ("docker", "skopeo", "pipeline", "replicated")
LABELS = {"docker": "docker push loop", "skopeo": "skopeo copy loop", "pipeline": "image-pipeline",
          "replicated": "image-pipeline + replication", "docker-unchanged": "docker push loop, unchanged",
          "pipeline-unchanged": "image-pipeline, unchanged"}
RESULTS = ROOT / "benchmarks" / "results"


class BenchError(Exception):
    """A problem that ends the benchmark with one line."""


@dataclass
class Case:
    destinations: int
    mode: str
    seconds: float
    client_bytes: int | None
    bytes_method: str
    image_bytes: int | None = None  # compressed size of one image (its layers, as the manifest lists them)
    sources: int = 0  # registries the client pushed to
    replication_lag: float | None = None  # last replica's imagePushedAt - the source's (whole seconds)
    ratio_vs_docker: float | None = None
    statuses: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def repository_name(run_id: str, mode: str, count: int) -> str:
    # two-digit counts: no name is a prefix of another (ECR's replication filters are PREFIX_MATCH)
    return f"bench/fanout-{run_id}/{mode}-{count:02d}"


def chosen(count: int) -> tuple[tuple[str, str, str], ...]:
    return REGISTRIES[:count]


def bench_spec(base: dict[str, Any], run_id: str, counts: list[int]) -> dict[str, Any]:
    """cdk.json's spec (defaults, registry scanning) with the first max(counts) registries as environments, and
    per count one repository fed by the client and one replicated from the first registry to the others."""
    registry = {k: v for k, v in (base.get("registry") or {}).items() if k in ("scan_type", "scanning_rules")}
    spec: dict[str, Any] = {
        "environments": {name: {"account": account, "regions": [region]}
                         for name, account, region in chosen(max(counts))},
        "defaults": base.get("defaults") or {},
        "registry": registry,
        "repositories": [],
    }
    for count in counts:
        names = [name for name, _, _ in chosen(count)]
        spec["repositories"].append({"name": repository_name(run_id, "pipeline", count), "environments": names})
        spec["repositories"].append({
            "name": repository_name(run_id, "replicated", count), "environments": names[:1],
            "replicate_to": [{"account": a, "region": r} for _, a, r in chosen(count)[1:]]})
    return spec


def replication_rules(spec_dict: dict[str, Any]) -> tuple[tuple[str, str], dict[str, dict[str, Any]]]:
    """What `cdk deploy` would put in the source registry: the spec's own replication rules (``ecr_spec``,
    merged by destination set), in the API's shape. Returns ((account, region), {repository: its rule}).
    The benchmark puts them all at once, as one configuration (ECR takes up to 10 rules; so does the sandbox)."""
    from ecr_spec import Target, load_spec

    spec = load_spec(spec_dict)
    name, account, region = REGISTRIES[0]
    rules: dict[str, dict[str, Any]] = {}
    for rule in spec.replication_rules(Target(name, account, region)):
        body = {"destinations": [{"region": d.region, "registryId": d.account} for d in rule.destinations],
                "repositoryFilters": [{"filter": n, "filterType": "PREFIX_MATCH"} for n in rule.repositories]}
        rules.update({n: body for n in rule.repositories})
    return (account, region), rules


def layer_bytes(ecr: Any, repository: str, tag: str, timeout: float = 60.0) -> int:
    """Compressed size of the image's layers in one registry, from its manifest (ECR's `batch_get_image`;
    the sandbox records a push a moment after the registry took it, hence the wait)."""
    deadline = time.monotonic() + timeout
    while True:
        images = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
        if images:
            manifest = json.loads(images[0]["imageManifest"])
            return sum(int(layer["size"]) for layer in manifest.get("layers") or [])
        if time.monotonic() > deadline:
            raise BenchError(f"{repository}:{tag} never showed up in ECR after the push ({timeout:.0f} s)")
        time.sleep(0.2)


def pushed_at(ecr: Any, repository: str, tag: str) -> float:
    """When the registry recorded the image (ECR's `imagePushedAt`; the sandbox's moto keeps whole seconds)."""
    details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    return float(details[0]["imagePushedAt"].timestamp())


def skopeo_loop(context: Path, local: str, uris: list[str], tag: str, env: dict[str, str], daemon_host: str,
                authfile: Path, certs_d: Path) -> float:
    """docker build once, then `skopeo copy` from the engine to each destination, one after the other."""
    started = time.monotonic()
    timed(["docker", "build", "-q", "-t", f"{local}:{tag}", str(context)], env)
    for destination in uris:
        host = destination.split("/", 1)[0]
        timed(["skopeo", "copy", "--quiet", "--src-daemon-host", daemon_host, "--dest-cert-dir",
               str(certs_d / host), "--dest-authfile", str(authfile), f"docker-daemon:{local}:{tag}",
               f"docker://{destination}:{tag}"], env)
    return time.monotonic() - started


def pipeline_case(count: int, mode: str, seconds: float, rows: list[dict[str, Any]], image: int | None) -> Case:
    uploaded = [row.get("uploaded_bytes") for row in rows]
    client = None if any(b is None for b in uploaded) else sum(int(b) for b in uploaded)
    return Case(count, mode, seconds, client, "sum of uploaded_bytes (--json)", image,
                sources=sum(1 for b in uploaded if b), statuses=[row["status"] for row in rows],
                rows=[{k: row.get(k) for k in ("environment", "account", "region", "status", "digest", "seconds",
                                               "uploaded_bytes")} for row in rows])


def megabytes(value: int | None) -> str:
    return "?" if value is None else f"{value / 1e6:.1f}"


def table(cases: list[Case]) -> list[str]:
    lines = [f"{'dests':>5}  {'mode':<30}{'wall s':>8}{'client MB':>11}{'vs docker':>11}  statuses",
             "-" * 92]
    for case in cases:
        ratio = "-" if case.ratio_vs_docker is None else f"{case.ratio_vs_docker:.2f}x"
        statuses = ",".join(f"{s}x{case.statuses.count(s)}" for s in dict.fromkeys(case.statuses))
        waits = [float(row["seconds"]) for row in case.rows if row.get("status") == "replicated"]
        if waits:
            statuses += f" (waited {min(waits):.1f}-{max(waits):.1f} s"
            statuses += "" if case.replication_lag is None else f"; last replica in {case.replication_lag:.0f} s"
            statuses += ")"
        lines.append(f"{case.destinations:>5}  {LABELS[case.mode]:<30}{case.seconds:>8.2f}"
                     f"{megabytes(case.client_bytes):>11}{ratio:>11}  {statuses}")
    lines.append("client MB: image-pipeline = sum of --json uploaded_bytes (compressed layers the client sent);")
    lines.append("docker and skopeo loops = compressed layer size of the pushed image x destinations, each push")
    lines.append("being cold (fresh repository, fresh content); an unchanged docker rerun uploads no layer (0).")
    lines.append("Every time includes the build (docker build / the pipeline's own). Replication: 'waited' is")
    lines.append("publish's wait per replica; 'last replica in' is the last replica's imagePushedAt minus the")
    lines.append("source's (whole seconds): the sandbox's replication itself, every destination at once.")
    return lines


def targets(cases: list[Case], counts: list[int]) -> list[dict[str, Any]]:
    def find(count: int, mode: str) -> Case | None:
        return next((c for c in cases if c.destinations == count and c.mode == mode), None)

    found: list[dict[str, Any]] = []
    for count in counts:
        case = find(count, "replicated")
        if case and case.client_bytes is not None and case.image_bytes:
            per_source = case.client_bytes / case.image_bytes / max(case.sources, 1)
            found.append({"target": f"replication, {count} dests: client bytes = one image per source registry",
                          "value": f"{case.client_bytes} B to {case.sources} source(s), image {case.image_bytes} B "
                                   f"({per_source:.2f} image per source)",
                          "ok": case.sources == 1 and case.client_bytes == case.image_bytes})
    low, high = counts[0], counts[-1]
    for count, limit in ((low, 0.35), (high, 0.25)):
        cold = find(count, "pipeline")
        if cold and cold.ratio_vs_docker is not None and (count == low or high > low):
            found.append({"target": f"no replication, cold {count} dests <= {limit:.2f}x docker loop",
                          "value": f"{cold.ratio_vs_docker:.2f}x", "ok": cold.ratio_vs_docker <= limit})
    if high > low:
        linear = high / low
        for mode in ("pipeline", "docker", "skopeo", "replicated"):
            first, last = find(low, mode), find(high, mode)
            if first and last:
                growth = last.seconds / first.seconds
                entry: dict[str, Any] = {"target": f"{LABELS[mode]}: time({high})/time({low}) vs {linear:.1f} linear",
                                         "value": f"{growth:.2f}"}
                if mode == "pipeline":
                    entry["target"] = f"no replication: time({high})/time({low}) <= 1.8"
                    entry["ok"] = growth <= 1.8
                found.append(entry)
    warm = find(low, "pipeline-unchanged")
    if warm and warm.ratio_vs_docker is not None:
        found.append({"target": f"unchanged republish, {low} dests <= 0.30x docker rerun",
                      "value": f"{warm.ratio_vs_docker:.2f}x", "ok": warm.ratio_vs_docker <= 0.30})
    return found


def target_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = ["targets (issue 16):"]
    for entry in found:
        verdict = "" if "ok" not in entry else ("  ok" if entry["ok"] else "  MISSED")
        lines.append(f"  {entry['target']}: {entry['value']}{verdict}")
    return lines


def plot(cases: list[Case], counts: list[int], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    colours = {"docker": "C0", "skopeo": "C1", "pipeline": "C2", "replicated": "C3"}
    for mode in MODES:
        points = [(c.destinations, c.seconds) for c in cases if c.mode == mode]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=colours[mode],
                      label=LABELS[mode])
    for mode in ("docker", "pipeline"):
        points = [(c.destinations, c.seconds) for c in cases if c.mode == f"{mode}-unchanged"]
        if points:
            axes.scatter([p[0] for p in points], [p[1] for p in points], marker="x", s=60, color=colours[mode],
                         label=LABELS[f"{mode}-unchanged"])
    axes.set_xticks(counts)
    axes.set_xlabel("destination registries")
    axes.set_ylabel("wall time (s), build included")
    axes.set_title(title)
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def parse_counts(text: str) -> list[int]:
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise BenchError(f"--counts: {text!r} is not a comma-separated list of numbers") from None
    if not counts or counts[0] < 2 or counts[-1] > len(REGISTRIES):
        raise BenchError(f"--counts: {text!r}: each count must be between 2 and {len(REGISTRIES)}")
    return counts


def version(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "unknown"


def run(args: argparse.Namespace) -> int:
    import boto3

    from ecr_sandbox import api
    from ecr_sandbox.api import SystemPaths

    counts = parse_counts(args.counts)
    if args.megabytes < 1:
        raise BenchError(f"--megabytes: {args.megabytes} must be at least 1")
    modes = [m for m in MODES if not (args.skip_baselines and m in ("docker", "skopeo"))]
    try:  # before the long part: an unwritable place fails now
        args.results.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BenchError(f"--results: cannot create {args.results}: {exc.strerror}") from None
    for tool in ("docker", *(("skopeo",) if "skopeo" in modes else ())):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} is not installed: `apt-get install -y {'skopeo' if tool == 'skopeo' else 'docker.io'}`"
                             " as root (`make bench` does it)")
    base = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    run_id = f"{int(time.time())}"
    spec_dict = bench_spec(base, run_id, counts)
    started = time.monotonic()
    cases: list[Case] = []
    local_refs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as scratch:
        work = Path(scratch)
        spec_file = work / "spec.json"
        spec_file.write_text(json.dumps(spec_dict, indent=1))
        source, rules = replication_rules(spec_dict)  # checks the spec before anything starts
        accounts = sorted({account for _, account, _ in chosen(counts[-1])})
        print(f"starting the sandbox with {counts[-1]} registries ({len(accounts)} accounts) ...", flush=True)
        info = api.ensure_up(spec_path=str(spec_file), cdk_json=ROOT / "cdk.json")
        api.apply_env(info)
        env = {**os.environ, "DOCKER_BUILDKIT": "0", "DOCKER_CONFIG": str(work / "docker")}
        daemon_host = info.env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        certs_d = SystemPaths.default().certs_d
        sessions = {account: boto3.Session(profile_name=info.profile(account)) for account in accounts}
        clients: dict[tuple[str, str], Any] = {}

        def ecr(account: str, region: str) -> Any:
            if (account, region) not in clients:
                clients[(account, region)] = sessions[account].client("ecr", region_name=region)
            return clients[(account, region)]

        for count in counts:  # what `cdk deploy` would have made: every repository, replicas included
            for mode in modes:
                for _, account, region in chosen(count):
                    ecr(account, region).create_repository(repositoryName=repository_name(run_id, mode, count))
        if "replicated" in modes:  # the source registry's replication configuration, as the stack deploys it
            bodies = {json.dumps(body, sort_keys=True): body for body in rules.values()}
            ecr(*source).put_replication_configuration(replicationConfiguration={"rules": list(bodies.values())})
            # ... and each other account's registry policy, as the destination stacks deploy it: ECR replicates across
            # accounts only where it grants the source ecr:CreateRepository and ecr:ReplicateImage (user guide,
            # "Private registry permissions in Amazon ECR"; the sandbox fails the replication otherwise)
            for account, region in {(d["registryId"], d["region"]) for body in bodies.values()
                                    for d in body["destinations"] if d["registryId"] != source[0]}:
                ecr(account, region).put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Sid": "ReplicationFromSource", "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{source[0]}:root"},
                    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                    "Resource": f"arn:aws:ecr:{region}:{account}:repository/*"}]}))
        for _, account, region in chosen(counts[-1]):  # the docker CLI and skopeo log in once, outside the timings
            docker_login(sessions[account], account, region, env)
        authfile = work / "docker" / "config.json"

        def loop_case(count: int, mode: str, seconds: float, repository: str, note: str) -> Case:
            sizes = [layer_bytes(ecr(a, r), repository, TAG) for _, a, r in chosen(count)]
            return Case(count, mode, seconds, sum(sizes), note, sizes[0], sources=count)

        try:
            for count in counts:
                uris = {mode: [uri(a, r, repository_name(run_id, mode, count)) for _, a, r in chosen(count)]
                        for mode in modes}
                local_refs += [f"{u}:{TAG}" for mode in modes for u in uris[mode]]
                contexts = {}
                print(f"{count} destinations: generating {len(modes)} x {args.megabytes} MB of incompressible "
                      "layers ...", flush=True)
                for mode in modes:
                    contexts[mode] = make_context(work / f"{mode}-{count}", f"{run_id}-{mode}-{count}",
                                                  args.megabytes)
                steps: list[tuple[str, Callable[[], Case]]] = []
                if "docker" in modes:
                    steps.append(("docker", lambda: loop_case(
                        count, "docker", push_loop(contexts["docker"], uris["docker"], TAG, env),
                        repository_name(run_id, "docker", count), "layer size x destinations (cold pushes)")))
                if "skopeo" in modes:
                    local = f"bench-fanout/skopeo-{run_id}-{count:02d}"
                    local_refs.append(f"{local}:{TAG}")
                    steps.append(("skopeo", lambda: loop_case(
                        count, "skopeo", skopeo_loop(contexts["skopeo"], local, uris["skopeo"], TAG, env, daemon_host,
                                                     authfile, certs_d),
                        repository_name(run_id, "skopeo", count), "layer size x destinations (cold pushes)")))
                for mode in ("pipeline", "replicated"):
                    def publish(mode: str = mode) -> Case:
                        name = repository_name(run_id, mode, count)
                        seconds, rows = pipeline_publish(contexts[mode], spec_file, name, TAG, env)
                        case = pipeline_case(count, mode, seconds, rows, layer_bytes(ecr(*chosen(count)[0][1:]), name, TAG))
                        if mode == "replicated":  # how long the sandbox's replication itself took
                            arrived = [pushed_at(ecr(a, r), name, TAG) for _, a, r in chosen(count)]
                            case.replication_lag = max(arrived[1:]) - arrived[0]
                        return case
                    steps.append((mode, publish))
                for mode, step in steps:
                    print(f"{count} destinations: {LABELS[mode]} ...", flush=True)
                    cases.append(step())
                if count == counts[0]:  # a run of well under a second: the median of UNCHANGED_RUNS, taken in turn
                    print(f"{count} destinations: unchanged republish, {UNCHANGED_RUNS} runs each ...", flush=True)
                    name = repository_name(run_id, "pipeline", count)
                    docker_runs, pipeline_runs, rows = [], [], []
                    for _ in range(UNCHANGED_RUNS):
                        if "docker" in modes:
                            docker_runs.append(push_loop(contexts["docker"], uris["docker"], TAG, env))
                        seconds, rows = pipeline_publish(contexts["pipeline"], spec_file, name, TAG, env)
                        pipeline_runs.append(seconds)
                    if docker_runs:
                        cases.append(Case(count, "docker-unchanged", statistics.median(docker_runs), 0,
                                          "0: every layer already exists in every destination"))
                    cases.append(pipeline_case(count, "pipeline-unchanged", statistics.median(pipeline_runs), rows, None))
                remove_images(local_refs, env)  # the local copies (N x 150 MB); the registries keep theirs
                for context in contexts.values():
                    shutil.rmtree(context, ignore_errors=True)
        finally:
            remove_images(local_refs, env)
        engine = version(["docker", "version", "--format", "{{.Server.Version}}"], env)
        skopeo = version(["skopeo", "--version"], env) if "skopeo" in modes else "not run"

    total = time.monotonic() - started
    docker_times = {c.destinations: c.seconds for c in cases if c.mode == "docker"}
    docker_unchanged = {c.destinations: c.seconds for c in cases if c.mode == "docker-unchanged"}
    for case in cases:
        reference = (docker_unchanged if case.mode.endswith("unchanged") else docker_times).get(case.destinations)
        case.ratio_vs_docker = case.seconds / reference if reference else None
    found = targets(cases, counts)
    report = table(cases) + [""] + target_lines(found)
    print()
    print("\n".join(report))
    results = args.results
    document = {
        "benchmark": "benchmarks/fanout.py", "run_id": run_id, "megabytes": args.megabytes, "layers": LAYERS,
        "counts": counts, "registries": [list(r) for r in chosen(counts[-1])], "total_seconds": round(total, 1),
        "replication_delay_seconds": float(os.environ.get("ECR_SANDBOX_REPLICATION_DELAY") or 1.5),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "docker_engine": engine,
                    "skopeo": skopeo},
        "cases": [asdict(c) for c in cases], "targets": found,
    }
    (results / "fanout.json").write_text(json.dumps(document, indent=1) + "\n")
    plot(cases, counts, results / "fanout.png",
         f"{args.megabytes} MB, {LAYERS} incompressible layers, ECR sandbox ({os.cpu_count()} CPUs)")
    print(f"\nwrote {results / 'fanout.json'} and fanout.png in {total:.0f} s")
    print(f"the sandbox now runs this benchmark's {counts[-1]} registries: `.venv/bin/python -m ecr_sandbox down` "
          "stops it (`make sandbox-up` then starts the normal one)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=150, help="image size (default 150)")
    parser.add_argument("--counts", default="3,6,12", help=f"destination counts, 2..{len(REGISTRIES)} "
                        "(default 3,6,12)")
    parser.add_argument("--skip-baselines", action="store_true",
                        help="only image-pipeline (no docker push loop, no skopeo; no ratios)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where fanout.json and fanout.png go (default benchmarks/results)")
    args = parser.parse_args()
    from botocore.exceptions import BotoCoreError, ClientError

    from ecr_sandbox.api import SandboxError
    from ecr_spec import SpecError

    try:
        return run(args)
    except SpecError as exc:
        print("\n".join(f"error: benchmark spec: {p}" for p in exc.problems), file=sys.stderr)
    except (BenchError, SandboxError, BotoCoreError, ClientError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
