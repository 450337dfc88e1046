"""Reusable CDK constructs for Amazon ECR: repositories with permissions and lifecycle policies, the
per-registry settings, the per-(environment, region) stack, and ``build_registry`` for a whole spec. Constructs
never read context or the environment; give them typed props (see ``ecr_spec`` for the typed spec)."""
from typing import TYPE_CHECKING

from .app.build import build_registry
from .app.errors import exit_on_spec_errors
from .core.errors import CdkVersionError, EcrConstructsError, PropsError
from .registry.creation_template import RepositoryCreationTemplate
from .registry.pull_through_cache import PullThroughCacheRule
from .registry.replication import RegistryReplication, ReplicationRegistryPolicy
from .registry.scanning import RegistryScanning
from .registry.signing import RegistrySigning
from .repository.ecr_repository import EcrRepository
from .repository.lifecycle import DEFAULT_LIFECYCLE_RULES
from .stacks.registry_stack import RegistryStack, construct_id

if TYPE_CHECKING:  # loaded lazily at run time (``__getattr__`` below); type checkers see them here
    from .publisher.project import PublisherProject, PublisherRole
    from .stacks.organization_stack import OrganizationStack
    from .stacks.stack_set import RepositoryStackSet
    from .stacks.stack_set_template import RepositoryStackSetTemplate

__all__ = ["EcrConstructsError", "PropsError", "CdkVersionError", "DEFAULT_LIFECYCLE_RULES", "EcrRepository", "RegistryReplication",
           "RepositoryCreationTemplate", "RegistryScanning", "ReplicationRegistryPolicy", "RegistryStack",
           "construct_id", "PullThroughCacheRule", "RegistrySigning", "PublisherProject",
           "PublisherRole", "build_registry", "exit_on_spec_errors", "OrganizationStack", "RepositoryStackSet",
           "RepositoryStackSetTemplate"]

_LAZY = {"PublisherProject": "publisher.project", "PublisherRole": "publisher.project",
         "OrganizationStack": "stacks.organization_stack", "RepositoryStackSet": "stacks.stack_set",
         "RepositoryStackSetTemplate": "stacks.stack_set_template"}


def __getattr__(name: str) -> object:
    """``PublisherProject``/``PublisherRole`` load aws_codebuild and aws_s3_assets (about 1.5 s of imports), the
    StackSet constructs aws_cloudformation: only when asked for, so a synth without them does not pay for them."""
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
