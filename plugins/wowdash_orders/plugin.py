"""Hook implementations of the orders plugin (placeholder until the flow lands)."""
