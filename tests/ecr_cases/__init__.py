"""AWS-documented cases a reading of ECR is held to, kept once so that every reading (the product's, ``ecr_spec``,
and an independent one) meets the same cases. Data only, each case naming the AWS page it comes from; each reading's
tests parametrize over them (``tests/unit/test_ecr_cases_spec.py``), so a misreading of ECR shows as a
disagreement instead of passing in every reading that shares it.

- ``lifecycle``: lifecycle policies with repository contents and what ECR does to each image;
- ``tags``: wildcard filters and tag mutability;
- ``templates``: which repository creation template ECR applies;
- ``replication``: which repositories a replication rule's PREFIX_MATCH filters send;
- ``limits``: the API's limits.
"""
