"""One frozen settings object per command: what the command line (``cli.args``) builds from the arguments and
their environment-variable fallbacks, and the only thing the command functions read."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.retry import RetryPolicy
from ..ecr.config import CredentialSettings, SpecSource
from ..engine.build_inputs import BuildSettings

DEFAULT_TIMEOUT = 600.0

__all__ = ["AssembleSettings", "AttachSettings", "BuildSettings", "ComposeSettings", "PromoteSettings", "CredentialSettings", "DEFAULT_TIMEOUT", "LifecycleSettings",
           "LoginSettings", "PublishOptions", "PublishSettings", "PullSettings", "RetryPolicy", "SpecSource"]


@dataclass(frozen=True, kw_only=True)
class PublishOptions:
    """What ``publish`` and ``compose-publish`` share."""

    environments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    dry_run: bool = False
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rebuild: bool = False  # build even when an image from the very same inputs exists locally
    allow_partial: bool = False  # push to the destinations that pass pre-flight even when others fail it
    timeout: float = DEFAULT_TIMEOUT  # seconds per destination (its checks, uploads, retries)
    deadline: float | None = None  # seconds for the whole publish, build included; None: no overall limit
    wait: bool = True  # wait for the replicas ECR replication feeds (--no-wait: report them replicating)


@dataclass(frozen=True, kw_only=True)
class PublishSettings(PublishOptions):
    repository: str
    build: BuildSettings
    platforms: tuple[str, ...] = ()  # os/arch[/variant] each; two or more make an image index
    manifest_list: bool = False  # the index as a Docker manifest list (Docker media types) instead of OCI


@dataclass(frozen=True, kw_only=True)
class PromoteSettings(PublishOptions):
    """``promote REPOSITORY@DIGEST --from ENV``: the image that ``source`` holds, to ``environments``."""

    repository: str
    digest: str
    source: str  # the environment that holds it
    source_region: str | None = None  # default: the environment's first region that has the repository


@dataclass(frozen=True, kw_only=True)
class AssembleSettings(PublishOptions):
    """``assemble REPOSITORY --tag T --from REF...``: an index over single-platform images already published."""

    repository: str
    children: tuple[str, ...]  # tags or digests, one image per platform
    manifest_list: bool = False


@dataclass(frozen=True, kw_only=True)
class AttachSettings:
    """``attach REPOSITORY[:TAG|@DIGEST] FILE --artifact-type TYPE``."""

    repository: str
    reference: str  # a tag or a digest
    file: Path
    artifact_type: str
    environments: tuple[str, ...] = ()
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True, kw_only=True)
class ComposeSettings(PublishOptions):
    file: Path = Path("docker-compose.yml")


@dataclass(frozen=True)
class LoginSettings:
    environments: tuple[str, ...] = ()
    docker_config: Path = field(default_factory=lambda: Path.home() / ".docker")
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
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class LifecycleSettings:
    repository: str
    environments: tuple[str, ...] = ()
    use_preview_api: bool = True
    images_file: Path | None = None  # describe-images output: evaluate the spec's policy offline
    spec: SpecSource = field(default_factory=SpecSource)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)


def split_reference(reference: str) -> tuple[str, str]:
    """``team/app:1.2`` -> (``team/app``, ``1.2``); no tag means ``latest``."""
    name, _, tag = reference.rpartition(":") if ":" in reference.rsplit("/", 1)[-1] else (reference, "", "")
    return (name, tag or "latest")
