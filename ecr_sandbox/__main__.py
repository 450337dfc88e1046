"""``python -m ecr_sandbox up|deploy|status|down`` (see ``ecr_sandbox.control.cli``)."""

from ecr_sandbox.control.cli import main

raise SystemExit(main())
