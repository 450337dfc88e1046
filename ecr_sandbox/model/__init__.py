"""The sandbox's own reading of Amazon ECR: the rules it answers by, written from AWS's pages.

Pure Python, standard library only, and nothing of ours: neither the product (``ecr_spec``, ``image_pipeline``)
nor the rest of the sandbox. That is what makes the sandbox a test of the product, as moto keeps its own
reading of each service: a misreading in ``ecr_spec`` shows as a disagreement with this package, checked
against the same AWS-documented cases (``tests/ecr_cases``) by each reading's own tests.

- ``names``: ECR's registry host names.
- ``tags``: wildcard filters and tag mutability (``IMMUTABLE``, ``*_WITH_EXCLUSION``).
- ``lifecycle``: reading a lifecycle policy and deciding what it does to a repository's images.
- ``templates``: which repository creation template ECR applies to a repository it creates.
- ``replication``: which destinations a replication configuration sends a repository to.
- ``limits``: the API's limits the sandbox enforces.
"""
