"""Hook implementations of the files plugin (placeholder until the flow lands)."""
