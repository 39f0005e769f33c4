"""LLM planners: the CMAS, DMAS, HMAS-1 and HMAS-2 coordination schemes (not yet implemented)."""
