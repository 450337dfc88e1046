"""The CodeBuild publisher: ``PublisherProject`` and ``PublisherRole`` (``project``), its buildspecs
(``buildspec``), its per-platform batch builds (``platforms``) and the package it installs (``package``).
Builds on ``core``; loaded only when a spec or an app asks for the publisher."""
