"""A local ECR sandbox built from real parts: moto, dockerd, one distribution registry per account and region.

Command line: ``python -m ecr_sandbox up|deploy|status|down`` (``make sandbox-up`` ...). Python API: ``ecr_sandbox.api``.
Design notes and limits: docs/sandbox.md.

Its parts, each a sub-package (``tests/unit/test_dependencies_ecr_sandbox.py`` holds the order):

- ``model``: the sandbox's own reading of ECR's rules (tags, lifecycle, templates, limits); imports nothing of ours.
- ``common``: what the sandbox's processes share (the fault book, moto clients).
- ``moto_ext``: moto as a server with ECR's gaps closed (``python -m ecr_sandbox.moto_ext.server``).
- ``registry``: the gateway process: the TLS front of every registry, token server, push bridge, replication
  (``python -m ecr_sandbox.registry.gateway``).
- ``control``: up, down, status, deploy: processes, host names, certificates, the spec as input. It starts the
  two processes above by ``python -m`` and never imports them.
- ``api``: the public Python API, gathered from ``control``.
"""
