"""The limits of the ECR API that the sandbox enforces, each with its page.

The same values are asserted for the product's reading (``ecr_spec.core.limits``) by the shared cases in
``tests/ecr_cases/limits.py``.
"""

from __future__ import annotations

# API reference, ReplicationConfiguration ``rules``: "Maximum number of 10 items"; ReplicationRule ``destinations``
# and ``repositoryFilters``: "Maximum number of 100 items".
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationConfiguration.html
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html
REPLICATION_RULES = 10
REPLICATION_DESTINATIONS_PER_RULE = 100
REPLICATION_FILTERS_PER_RULE = 100

# API reference, PutImageTagMutability ``imageTagMutabilityExclusionFilters``: 1 to 5 items.
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html
EXCLUSION_FILTERS = 5

# API reference, PutLifecyclePolicy ``lifecyclePolicyText``: 100 to 30,720 characters; user guide, "Amazon ECR
# service quotas": 50 rules per lifecycle policy; "Lifecycle policy properties": at most 4 wildcards per pattern.
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
LIFECYCLE_POLICY_CHARS = (100, 30_720)
LIFECYCLE_RULES = 50
LIFECYCLE_PATTERN_WILDCARDS = 4

# API reference, SetRepositoryPolicy ``policyText``: "Maximum length of 10240".
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html
REPOSITORY_POLICY_CHARS = 10_240

# API reference, PutImage ``imageTag``: 1 to 300 characters; CreateRepository ``repositoryName``: 2 to 256.
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
IMAGE_TAG_CHARS = (1, 300)
REPOSITORY_NAME_CHARS = (2, 256)

# API reference, PutImage ``imageManifest``: "Maximum length of 4194304" (the registry front refuses a larger PUT).
MANIFEST_BYTES = 4 * 1024 * 1024
