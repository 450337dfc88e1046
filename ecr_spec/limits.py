"""ECR's and CloudFormation's limits, named once; the spec checks and the constructs' prop checks use these.

Each value cites the AWS page it comes from. The lifecycle-policy limits (rules per policy, policy text
length, wildcards per pattern, archive minimum days) still live in ``ecr_spec.lifecycle`` while that module
is being rewritten; they belong here next.
"""
from __future__ import annotations

# Amazon ECR API Reference, CreateRepository / SetRepositoryPolicy, ``repositoryName``:
# "Length Constraints: Minimum length of 2. Maximum length of 256."
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
MIN_REPOSITORY_NAME_CHARS = 2
MAX_REPOSITORY_NAME_CHARS = 256

# Amazon ECR API Reference, SetRepositoryPolicy, ``policyText``: "Maximum length of 10240."
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html
MAX_REPOSITORY_POLICY_CHARS = 10_240

# Amazon ECR API Reference, PutImageTagMutability / CreateRepository, ``imageTagMutabilityExclusionFilters``:
# "Array Members: Minimum number of 1 item. Maximum number of 5 items."
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html
MAX_MUTABLE_TAG_FILTERS = 5

# Amazon ECR User Guide, "Amazon ECR service quotas": rules per replication configuration (10).
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
MAX_REPLICATION_RULES = 10

# AWS CloudFormation User Guide, "AWS CloudFormation quotas": resources (500) and outputs (200) per stack.
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
MAX_STACK_RESOURCES = 500
MAX_STACK_OUTPUTS = 200
