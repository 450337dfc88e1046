"""Logical ids that stay what they were when ``EcrRepository`` wrapped the L2 ``Repository``.

Until this package's 0.2 the ``AWS::ECR::Repository`` sat at ``<EcrRepository>/Resource/Resource`` (our
construct, the L2 ``Repository``, its ``CfnRepository``). Now ``EcrRepository`` *is* the L2, so the resource
sits at ``<EcrRepository>/Resource``, which would give it a new logical id, and CloudFormation would replace
the repository (images lost) on the next deploy. ``keep_wrapped_logical_id`` pins the old id.

The id is computed exactly as aws-cdk-lib's ``makeUniqueId`` does (core/lib/private/uniqueid.ts, the
algorithm ``Stack.allocateLogicalId`` uses): the path below the stack without ``Default`` components; the
human part drops ``Resource`` components and consecutive repeats, keeps only letters and digits (at most 240
characters); then the first 8 hex digits of the MD5 of the '/'-joined path, upper-cased.
"""
from __future__ import annotations

import hashlib
import re
from typing import Sequence

from aws_cdk import CfnResource, Stack
from constructs import Construct

_HIDDEN_ID = "Default"
_HIDDEN_FROM_HUMAN_ID = "Resource"
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def unique_id(components: Sequence[str]) -> str:
    """aws-cdk-lib's ``makeUniqueId`` for a path of construct ids below the stack."""
    path = [c for c in components if c != _HIDDEN_ID]
    if len(path) == 1:
        candidate = _NOT_ALPHANUMERIC.sub("", path[0])
        if len(candidate) <= 255:
            return candidate
    digest = hashlib.md5("/".join(path).encode("utf-8")).hexdigest()[:8].upper()
    human: list[str] = []
    for component in path:
        if not human or not human[-1].endswith(component):
            human.append(component)
    return "".join(_NOT_ALPHANUMERIC.sub("", c) for c in human if c != _HIDDEN_FROM_HUMAN_ID)[:240] + digest


def _below_stack(scope: Construct, stack: Stack) -> list[str]:
    """The construct ids from ``stack`` (excluded) down to ``scope`` (included)."""
    if scope is stack:
        return []  # the usual case, e.g. RegistryStack: no kernel round trip
    stack_path = stack.node.path
    scope_path = scope.node.path
    below = scope_path[len(stack_path):].lstrip("/") if stack_path else scope_path
    return below.split("/") if below else []


def keep_wrapped_logical_id(repository: Construct, scope: Construct, construct_id: str) -> None:
    """Gives the CfnRepository of ``repository`` (an L2 ``Repository`` added to ``scope`` as ``construct_id``) the
    logical id it had under the old ``Resource/Resource`` path.

    In a stack that allocates logical ids the aws-cdk way (every stack that does not override
    ``allocateLogicalId``, in Python ``_allocate_logical_id``), this is one ``Stack.rename_logical_id`` of the id the stack will allocate: one
    crossing into the jsii runtime instead of three (``node``, ``default_child``, ``override_logical_id``), which
    is most of what a repository costs at fleet size. aws-cdk checks at synth that every rename found its id."""
    stack = scope if isinstance(scope, Stack) else Stack.of(scope)
    below = [*_below_stack(scope, stack), construct_id]
    wanted = unique_id([*below, "Resource", "Resource"])
    if type(stack)._allocate_logical_id is Stack._allocate_logical_id:
        stack.rename_logical_id(unique_id([*below, "Resource"]), wanted)
        return
    resource = repository.node.default_child
    assert isinstance(resource, CfnResource)
    resource.override_logical_id(wanted)
