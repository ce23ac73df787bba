"""Hook implementations of the payments plugin (placeholder until the flow lands)."""
