"""Reusable CDK constructs for Amazon ECR: repositories with permissions and lifecycle policies, the
per-registry settings, and the per-(environment, region) stack. Constructs never read context or the
environment; give them typed props (see ``ecr_spec`` for the typed spec)."""
from .creation_template import RepositoryCreationTemplate
from .errors import EcrConstructsError, PropsError
from .lifecycle import DEFAULT_LIFECYCLE_RULES
from .pull_through_cache import PullThroughCacheRule
from .registry import RegistryReplication, ReplicationRegistryPolicy
from .repository import EcrRepository
from .scanning import RegistryScanning
from .signing import RegistrySigning
from .stack import RegistryStack, construct_id

__all__ = ["EcrConstructsError", "PropsError", "DEFAULT_LIFECYCLE_RULES", "EcrRepository", "RegistryReplication",
           "RepositoryCreationTemplate", "RegistryScanning", "ReplicationRegistryPolicy", "RegistryStack",
           "construct_id", "PullThroughCacheRule", "RegistrySigning", "PublisherProject",
           "PublisherRole"]


def __getattr__(name: str) -> object:
    """``PublisherProject``/``PublisherRole`` load aws_codebuild and aws_s3_assets (about 1.5 s of imports): only
    when asked for, so a synth without a publisher does not pay for them."""
    if name in ("PublisherProject", "PublisherRole"):
        from . import publisher
        return getattr(publisher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
