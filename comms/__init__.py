"""Structured messages between agents (not yet implemented)."""
