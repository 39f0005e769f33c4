"""Hierarchical knowledge-graph memory for agents (not yet implemented)."""
