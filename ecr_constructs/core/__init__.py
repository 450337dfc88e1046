"""What every construct shares, with no construct of its own: the errors (``errors``), telling tokens from values
(``tokens``), the pinned logical ids (``logical_ids``), a repository's stack output and dual-stack URI
(``outputs``, ``dualstack``), the aws-cdk-lib versions the library supports (``cdk_versions``) and cdk-nag
acknowledgements (``acknowledgements``). Imports nothing else of ``ecr_constructs``."""
