"""``compose-publish``: build and publish every compose service whose ``image`` names a spec repository
(``team/app[:tag]`` or an ECR URI ``ACCOUNT.dkr.ecr.REGION.amazonaws.com/team/app[:tag]``).

The file is parsed as YAML first; ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``$VAR`` (and ``$$``
for a literal ``$``) are then substituted inside string values only, so a variable's value is always data:
it can never add keys or change the document's structure."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from ..core.deadline import Deadline
from ..core.errors import ComposeError
from .publish import held_back, prepare, push_ready
from .ready import Ready
from .results import PublishResult
from .runtime import Runtime
from .settings import BuildSettings, ComposeSettings, PublishOptions, PublishSettings

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_ECR_HOST = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True)
class Service:
    name: str
    repository: str
    tag: str | None
    build: BuildSettings


def interpolate(text: str, environ: Mapping[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``$VAR`` and ``$$`` in one string value."""
    def value(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        default = match.group(2) or ""
        return environ.get(match.group(1) or match.group(3), default) or default
    return _VARIABLE.sub(value, text)


def substitute(node: Any, environ: Mapping[str, str]) -> Any:
    """``interpolate`` applied to every string value of a parsed document (mapping keys stay as written)."""
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, dict):
        return {key: substitute(value, environ) for key, value in node.items()}
    if isinstance(node, list):
        return [substitute(item, environ) for item in node]
    return node


def split_image(image: str) -> tuple[str, str | None]:
    """``HOST/team/app:tag`` -> (``team/app``, ``tag``); the ECR host is dropped."""
    first, _, rest = image.partition("/")
    name = rest if rest and _ECR_HOST.match(first) else image
    if ":" in name.rsplit("/", 1)[-1]:
        name, _, tag = name.rpartition(":")
        return name, tag
    return name, None


def build_settings(service: str, raw: Any, base: Path) -> BuildSettings:
    if isinstance(raw, str):
        return BuildSettings(context=base / raw)
    if not isinstance(raw, dict):
        raise ComposeError(f"service {service!r}: build must be a path or a mapping")
    args = raw.get("args") or {}
    if isinstance(args, list):
        args = dict(str(a).split("=", 1) for a in args if "=" in str(a))
    return BuildSettings(context=base / str(raw.get("context", ".")), dockerfile=raw.get("dockerfile"),
                         target=raw.get("target"),
                         build_args=tuple((str(k), str(v)) for k, v in args.items() if v is not None))


def read_services(path: Path, repositories: set[str], environ: Mapping[str, str] = os.environ) -> list[Service]:
    try:
        import yaml
    except ImportError as error:
        raise ComposeError("compose-publish needs PyYAML (pip install PyYAML)") from error
    try:
        document = substitute(yaml.safe_load(path.read_text(encoding="utf-8")), environ)
    except (OSError, yaml.YAMLError) as error:
        raise ComposeError(f"cannot read compose file {path}: {error}") from error
    services = (document or {}).get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict):
        raise ComposeError(f"compose file {path} has no 'services' mapping")
    found = []
    for name, body in services.items():
        if not isinstance(body, dict) or "image" not in body or "build" not in body:
            continue
        repository, tag = split_image(str(body["image"]))
        if repository in repositories:
            found.append(Service(str(name), repository, tag, build_settings(str(name), body["build"], path.parent)))
    return found


def compose_publish(settings: ComposeSettings, runtime: Runtime) -> list[PublishResult]:
    """Every service through pre-flight and its build first; then, only if none failed (or with
    ``allow_partial``), every service's pushes."""
    repositories = {r.name for r in runtime.spec.repositories}
    services = read_services(settings.file, repositories)
    if not services:
        raise ComposeError(f"no service in {settings.file} has both 'build' and an 'image' naming a repository "
                           f"of the spec ({', '.join(sorted(repositories))})")
    overall = Deadline(settings.deadline, label="--deadline")
    prepared: list[Ready | PublishResult] = []
    for service in services:
        envs = tuple(e for e in settings.environments
                     if e in runtime.spec.repository(service.repository).environments)
        if settings.environments and not envs:
            runtime.progress.log(f"service {service.name}: {service.repository} is in none of the chosen environments")
            continue
        tags = settings.tags or ((service.tag,) if service.tag else ())
        runtime.progress.log(f"service {service.name} -> {service.repository}")
        options = {f.name: getattr(settings, f.name) for f in fields(PublishOptions)}
        options.update(environments=envs, tags=tags)
        prepared.append(prepare(PublishSettings(repository=service.repository, build=service.build, **options),
                                runtime, overall))
    stop = not settings.allow_partial and any(isinstance(p, PublishResult) and not p.ok for p in prepared)
    return [p if isinstance(p, PublishResult) else held_back(p) if stop else push_ready(p, runtime, overall)
            for p in prepared]
