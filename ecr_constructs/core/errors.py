"""The constructs package's root exception."""
from __future__ import annotations


class EcrConstructsError(Exception):
    """Root of every error the constructs raise."""


class PropsError(EcrConstructsError, ValueError):
    """Construct props broke one or more rules; ``problems`` has one line per problem, naming the prop."""

    def __init__(self, construct_path: str, problems: list[str]) -> None:
        self.problems = [f"{construct_path}: {line}" for line in problems]
        super().__init__("\n".join(self.problems))


class CdkVersionError(EcrConstructsError):
    """A construct needs a newer aws-cdk-lib than the app has; the message names both versions."""
