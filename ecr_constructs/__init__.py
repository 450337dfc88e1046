"""Reusable CDK constructs for Amazon ECR: repositories with permissions and lifecycle policies, the
per-registry settings, the per-(environment, region) stack, and ``build_registry`` for a whole spec. Constructs
never read context or the environment; give them typed props (see ``ecr_spec`` for the typed spec)."""
from typing import TYPE_CHECKING

from .app_errors import exit_on_spec_errors
from .build import build_registry
from .creation_template import RepositoryCreationTemplate
from .errors import CdkVersionError, EcrConstructsError, PropsError
from .lifecycle import DEFAULT_LIFECYCLE_RULES
from .pull_through_cache import PullThroughCacheRule
from .registry import RegistryReplication, ReplicationRegistryPolicy
from .repository import EcrRepository
from .scanning import RegistryScanning
from .signing import RegistrySigning
from .stack import RegistryStack, construct_id

if TYPE_CHECKING:  # loaded lazily at run time (``__getattr__`` below); type checkers see them here
    from .organization_stack import OrganizationStack
    from .publisher import PublisherProject, PublisherRole
    from .stack_set import RepositoryStackSet
    from .stack_set_template import RepositoryStackSetTemplate

__all__ = ["EcrConstructsError", "PropsError", "CdkVersionError", "DEFAULT_LIFECYCLE_RULES", "EcrRepository", "RegistryReplication",
           "RepositoryCreationTemplate", "RegistryScanning", "ReplicationRegistryPolicy", "RegistryStack",
           "construct_id", "PullThroughCacheRule", "RegistrySigning", "PublisherProject",
           "PublisherRole", "build_registry", "exit_on_spec_errors", "OrganizationStack", "RepositoryStackSet",
           "RepositoryStackSetTemplate"]

_LAZY = {"PublisherProject": "publisher", "PublisherRole": "publisher", "OrganizationStack": "organization_stack",
         "RepositoryStackSet": "stack_set", "RepositoryStackSetTemplate": "stack_set_template"}


def __getattr__(name: str) -> object:
    """``PublisherProject``/``PublisherRole`` load aws_codebuild and aws_s3_assets (about 1.5 s of imports), the
    StackSet constructs aws_cloudformation: only when asked for, so a synth without them does not pay for them."""
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
