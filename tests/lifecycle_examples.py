"""Lifecycle policies from AWS's documentation, shared by the unit and integration tests.

COMBINED_ARCHIVE_AND_EXPIRE: ECR user guide, "Examples of lifecycle policies in Amazon ECR", heading
"Combining archive and expire rules"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html)."""
from __future__ import annotations

COMBINED_ARCHIVE_AND_EXPIRE = {"rules": [
    {"rulePriority": 1, "description": "Archive images older than 30 days",
     "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
     "action": {"type": "transition", "targetStorageClass": "archive"}},
    {"rulePriority": 2, "description": "Expire images archived for more than 365 days",
     "selection": {"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
                   "countUnit": "days", "countNumber": 365},
     "action": {"type": "expire"}}]}
