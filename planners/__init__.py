"""LLM planners: the CMAS, DMAS, HMAS-1 and HMAS-2 coordination schemes over any chat model, the
greedy experts, typed reply reading, histories, run records and the episode loop. Planners read
environments only through the planning surface (``colony.envs.surface``)."""
