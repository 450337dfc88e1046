"""The one transfer engine: every image move (publish to 1 or 12 registries, compose, copy from a registry
that already holds the image, promotion) is a ``Source`` of content in dependency order fed to ``transfer``
with N ``Sink``s. See ``engine`` and docs/image-pipeline.md ("The transfer engine")."""
