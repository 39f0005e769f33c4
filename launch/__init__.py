"""Command line (`colony`) and per-scenario launch scripts."""
