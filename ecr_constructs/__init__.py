"""Reusable CDK constructs for Amazon ECR: repositories with permissions and lifecycle policies, the
per-registry settings, and the per-(environment, region) stack. Constructs never read context or the
environment; give them typed props (see ``ecr_spec`` for the typed spec)."""
from .creation_template import RepositoryCreationTemplate
from .errors import EcrConstructsError, PropsError
from .lifecycle import DEFAULT_LIFECYCLE_RULES
from .registry import RegistryReplication, RegistryScanning, ReplicationRegistryPolicy
from .repository import EcrRepository
from .stack import RegistryStack, construct_id

__all__ = ["EcrConstructsError", "PropsError", "DEFAULT_LIFECYCLE_RULES", "EcrRepository", "RegistryReplication",
           "RepositoryCreationTemplate", "RegistryScanning", "ReplicationRegistryPolicy", "RegistryStack", "construct_id"]
