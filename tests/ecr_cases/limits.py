"""The ECR API's limits both readings enforce: (id, value, page)."""
from __future__ import annotations

API = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/"
CASES = (
    ("replication_rules_per_registry", 10, API + "API_ReplicationConfiguration.html (rules: maximum 10 items)"),
    ("replication_filters_per_rule", 100, API + "API_ReplicationRule.html (repositoryFilters: maximum 100 items)"),
    ("replication_destinations_per_rule", 100, API + "API_ReplicationRule.html (destinations: maximum 100 items)"),
    ("tag_mutability_exclusion_filters", 5, API + "API_PutImageTagMutability.html (1 to 5 items)"),
    ("lifecycle_rules_per_policy", 50, "https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html"),
    ("lifecycle_policy_min_chars", 100, API + "API_PutLifecyclePolicy.html (minimum length of 100)"),
    ("lifecycle_policy_max_chars", 30_720, API + "API_PutLifecyclePolicy.html (maximum length of 30720)"),
    ("lifecycle_pattern_wildcards", 4,
     "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html (up to 4 wildcards)"),
    ("repository_policy_chars", 10_240, API + "API_SetRepositoryPolicy.html (maximum length of 10240)"),
    ("image_tag_max_chars", 300, API + "API_PutImage.html (imageTag: maximum length of 300)"),
    ("repository_name_min_chars", 2, API + "API_CreateRepository.html (minimum length of 2)"),
    ("repository_name_max_chars", 256, API + "API_CreateRepository.html (maximum length of 256)"),
)
