"""Arguments -> settings: each command's frozen settings object (``commands.settings``), built from the parsed
arguments and, where an option has one, its environment-variable fallback (the option wins)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Mapping

from ..core.errors import SettingsError
from ..core.retry import DEFAULT_ATTEMPTS, RetryPolicy
from ..oci.media import Platform
from ..commands.settings import (DEFAULT_TIMEOUT, AssembleSettings, AttachSettings, BuildSettings, ComposeSettings,
                                 CredentialSettings, LifecycleSettings, LoginSettings, PromoteSettings,
                                 PublishSettings, PullSettings, SpecSource, split_reference)
from .variables import (ATTEMPTS_VARIABLE, DEADLINE_VARIABLE, DOCKER_CONFIG_VARIABLE, PROFILE_TEMPLATE_VARIABLE,
                        SPEC_OVERRIDE_VARIABLE, TIMEOUT_VARIABLE)

Environ = Mapping[str, str]

__all__ = ["assemble_settings", "attach_settings", "compose_settings", "lifecycle_settings", "login_settings", "promote_settings",
           "publish_settings", "pull_settings"]


def number(value: object, option: str, variable: str | None, environ: Environ, *, integer: bool = False
           ) -> float | None:
    """``value`` (from the command line), else ``$variable``, else None; a positive number or SettingsError."""
    source = option
    if value is None and variable and environ.get(variable):
        value, source = environ[variable], f"${variable}"
    if value is None:
        return None
    try:
        parsed = int(str(value)) if integer else float(str(value))
    except ValueError:
        raise SettingsError(f"{source}: {value!r} is not a {'whole ' if integer else ''}number") from None
    if parsed <= 0:
        raise SettingsError(f"{source}: {value!r} must be greater than 0")
    return parsed


def spec_source(args: argparse.Namespace, environ: Environ) -> SpecSource:
    override = args.spec or (Path(environ[SPEC_OVERRIDE_VARIABLE]) if environ.get(SPEC_OVERRIDE_VARIABLE) else None)
    return SpecSource(cdk_json=Path(args.cdk_json), override=override)


def credentials(environ: Environ) -> CredentialSettings:
    return CredentialSettings(profile_template=environ.get(PROFILE_TEMPLATE_VARIABLE) or None)


def retry_policy(args: argparse.Namespace, environ: Environ) -> RetryPolicy:
    attempts = number(getattr(args, "attempts", None), "--attempts", ATTEMPTS_VARIABLE, environ, integer=True)
    return RetryPolicy(attempts=int(attempts or DEFAULT_ATTEMPTS))


def build_settings(args: argparse.Namespace) -> BuildSettings:
    pairs = []
    for value in args.build_arg:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise SettingsError(f"--build-arg {value!r} must be KEY=VALUE")
        pairs.append((key, val))
    return BuildSettings(context=Path(args.context), dockerfile=args.dockerfile, target=args.target,
                         build_args=tuple(pairs))


def _publish_options(args: argparse.Namespace, environ: Environ) -> dict[str, object]:
    return dict(environments=tuple(args.env), tags=tuple(args.tag), dry_run=args.dry_run,
                spec=spec_source(args, environ), credentials=credentials(environ),
                retry=retry_policy(args, environ), rebuild=getattr(args, "rebuild", False),
                allow_partial=args.allow_partial,
                timeout=number(args.timeout, "--timeout", TIMEOUT_VARIABLE, environ) or DEFAULT_TIMEOUT,
                deadline=number(args.deadline, "--deadline", DEADLINE_VARIABLE, environ),
                wait=not getattr(args, "no_wait", False))


def platforms(values: list[str]) -> tuple[str, ...]:
    """``--platform`` values (each comma-separated), checked, without repeats, in order."""
    found: dict[str, None] = {}
    problems = []
    for value in values:
        for text in value.split(","):
            try:
                found[str(Platform.parse(text))] = None
            except ValueError as error:
                problems.append(f"--platform {error}")
    if problems:
        raise SettingsError("; ".join(problems))
    return tuple(found)


def publish_settings(args: argparse.Namespace, environ: Environ = os.environ) -> PublishSettings:
    return PublishSettings(repository=args.repository, build=build_settings(args),
                           platforms=platforms(getattr(args, "platform", [])),
                           manifest_list=bool(getattr(args, "manifest_list", False)),
                           **_publish_options(args, environ))  # type: ignore[arg-type]


def compose_settings(args: argparse.Namespace, environ: Environ = os.environ) -> ComposeSettings:
    return ComposeSettings(file=Path(args.file), **_publish_options(args, environ))  # type: ignore[arg-type]


def login_settings(args: argparse.Namespace, environ: Environ = os.environ) -> LoginSettings:
    config = (Path(args.docker_config) if args.docker_config else
              Path(environ[DOCKER_CONFIG_VARIABLE]) if environ.get(DOCKER_CONFIG_VARIABLE) else Path.home() / ".docker")
    return LoginSettings(environments=tuple(args.env), docker_config=config,
                         plaintext=bool(getattr(args, "plaintext", False)), spec=spec_source(args, environ),
                         credentials=credentials(environ))


def pull_settings(args: argparse.Namespace, environ: Environ = os.environ) -> PullSettings:
    repository, tag = split_reference(args.reference)
    return PullSettings(repository=repository, tag=tag, environment=args.env, region=args.region,
                        profile=args.profile, spec=spec_source(args, environ), credentials=credentials(environ),
                        retry=retry_policy(args, environ))


def lifecycle_settings(args: argparse.Namespace, environ: Environ = os.environ) -> LifecycleSettings:
    if args.images is not None and not args.local:
        raise SettingsError("--images works with --local (the spec's policy, evaluated here)")
    return LifecycleSettings(repository=args.repository, environments=tuple(args.env), use_preview_api=not args.local,
                             images_file=args.images, spec=spec_source(args, environ),
                             credentials=credentials(environ))


def split_digest(reference: str) -> tuple[str, str]:
    """``team/app@sha256:...`` -> (``team/app``, ``sha256:...``); SettingsError without a digest."""
    name, separator, digest = reference.partition("@")
    if not separator or not name or not digest:
        raise SettingsError(f"{reference!r} is not REPOSITORY@DIGEST (promote moves an image by its digest, e.g. "
                            f"team/app@sha256:...)")
    return name, digest


def promote_settings(args: argparse.Namespace, environ: Environ = os.environ) -> PromoteSettings:
    repository, digest = split_digest(args.reference)
    return PromoteSettings(repository=repository, digest=digest, source=args.source, source_region=args.from_region,
                           **_publish_options(args, environ))  # type: ignore[arg-type]


def attach_settings(args: argparse.Namespace, environ: Environ = os.environ) -> AttachSettings:
    if "@" in args.reference:
        repository, reference = split_digest(args.reference)
    else:
        repository, reference = split_reference(args.reference)
    return AttachSettings(repository=repository, reference=reference, file=Path(args.file),
                          artifact_type=args.artifact_type, environments=tuple(args.env),
                          spec=spec_source(args, environ), credentials=credentials(environ),
                          retry=retry_policy(args, environ),
                          timeout=number(args.timeout, "--timeout", TIMEOUT_VARIABLE, environ) or DEFAULT_TIMEOUT)


def assemble_settings(args: argparse.Namespace, environ: Environ = os.environ) -> AssembleSettings:
    return AssembleSettings(repository=args.repository, children=tuple(args.children),
                            manifest_list=bool(args.manifest_list), **_publish_options(args, environ))  # type: ignore[arg-type]
