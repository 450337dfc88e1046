"""What the sandbox benchmarks (publish.py, fanout.py) share: incompressible build contexts, timed steps that
stop the benchmark with one line, registry logins for the plain docker CLI, the `docker push` loop baseline,
`image-pipeline publish --json`, and removing the local images afterwards."""
from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ecr_sandbox.api import registry_host  # noqa: E402  (the sandbox's own ECR host names)

LAYERS = 3


def uri(account: str, region: str, repository: str) -> str:
    """The repository's URI in the sandbox registry of ``account`` and ``region``."""
    return f"{registry_host(account, region)}/{repository}"


def make_context(directory: Path, seed: str, megabytes: int, layers: int = LAYERS) -> Path:
    """A `FROM scratch` build context of ``layers`` layers of pseudo-random (incompressible) bytes from a
    generator seeded with ``seed``, ``megabytes`` in all; made at run time, never committed."""
    directory.mkdir(parents=True)
    generator = random.Random(seed)
    size = megabytes * 1024 * 1024 // layers
    lines = ["FROM scratch"]
    for index in range(layers):
        (directory / f"layer{index}.bin").write_bytes(generator.randbytes(size))
        lines.append(f"COPY layer{index}.bin /data/layer{index}.bin")
    (directory / "Dockerfile").write_text("\n".join(lines) + "\n")
    return directory


def _last_line(text: str) -> str:
    """The last ``error:`` line of a failed step's output, else its last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or ["(no output)"])[-1][:600]


def timed(argv: list[str], env: dict[str, str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Runs ``argv``; its wall time and result. A failing step ends the benchmark with one line (exit 1)."""
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"error: benchmark step failed: {' '.join(argv[:4])}...: {_last_line(done.stderr or done.stdout)}")
    return seconds, done


def docker_login(session: Any, account: str, region: str, env: dict[str, str]) -> None:
    """`docker login` to one ECR registry with a token from ``session``, the password on stdin only (it lands
    in ``$DOCKER_CONFIG/config.json``, which the benchmark keeps in its scratch directory)."""
    data = session.client("ecr", region_name=region).get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1]
    timed(["docker", "login", "-u", "AWS", "--password-stdin", registry_host(account, region)], env, input=password)


def push_loop(context: Path, uris: list[str], tag: str, env: dict[str, str]) -> float:
    """The baseline: docker build, then docker tag + docker push for each destination, one after the other."""
    started = time.monotonic()
    timed(["docker", "build", "-q", "-t", f"{uris[0]}:{tag}", str(context)], env)
    for uri in uris:
        timed(["docker", "tag", f"{uris[0]}:{tag}", f"{uri}:{tag}"], env)
        timed(["docker", "push", "-q", f"{uri}:{tag}"], env)
    return time.monotonic() - started


def pipeline_publish(context: Path, spec: Path, repository: str, tag: str,
                     env: dict[str, str]) -> tuple[float, list[dict[str, Any]]]:
    """`image-pipeline --spec SPEC publish REPOSITORY --json`: wall time and the destinations' rows."""
    seconds, done = timed([sys.executable, "-m", "image_pipeline", "--spec", str(spec), "publish", repository,
                           "--context", str(context), "--tag", tag, "--json"], env)
    return seconds, list(json.loads(done.stdout)["destinations"])


def remove_images(references: Iterable[str], env: dict[str, str]) -> None:
    """Removes local images (by tag or id); the registries keep their copies."""
    for reference in references:
        subprocess.run(["docker", "image", "rm", "-f", reference], env=env, capture_output=True, check=False)
