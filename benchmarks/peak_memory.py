"""Runs a command and measures its wall time and the peak memory of its whole process tree.

`cdk synth` is three processes deep (the CDK CLI, the Python app, the jsii runtime's Node.js that holds every
construct), so the peak is the largest sum of resident set sizes (RSS) over the tree, sampled from /proc every
20 ms (Linux). A sample can miss a short spike; the construct tree grows steadily, so the peak is its end.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Sequence

_PAGE = os.sysconf("SC_PAGE_SIZE")
_INTERVAL = 0.02


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])  # the command name may hold spaces and ')'
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _tree_rss(root: int) -> int:
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def run_measured(command: Sequence[str], **popen_args: object) -> tuple[float, int]:
    """Runs ``command`` to the end (``check=True`` semantics); returns (wall seconds, peak tree RSS in bytes)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen_args)  # type: ignore[call-overload]
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(_INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    return seconds, peak
