"""The spec's vocabulary: its errors, ECR's limits and names, the shapes values must have, tag patterns."""
