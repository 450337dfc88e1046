"""One frozen settings object per command. The CLI builds them from arguments and environment variables;
the plain functions only ever read these."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROFILE_TEMPLATE_VARIABLE = "IMAGE_PIPELINE_PROFILE_TEMPLATE"
SPEC_OVERRIDE_VARIABLE = "ECR_SPEC"
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class SpecSource:
    """Where the registry spec comes from: cdk.json's ``ecr`` context, or a spec file that replaces it."""

    cdk_json: Path = Path("cdk.json")
    override: Path | None = None


@dataclass(frozen=True)
class CredentialSettings:
    """How a destination account's AWS credentials are found, in this order: the environment's
    ``publish_role_arn`` (assumed from the base session), a profile named by ``profile_template``
    (placeholders ``{account}`` and ``{environment}``), the default credential chain.
    ``base_profile`` picks the base session's profile (None: the default chain)."""

    profile_template: str | None = None
    base_profile: str | None = None


@dataclass(frozen=True)
class RetrySettings:
    """Bounded attempts for transient failures; waits are exponential with full jitter (see ``retry``)."""

    attempts: int = 4
    first_delay: float = 0.5
    max_delay: float = 8.0


@dataclass(frozen=True)
class BuildSettings:
    context: Path
    dockerfile: str | None = None
    target: str | None = None
    build_args: tuple[tuple[str, str], ...] = ()


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


@dataclass(frozen=True, kw_only=True)
class PublishSettings(PublishOptions):
    repository: str
    build: BuildSettings


@dataclass(frozen=True)
class LoginSettings:
    environments: tuple[str, ...] = ()
    docker_config: Path = Path.home() / ".docker"
    plaintext: bool = False
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)


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


@dataclass(frozen=True, kw_only=True)
class ComposeSettings(PublishOptions):
    file: Path = Path("docker-compose.yml")


@dataclass(frozen=True)
class LifecycleSettings:
    repository: str
    environments: tuple[str, ...] = ()
    use_preview_api: bool = True
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
