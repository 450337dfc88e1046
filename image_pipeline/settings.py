"""One frozen settings object per command. Each is built by keyword, in its own ``from_args`` classmethod,
from the parsed arguments and (where the option has one) an environment-variable fallback; the plain
functions only ever read these."""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .errors import SettingsError

PROFILE_TEMPLATE_VARIABLE = "IMAGE_PIPELINE_PROFILE_TEMPLATE"
SPEC_OVERRIDE_VARIABLE = "ECR_SPEC"
TIMEOUT_VARIABLE = "IMAGE_PIPELINE_TIMEOUT"
DEADLINE_VARIABLE = "IMAGE_PIPELINE_DEADLINE"
ATTEMPTS_VARIABLE = "IMAGE_PIPELINE_ATTEMPTS"
DOCKER_CONFIG_VARIABLE = "DOCKER_CONFIG"
DEFAULT_TIMEOUT = 600.0
DEFAULT_ATTEMPTS = 4
Environ = Mapping[str, str]


def _number(value: object, option: str, variable: str | None, environ: Environ, *, integer: bool = False
            ) -> float | None:
    """``value`` (from the command line), else ``$variable``, else None; a positive number or SettingsError."""
    source = option
    if value is None and variable and environ.get(variable):
        value, source = environ[variable], f"${variable}"
    if value is None:
        return None
    try:
        number = int(str(value)) if integer else float(str(value))
    except ValueError:
        raise SettingsError(f"{source}: {value!r} is not a {'whole ' if integer else ''}number") from None
    if number <= 0:
        raise SettingsError(f"{source}: {value!r} must be greater than 0")
    return number


@dataclass(frozen=True)
class SpecSource:
    """Where the registry spec comes from: cdk.json's ``ecr`` context, or a spec file that replaces it."""

    cdk_json: Path = Path("cdk.json")
    override: Path | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> SpecSource:
        override = args.spec or (Path(environ[SPEC_OVERRIDE_VARIABLE]) if environ.get(SPEC_OVERRIDE_VARIABLE)
                                 else None)
        return cls(cdk_json=Path(args.cdk_json), override=override)


@dataclass(frozen=True)
class CredentialSettings:
    """How a destination account's AWS credentials are found, in this order: the environment's
    ``publish_role_arn`` (assumed from the base session), a profile named by ``profile_template``
    (placeholders ``{account}`` and ``{environment}``), the default credential chain.
    ``base_profile`` picks the base session's profile (None: the default chain)."""

    profile_template: str | None = None
    base_profile: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> CredentialSettings:
        return cls(profile_template=environ.get(PROFILE_TEMPLATE_VARIABLE) or None)


@dataclass(frozen=True)
class RetrySettings:
    """Bounded attempts for transient failures; waits are exponential with full jitter (see ``retry``)."""

    attempts: int = DEFAULT_ATTEMPTS
    first_delay: float = 0.5
    max_delay: float = 8.0

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> RetrySettings:
        attempts = _number(getattr(args, "attempts", None), "--attempts", ATTEMPTS_VARIABLE, environ, integer=True)
        return cls(attempts=int(attempts or DEFAULT_ATTEMPTS))


@dataclass(frozen=True)
class BuildSettings:
    context: Path
    dockerfile: str | None = None
    target: str | None = None
    build_args: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildSettings:
        pairs = []
        for value in args.build_arg:
            key, sep, val = value.partition("=")
            if not sep or not key:
                raise SettingsError(f"--build-arg {value!r} must be KEY=VALUE")
            pairs.append((key, val))
        return cls(context=Path(args.context), dockerfile=args.dockerfile, target=args.target,
                   build_args=tuple(pairs))


@dataclass(frozen=True, kw_only=True)
class PublishOptions:
    """What ``publish`` and ``compose-publish`` share."""

    environments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    dry_run: bool = False
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)
    rebuild: bool = False  # build even when an image from the very same inputs exists locally
    allow_partial: bool = False  # push to the destinations that pass pre-flight even when others fail it
    timeout: float = DEFAULT_TIMEOUT  # seconds per destination (its checks, pushes or copy, retries)
    deadline: float | None = None  # seconds for the whole publish, build included; None: no overall limit
    wait: bool = True  # wait for the replicas ECR replication feeds (--no-wait: report them replicating)

    @staticmethod
    def options_from_args(args: argparse.Namespace, environ: Environ) -> dict[str, object]:
        return dict(environments=tuple(args.env), tags=tuple(args.tag), dry_run=args.dry_run,
                    spec=SpecSource.from_args(args, environ), credentials=CredentialSettings.from_args(args, environ),
                    retry=RetrySettings.from_args(args, environ), rebuild=args.rebuild,
                    allow_partial=args.allow_partial,
                    timeout=_number(args.timeout, "--timeout", TIMEOUT_VARIABLE, environ) or DEFAULT_TIMEOUT,
                    deadline=_number(args.deadline, "--deadline", DEADLINE_VARIABLE, environ),
                    wait=not getattr(args, "no_wait", False))


@dataclass(frozen=True, kw_only=True)
class PublishSettings(PublishOptions):
    repository: str
    build: BuildSettings

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> PublishSettings:
        return cls(repository=args.repository, build=BuildSettings.from_args(args),
                   **cls.options_from_args(args, environ))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LoginSettings:
    environments: tuple[str, ...] = ()
    docker_config: Path = Path.home() / ".docker"
    plaintext: bool = False
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> LoginSettings:
        config = (Path(args.docker_config) if args.docker_config else
                  Path(environ[DOCKER_CONFIG_VARIABLE]) if environ.get(DOCKER_CONFIG_VARIABLE) else
                  Path.home() / ".docker")
        return cls(environments=tuple(args.env), docker_config=config,
                   plaintext=bool(getattr(args, "plaintext", False)), spec=SpecSource.from_args(args, environ),
                   credentials=CredentialSettings.from_args(args, environ))


def split_reference(reference: str) -> tuple[str, str]:
    """``team/app:1.2`` -> (``team/app``, ``1.2``); no tag means ``latest``."""
    name, _, tag = reference.rpartition(":") if ":" in reference.rsplit("/", 1)[-1] else (reference, "", "")
    return (name, tag or "latest")


@dataclass(frozen=True)
class PullSettings:
    repository: str
    tag: str = "latest"
    environment: str | None = None
    region: str | None = None
    profile: str | None = None
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> PullSettings:
        repository, tag = split_reference(args.reference)
        return cls(repository=repository, tag=tag, environment=args.env, region=args.region, profile=args.profile,
                   spec=SpecSource.from_args(args, environ), credentials=CredentialSettings.from_args(args, environ),
                   retry=RetrySettings.from_args(args, environ))


@dataclass(frozen=True, kw_only=True)
class ComposeSettings(PublishOptions):
    file: Path = Path("docker-compose.yml")

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> ComposeSettings:
        return cls(file=Path(args.file), **cls.options_from_args(args, environ))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LifecycleSettings:
    repository: str
    environments: tuple[str, ...] = ()
    use_preview_api: bool = True
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Environ = os.environ) -> LifecycleSettings:
        return cls(repository=args.repository, environments=tuple(args.env), use_preview_api=not args.local,
                   spec=SpecSource.from_args(args, environ), credentials=CredentialSettings.from_args(args, environ))
