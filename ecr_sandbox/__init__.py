"""A local ECR sandbox built from real parts: moto, dockerd, one distribution registry per account and region.

Command line: ``python -m ecr_sandbox up|deploy|status|down`` (``make sandbox-up`` ...). Python API: ``ecr_sandbox.api``.
Design notes and limits: docs/sandbox.md.
"""
