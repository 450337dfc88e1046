"""``RegistryScanning``: the registry's scanning configuration (``AWS::ECR::RegistryScanningConfiguration``).

aws-cdk-lib has no L2 for registry-level settings, so this is the L1 ``CfnRegistryScanningConfiguration``.
"""
from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_spec.core.errors import Problems
from ecr_spec.model.registry_settings import ScanningRule, check_scanning

from ..core.errors import PropsError


def default_rules(scan_type: str, repositories: Sequence[str]) -> tuple[ScanningRule, ...]:
    """The rule used before scanning rules existed: BASIC scans ``repositories`` on push, ENHANCED scans them
    continuously. No repositories, no rule."""
    frequency = "SCAN_ON_PUSH" if scan_type == "BASIC" else "CONTINUOUS_SCAN"
    return (ScanningRule(frequency, tuple(repositories)),) if repositories else ()


class RegistryScanning(Construct):
    """The registry's scanning configuration. ECR allows one per registry (account and region).

    :param scan_type: ``BASIC`` or ``ENHANCED`` (Amazon Inspector). Default: ``BASIC``.
    :param rules: scanning rules, at most one per frequency: BASIC allows ``SCAN_ON_PUSH``, ENHANCED
        ``SCAN_ON_PUSH`` and ``CONTINUOUS_SCAN``; each with 1..100 WILDCARD filters (``*`` matches any
        characters; a filter without ``*`` matches every name that contains it). Repositories no rule matches
        are scanned manually (BASIC) or not at all (ENHANCED). Default: None, one rule from ``scan_type`` and
        ``repositories`` (BASIC: scan on push, ENHANCED: continuous scan).
    :param repositories: the filters of that default rule; ignored when ``rules`` is given. Default: ``("*",)``.
    :raises PropsError: listing every problem with the props.
    """

    def __init__(self, scope: Construct, construct_id: str, *, scan_type: str = "BASIC",
                 rules: Sequence[ScanningRule] | None = None, repositories: Sequence[str] = ("*",)) -> None:
        super().__init__(scope, construct_id)
        chosen = tuple(rules) if rules is not None else default_rules(scan_type, repositories)
        if rules is not None:  # the default rule holds repository names, always valid filters
            problems = Problems()
            check_scanning(scan_type, chosen, problems)
            if problems:
                raise PropsError(self.node.path, problems.lines)
        self.rules = chosen
        self.resource = ecr.CfnRegistryScanningConfiguration(
            self, "Resource", scan_type=scan_type,
            rules=[ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                scan_frequency=rule.frequency,
                repository_filters=[ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                    filter=f, filter_type="WILDCARD") for f in rule.filters],
            ) for rule in chosen])
