"""The aws-cdk-lib versions the constructs work with, found by testing, and the features that need a newer one.

``LOWEST`` is the oldest aws-cdk-lib on which the whole library synthesizes (tests/integration/test_cdk_floor.py
installs the wheel beside exactly that version and synthesizes the example consumer app); pyproject.toml's
range starts there. Older releases lack ``aws_ecr.ImageTagMutabilityExclusionFilter`` (2.220.0 fails on it),
which every repository with ``mutable_tags`` uses. A feature that needs a newer release checks for its class and
raises ``CdkVersionError`` naming the version: managed signing (``aws_ecr.CfnSigningConfiguration``, absent up to
2.229.0). Where a newer API is only nicer (``Validations``, ``add_stack_dependency``) the older one is used.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import CdkVersionError

LOWEST = "2.221.0"
SIGNING = "2.230.0"  # aws_ecr.CfnSigningConfiguration (AWS::ECR::SigningConfiguration)


def installed() -> str:
    """The aws-cdk-lib version this app runs with ("unknown" when it was not installed by pip)."""
    try:
        return version("aws-cdk-lib")
    except PackageNotFoundError:
        return "unknown"


def require(feature: str, needed: str, present: bool, where: str = "") -> None:
    """Raises ``CdkVersionError`` when ``present`` is false: ``feature`` needs aws-cdk-lib ``needed``."""
    if not present:
        raise CdkVersionError(f"{where}: " * bool(where) + f"{feature} needs aws-cdk-lib >= {needed}; this app has "
                              f"{installed()}: upgrade aws-cdk-lib, or leave the feature out")
