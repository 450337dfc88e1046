"""The repository construct: ``EcrRepository`` (``ecr_repository``), its repository-policy grants
(``permissions``) and its lifecycle policy (``lifecycle``; aws-cdk ``LifecycleRule``s converted in
``cdk_lifecycle``). Builds on ``core``."""
