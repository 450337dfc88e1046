"""The registry spec: typed, immutable, validated. Pure Python (no aws_cdk), shared by the CDK app,
the constructs' callers, the sandbox and image_pipeline."""
from .errors import SpecError, SpecFileError
from .files import load_cdk_json, load_spec_file
from .lifecycle import LifecycleRule, parse_policy_text
from .model import (Environment, PullAccess, PushAccess, Registry, RegistrySpec, ReplicationRule, Repository,
                    Target)
from .parse import load_spec
from .stack_plan import StackPlan, stack_plans

__all__ = ["SpecError", "SpecFileError", "load_spec", "load_cdk_json", "load_spec_file", "LifecycleRule", "parse_policy_text",
           "Environment", "PullAccess", "PushAccess", "Registry", "RegistrySpec", "ReplicationRule",
           "Repository", "Target", "StackPlan", "stack_plans"]
