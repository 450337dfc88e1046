"""A whole spec as an app: ``build_registry`` (``build``) and ``exit_on_spec_errors`` (``errors``), what an
``app.py`` calls. The top layer."""
