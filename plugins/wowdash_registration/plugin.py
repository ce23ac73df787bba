"""Hook implementations of the registration plugin (placeholder until the flow lands)."""
