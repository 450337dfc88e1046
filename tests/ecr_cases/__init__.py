"""AWS-documented cases that both readings of ECR are held to, kept once: the product's (``ecr_spec``) and the
sandbox's own (``ecr_sandbox.model``). Data only, each case naming the AWS page it comes from; each reading's
tests parametrize over them (``tests/unit/test_ecr_cases_spec.py``, ``tests/unit/test_ecr_cases_sandbox.py``),
so a misreading of ECR shows as a disagreement instead of passing in both.

- ``lifecycle``: lifecycle policies with repository contents and what ECR does to each image;
- ``tags``: wildcard filters and tag mutability;
- ``templates``: which repository creation template ECR applies;
- ``replication``: which repositories a replication rule's PREFIX_MATCH filters send;
- ``limits``: the API's limits.
"""
