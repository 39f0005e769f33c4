"""Packaged scenario settings and the fixed benchmark instance seeds."""
