"""The package's one root exception and its specific subclasses.

Every message says what failed and, where it can, how to fix it. The CLI prints ``error: <message>``
and exits 1; nothing here ever carries a password.
"""
from __future__ import annotations


class PipelineError(Exception):
    """Root of every error image_pipeline raises on purpose."""


class SettingsError(PipelineError):
    """Bad command-line input or a spec that cannot be used."""


class TargetError(PipelineError):
    """A destination cannot be resolved: unknown environment, repository not deployed, AWS unreachable."""


class RepositoryNotDeployedError(TargetError):
    def __init__(self, repository: str, account: str, region: str) -> None:
        super().__init__(f"repository {repository!r} is not deployed in account {account} region {region}; "
                         f"run `npx cdk deploy --all` first")
        self.repository, self.account, self.region = repository, account, region


class BuildError(PipelineError):
    """The Docker build failed (the message is the build's own error line)."""


class RegistryError(PipelineError):
    """A registry or ECR request failed. ``transient`` says whether another attempt may help."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class AuthError(RegistryError):
    """No ECR token, or the registry refused it (after one fresh token)."""


class IntegrityError(RegistryError):
    """Content whose bytes do not hash to the digest it was asked for (never tagged, never retried)."""


class ImmutableTagError(RegistryError):
    def __init__(self, tag: str, repository_uri: str, existing_digest: str, new_digest: str) -> None:
        super().__init__(f"tag {tag!r} of immutable repository {repository_uri} already points at "
                         f"{existing_digest}; this image is {new_digest}. Publish with a new --tag, or add "
                         f"the tag to the repository's mutable_tags in the spec")
        self.tag, self.repository_uri = tag, repository_uri
        self.existing_digest, self.new_digest = existing_digest, new_digest


class DigestMismatchError(RegistryError):
    """What was pulled is not what the registry says the tag points at."""


class DeadlineError(RegistryError):
    """A destination ran past its ``--timeout``, the publish past its ``--deadline``, or the run was
    interrupted; never retried."""


class CredentialStoreError(PipelineError):
    """Writing to or erasing from the docker credential store failed."""


class ComposeError(PipelineError):
    """A compose file cannot be read or names nothing to publish."""


class LifecycleError(PipelineError):
    """A repository's lifecycle policy cannot be read or evaluated."""


def unexpected(error: BaseException) -> str:
    """The one line for an exception no step expected (a bug): never a traceback, always a result."""
    return f"unexpected {type(error).__name__}: {error or 'no message'} (this is a bug in image-pipeline)"
