"""The gateway process (``python -m ecr_sandbox.registry.gateway``): the TLS front of every registry at its real
ECR host name, the token server, the push bridge into moto, replication, and the sandbox's own registry client.
ECR's rules come from ``ecr_sandbox.model``; nothing here imports moto or the control side.
"""
