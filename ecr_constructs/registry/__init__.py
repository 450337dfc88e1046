"""Registry-wide settings, one per account and region: replication and the replication policy (``replication``),
scanning (``scanning``), managed signing (``signing``), pull through cache rules (``pull_through_cache``),
repository creation templates (``creation_template``), and the spec's settings of one registry put together
(``settings``). Builds on ``repository`` and ``core``."""
