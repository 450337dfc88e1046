"""Telling CDK tokens from plain values without a round trip to the jsii kernel for the common case."""
from __future__ import annotations

from aws_cdk import Token


def is_token(value: object) -> bool:
    """``Token.is_unresolved`` for strings, asked only of those that carry CDK's ``${Token[`` marker (every
    unresolved string does): a plain value costs no crossing into the jsii runtime."""
    return isinstance(value, str) and "${Token[" in value and Token.is_unresolved(value)
