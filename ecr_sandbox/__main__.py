"""``python -m ecr_sandbox up|status|down``."""

from ecr_sandbox.cli import main

raise SystemExit(main())
