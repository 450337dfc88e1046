"""``python -m ecr_sandbox up|deploy|status|down`` (see ``ecr_sandbox.cli``)."""

from ecr_sandbox.cli import main

raise SystemExit(main())
