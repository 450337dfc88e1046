"""``python -m sandbox up|status|down``."""

from sandbox.cli import main

raise SystemExit(main())
