"""The registry spec: typed, immutable, validated. Pure Python (no aws_cdk), shared by the CDK app,
the constructs' callers, the sandbox and image_pipeline. What a CDK app needs is importable from here; the
modules are in layers (``core`` <- ``model`` <- ``plan`` <- ``parse`` <- ``files``)."""
from .core.errors import SpecError, SpecFileError
from .files import load_cdk_json, load_spec_file
from .model.lifecycle import LifecycleRule, keep_last_rule, parse_policy_text, untagged_rule
from .model.registry_settings import ScanningRule, SigningRule
from .model.spec import (Environment, PullAccess, PushAccess, Registry, RegistrySpec, ReplicationRule, Repository,
                         Target)
from .parse.spec import load_spec
from .plan.stacks import StackPlan, stack_plans

__all__ = ["SpecError", "SpecFileError", "load_spec", "load_cdk_json", "load_spec_file", "LifecycleRule", "parse_policy_text",
           "untagged_rule", "keep_last_rule", "ScanningRule", "SigningRule",
           "Environment", "PullAccess", "PushAccess", "Registry", "RegistrySpec", "ReplicationRule",
           "Repository", "Target", "StackPlan", "stack_plans"]
