#!/usr/bin/env python3
"""Where a synth's time goes: runs the project's app.py or the plain app in this process, for one of synth.py's
sizes, and prints the time of each phase (imports, building the constructs, ``app.synth()``), every call that
crossed into the jsii runtime's Node.js (by kind and target: a ``create`` of a class, a ``get`` of a property,
an ``invoke`` of a method, and the callbacks Node.js made into Python), and cProfile's top functions.

Each crossing is a JSON request and answer over a pipe, so building the constructs costs about their number; what
``app.synth()`` does happens inside Node.js (profile it with ``JSII_NODE`` pointing at a script that runs
``node --cpu-prof "$@"``).
Usage: .venv/bin/python -O benchmarks/synth_profile.py [--app project|plain] [--size 300|3000|6000] [--top N]
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import runpy
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APPS = {"project": ROOT / "app.py", "plain": HERE / "plain_app.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=APPS, default="project")
    parser.add_argument("--size", type=int, default=3000, help="repositories, one of synth.py's sizes (default 3000)")
    parser.add_argument("--top", type=int, default=25, help="rows of each table (default 25)")
    args = parser.parse_args()
    sys.path[:0] = [str(HERE), str(ROOT)]
    from synth import SIZES, generate

    tmp = Path(tempfile.mkdtemp(prefix="synth-profile-"))
    spec_file = tmp / "spec.json"
    spec_file.write_text(json.dumps(generate(args.size, *SIZES[args.size])))
    os.environ.update(CDK_CONTEXT_JSON=json.dumps({"ecr-spec": str(spec_file)}), CDK_OUTDIR=str(tmp / "out"),
                      JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    started = time.perf_counter()
    import aws_cdk as cdk
    from jsii._kernel import providers

    imported = time.perf_counter()
    crossings: collections.Counter[tuple[str, str]] = collections.Counter()
    send = providers.process._NodeProcess.send

    def counted_send(process: object, request: object, response_type: object) -> object:
        target = getattr(request, "fqn", None) or ""
        for attribute in ("method", "property"):
            if getattr(request, attribute, None):
                target += "." + getattr(request, attribute)
        crossings[(type(request).__name__.removesuffix("Request"), target)] += 1
        return send(process, request, response_type)

    providers.process._NodeProcess.send = counted_send  # type: ignore[method-assign]
    phases: dict[str, float] = {}
    app_synth = cdk.App.synth

    def timed_synth(app: cdk.App, *a: object, **k: object) -> object:
        phases["synth"] = time.perf_counter()
        phases["calls before synth"] = sum(crossings.values())
        try:
            return app_synth(app, *a, **k)
        finally:
            phases["synth end"] = time.perf_counter()

    cdk.App.synth = timed_synth  # type: ignore[method-assign]
    profile = cProfile.Profile()
    sys.argv = [str(APPS[args.app])]
    profile.enable()
    try:
        runpy.run_path(str(APPS[args.app]), run_name="__main__")
    except SystemExit:
        pass
    profile.disable()
    stacks = SIZES[args.size][0]
    print(f"{args.app}, {args.size} repositories in {stacks} stacks (times under cProfile):")
    print(f"  imports {imported - started:.2f} s, constructs {phases['synth'] - imported:.2f} s "
          f"({phases['calls before synth']:.0f} crossings), app.synth() {phases['synth end'] - phases['synth']:.2f} s")
    by_kind: collections.Counter[str] = collections.Counter()
    for (kind, _), count in crossings.items():
        by_kind[kind] += count
    print(f"  crossings into Node.js: {sum(crossings.values())} " + ", ".join(f"{k} {v}" for k, v in by_kind.most_common()))
    print(f"  per repository: {sum(crossings.values()) / args.size:.1f}")
    for (kind, target), count in crossings.most_common(args.top):
        print(f"  {count:>7} {kind} {target}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
