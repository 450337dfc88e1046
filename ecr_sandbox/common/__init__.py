"""What the sandbox's processes share: the fault book and its admin calls (``faults``), boto3 clients scoped
to a sandbox account (``aws``). Imports only ``ecr_sandbox.model`` of ours."""
