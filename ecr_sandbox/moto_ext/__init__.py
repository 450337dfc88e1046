"""moto as the sandbox's AWS API, with ECR's gaps closed: ``python -m ecr_sandbox.moto_ext.server``.

Every module here runs inside that one process and patches moto's ECR and CloudFormation (``install()``).
ECR's rules come from ``ecr_sandbox.model``; nothing here imports the registry side or the control side.
"""
