"""The sandbox's Python API, for tests, the demo and the command line.

    from ecr_sandbox import api

    info = api.ensure_up()            # start (or reuse) everything for ./cdk.json or $ECR_SPEC
    api.apply_env(info)               # point os.environ at the sandbox (AWS, CDK, docker)
    info.endpoint_url                 # http://localhost:14566 (moto)
    info.registries                   # [RegistryInfo(account, region, host, address), ...]
    info.registry("111111111111", "us-east-1").host
    info.base_image                   # "sandbox/busybox:1": build FROM it offline
    info.profile("333333333333")      # "sandbox-333333333333"
    info.targets                      # (account, region) of every environment: what to bootstrap
    api.env()                         # the same variables as .sandbox/env, for a sandbox that runs
    api.process_env(info, root)       # a child process's whole environment (PATH included), as data
    api.status()                      # [ComponentStatus(name, where, pid, up), ...]
    api.down()                        # stop what the sandbox started, remove exactly the hosts/certs it wrote
    api.inject_fault(host_or_"api", kind, count=1, seconds=0.0)   # tests: see docs/sandbox-faults.md
    api.clear_faults()
    api.set_token_lifetime(seconds)   # tests: tokens handed out from now on expire after that (None: 12 hours)
    api.apply_lifecycle_policies()    # apply every lifecycle policy now (ECR: within 24 hours)

    api.bootstrap(info, root)         # cdk bootstrap every target (one CLI per account, in parallel)
    api.deploy(info, root)            # cdk deploy --all into the sandbox
    api.registry_host(account, region)    # ACCOUNT.dkr.ecr.REGION.amazonaws.com

Every failure raises ``api.SandboxError`` (one line, says how to fix it). ``Paths(root)`` names a sandbox
folder other than ``$SANDBOX_DIR`` / ``./.sandbox``.

This module is the sandbox's public face: it only gathers names from ``ecr_sandbox.control`` (which does the
work) and ``ecr_sandbox.model`` (ECR's host names), so callers never depend on the layout below.
"""

from __future__ import annotations

from ecr_sandbox.control.cdk import CdkError, bootstrap, deploy
from ecr_sandbox.control.cli import machine_wide_notice
from ecr_sandbox.control.errors import ComponentError, SandboxError
from ecr_sandbox.control.fault_admin import apply_lifecycle_policies, clear_faults, inject_fault, set_token_lifetime
from ecr_sandbox.control.sandbox import (ComponentStatus, RegistryInfo, SandboxInfo, apply_env, down, ensure_up, env,
                                         process_env, status)
from ecr_sandbox.control.state import Paths, SystemPaths
from ecr_sandbox.model.names import registry_host

__all__ = [
    "CdkError", "ComponentError", "apply_lifecycle_policies", "ComponentStatus", "Paths", "RegistryInfo", "SandboxError", "SandboxInfo",
    "SystemPaths", "apply_env", "bootstrap", "clear_faults", "deploy", "down", "ensure_up", "env", "inject_fault",
    "machine_wide_notice", "process_env", "registry_host", "set_token_lifetime", "status",
]
