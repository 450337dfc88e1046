"""What is ECR-specific: AWS sessions per account, authorization tokens, where a repository lives (targets
from the spec, URIs from the ECR API), what a destination already holds, the pre-flight check and the
replicas ECR replication feeds. Imports ecr_spec, transfer, oci and core; never aws_cdk."""
