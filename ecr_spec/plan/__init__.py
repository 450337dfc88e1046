"""What the spec plans from the model: replication rules per source registry, one stack per registry."""
