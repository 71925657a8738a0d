"""Shared utilities of the library: registries, user paths."""
