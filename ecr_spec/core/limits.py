"""ECR's and CloudFormation's limits, named once; the spec checks and the constructs' prop checks use these.

Each value cites the AWS page it comes from. Modules that used to define these keep their old names as
imports from here (``lifecycle.MAX_RULES``, ``replication.MAX_RULES``, ``policy.MAX_POLICY_CHARS``, ...).
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

# Amazon ECR API Reference, ReplicationConfiguration ``rules``: maximum 10 items; ReplicationRule
# ``repositoryFilters``: maximum 100 items, ``destinations``: maximum 100 items (the CloudFormation
# specification shipped with the pinned aws-cdk-lib says 100 too; older references said 25).
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationConfiguration.html
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html
MAX_REPLICATION_RULES = 10
MAX_REPLICATION_FILTERS_PER_RULE = 100
MAX_REPLICATION_DESTINATIONS_PER_RULE = 100

# Amazon ECR API Reference, PutLifecyclePolicy ``lifecyclePolicyText``: "Minimum length of 100. Maximum length
# of 30720."; Amazon ECR User Guide, "Amazon ECR service quotas": rules per lifecycle policy (50).
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
MIN_LIFECYCLE_POLICY_CHARS = 100
MAX_LIFECYCLE_POLICY_CHARS = 30_720
MAX_LIFECYCLE_RULES = 50
# Amazon ECR User Guide, "Lifecycle policy properties": ``tagPatternList`` patterns take at most four ``*``;
# archived images are kept at least 90 days (``sinceImageTransitioned`` expiry).
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
MAX_TAG_PATTERN_WILDCARDS = 4
ARCHIVE_MIN_DAYS = 90

# Amazon ECR API Reference, CreateRepositoryCreationTemplate: ``description`` "Maximum length of 256",
# ``resourceTags`` at most 50 items.
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
MAX_CREATION_TEMPLATE_DESCRIPTION_CHARS = 256
MAX_CREATION_TEMPLATE_RESOURCE_TAGS = 50

# AWS CloudFormation User Guide, "AWS CloudFormation quotas": resources (500) and outputs (200) per stack.
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
MAX_STACK_RESOURCES = 500
MAX_STACK_OUTPUTS = 200
# What a registry stack holds besides one resource per repository: the shared KMS key, the replication
# configuration, the registry policy, the scanning configuration, the CDK metadata, and one spare.
STACK_RESOURCES_BESIDES_REPOSITORIES = 6

# Amazon ECR API Reference, PutRegistryScanningConfiguration / RegistryScanningRule (botocore ECR model
# ``RegistryScanningRuleList`` max 2, ``ScanningRepositoryFilterList`` max 100, ``ScanningRepositoryFilterValue``
# 1 to 255 characters).
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryScanningConfiguration.html
MAX_SCANNING_RULES = 2
MAX_SCANNING_FILTERS = 100
MAX_SCANNING_FILTER_CHARS = 255

# Amazon ECR User Guide, "Amazon ECR service quotas": 50 pull through cache rules per registry. Amazon ECR API
# Reference, CreatePullThroughCacheRule: ``ecrRepositoryPrefix`` 2 to 30 characters, ``credentialArn`` 50 to
# 612 characters (botocore ``PullThroughCacheRuleRepositoryPrefix``, ``CredentialArn``).
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html
MAX_PULL_THROUGH_CACHE_RULES = 50
PULL_THROUGH_CACHE_PREFIX_CHARS = (2, 30)
CREDENTIAL_ARN_CHARS = (50, 612)

# Amazon ECR API Reference, SigningConfiguration: "Maximum of 10 rules" (the CloudFormation schema says 50; the
# API wins since CloudFormation calls it); SigningRepositoryFilter list at most 100, each value 1 to 256
# characters; ``signingProfileArn`` at most 200 characters (botocore ``SigningRuleList``,
# ``SigningRepositoryFilterList``, ``SigningRepositoryFilterValue``, ``SigningProfileArn``).
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SigningConfiguration.html
MAX_SIGNING_RULES = 10
MAX_SIGNING_FILTERS = 100
MAX_SIGNING_FILTER_CHARS = 256
MAX_SIGNING_PROFILE_ARN_CHARS = 200

# Amazon ECR API Reference, CreateRepositoryCreationTemplate ``prefix``: 1 to 256 characters (botocore
# ``Prefix``); ``Tag``: "Tag keys can have a maximum character length of 128 characters, and tag values can
# have a maximum length of 256 characters."
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Tag.html
MAX_CREATION_TEMPLATE_PREFIX_CHARS = 256
MAX_TAG_KEY_CHARS = 128
MAX_TAG_VALUE_CHARS = 256

# Amazon ECR API Reference, PutImage / BatchGetImage ``imageTag``: "Length Constraints: Minimum length of 1.
# Maximum length of 300." (botocore ``ImageTag``).
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
MAX_IMAGE_TAG_CHARS = 300

# AWS CloudFormation Template Reference, AWS::CloudFormation::StackSet
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html)
# and its resource schema (the one cfn-lint ships): ``TemplateBody`` 1 to 51,200 bytes; ``StackSetName``
# ``^[a-zA-Z][a-zA-Z0-9-]{0,127}$``; ``Description`` 1 to 1,024 characters. API Reference,
# StackSetOperationPreferences
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html, botocore's
# model): ``MaxConcurrentCount`` at least 1, ``MaxConcurrentPercentage`` 1 to 100, ``FailureToleranceCount`` at
# least 0, ``FailureTolerancePercentage`` 0 to 100; "MaxConcurrentCount is at most one more than the
# FailureToleranceCount if you're using STRICT_FAILURE_TOLERANCE" (the default ConcurrencyMode).
MAX_STACK_SET_TEMPLATE_BODY_BYTES = 51_200
# AWS CloudFormation API Reference, CreateStackInstances: "The maximum number of organizational unit (OUs)
# supported by a CreateStackInstances operation is 50."
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackInstances.html
MAX_STACK_SET_ORGANIZATIONAL_UNITS = 50
MAX_STACK_SET_DESCRIPTION_CHARS = 1_024
MIN_MAX_CONCURRENT_COUNT = 1
MIN_MAX_CONCURRENT_PERCENTAGE = 1
MIN_FAILURE_TOLERANCE_COUNT = 0
MIN_FAILURE_TOLERANCE_PERCENTAGE = 0
