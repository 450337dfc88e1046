"""Each repository's stack output: one JSON string ``{"name", "arn", "uri", "dualstack_uri"}``.

The ARN and URI are the L2's own (``repository_arn``, ``repository_uri``: a ``Fn::GetAtt`` and the L2's URI
helper), never built here; the name is the literal the spec gave. The JSON is written by ``json.dumps`` around the
two tokens (CDK turns a string with tokens into a ``Fn::Join``; neither value can hold a quote), not by
``Stack.to_json_string``, which is one more crossing into the jsii runtime per repository. The dual-stack URI,
which the L2 lacks, comes from ``ecr_constructs.core.dualstack``; a region known only at deploy time (a StackSet's
template) gets none.
"""
from __future__ import annotations

import json

from aws_cdk import aws_ecr as ecr



def repository_output(repository: ecr.IRepository, *, repository_name: str, dualstack_host: str | None) -> str:
    """The output's value for ``repository`` (named ``repository_name``, a literal) in its stack, whose dual-stack
    host (``ecr_constructs.core.dualstack.dualstack_host``, asked once per stack) is ``dualstack_host``."""
    value = {"name": repository_name, "arn": repository.repository_arn, "uri": repository.repository_uri}
    if dualstack_host:
        value["dualstack_uri"] = f"{dualstack_host}/{repository_name}"
    return json.dumps(value, separators=(",", ":"))
