"""Core defaults, shipped as ordinary plugins registered by entry point."""
