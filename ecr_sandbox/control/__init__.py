"""Up, down, status and deploy: the sandbox's processes, host names, certificates and files, with the registry
spec as input (``from ecr_spec import ...``, its top-level reader only). Starts moto (``ecr_sandbox.moto_ext``)
and the gateway (``ecr_sandbox.registry``) as processes by ``python -m`` and never imports them.
"""
