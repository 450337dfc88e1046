"""Where the spec and the AWS credentials come from: plain values the command line fills in (no AWS SDK
imported here, so ``--help`` and settings work without it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
