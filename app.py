#!/usr/bin/env python3
"""The deployable CDK app: ``build_registry`` on the registry spec, cdk-nag's AwsSolutions checks over it.

The spec comes from cdk.json's ``ecr`` context, or from a JSON file given with ``cdk synth -c ecr-spec=PATH``.
This is the only place that reads context. A bad spec prints one line per problem and exits 1 before
anything is written.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # Debian 12 ships Node 20

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from ecr_constructs import build_registry, exit_on_spec_errors  # noqa: E402
from ecr_spec.files import CONTEXT_KEY, OVERRIDE_CONTEXT_KEY  # noqa: E402


def main() -> int:
    app = cdk.App()
    with exit_on_spec_errors():
        build_registry(app, app.node.try_get_context(OVERRIDE_CONTEXT_KEY) or app.node.try_get_context(CONTEXT_KEY))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
