"""The template a StackSet deploys: ``RepositoryStackSetTemplate`` and its ``TemplateBody`` (``template_body``).

The stack declares the StackSet's repositories exactly as a registry's stack declares its own
(``ecr_constructs.stacks.spec_repositories``: the same ``EcrRepository``, logical ids and outputs), but with no
environment: every stack instance is its own account and region, so those are the ``AWS::AccountId`` and
``AWS::Region`` pseudo parameters. It uses ``BootstraplessSynthesizer``: accounts that join an organizational unit
later are never bootstrapped for the CDK, so the template must not ask for the bootstrap version parameter.
"""
from __future__ import annotations

import json
import tempfile
from typing import Any, Sequence

import aws_cdk as cdk
from constructs import Construct

from ecr_spec.model.spec import Repository

from .spec_repositories import add_repositories

# The CDK's own bookkeeping that a StackSet instance does not need: path metadata on each resource and the
# analytics resource (the outer app's CLI context turns them on; this app is synthesized on its own).
_NO_CDK_METADATA = {"aws:cdk:enable-path-metadata": False, "aws:cdk:enable-asset-metadata": False,
                    "aws:cdk:version-reporting": False}


class RepositoryStackSetTemplate(cdk.Stack):
    """The repositories of one StackSet, for every account and region it deploys to.

    :param repositories: the StackSet's repositories (``ecr_spec`` ``Repository`` values).
    :param description: the template's description. Default: None.
    """

    def __init__(self, scope: Construct, construct_id: str, *, repositories: Sequence[Repository],
                 description: str | None = None) -> None:
        super().__init__(scope, construct_id, synthesizer=cdk.BootstraplessSynthesizer(), description=description)
        self.repositories = add_repositories(self, repositories,
                                             key_description="Encrypts the ECR repositories of this StackSet")


def template_body(repositories: Sequence[Repository], *, description: str | None = None) -> str:
    """The StackSet's ``TemplateBody``: ``RepositoryStackSetTemplate`` synthesized in an app of its own (in the app's
    cloud assembly the CDK CLI would deploy it as one more stack), as compact JSON."""
    with tempfile.TemporaryDirectory(prefix="ecr-stack-set-") as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False, post_cli_context=_NO_CDK_METADATA)
        stack = RepositoryStackSetTemplate(app, "StackSetTemplate", repositories=repositories,
                                           description=description)
        template: dict[str, Any] = app.synth().get_stack_artifact(stack.artifact_id).template
    return json.dumps(template, separators=(",", ":"))
