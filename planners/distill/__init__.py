"""Distilling the experts into a LoRA adapter for the embedded model (``colony distill``).

Stages: ``base`` (dequantize the shipped GGUF for torch), ``data`` (expert-labelled episodes,
then on-policy rounds), ``train`` (LoRA, loss on the reply), ``export`` (llama.cpp GGUF
LoRA and its manifest), ``eval`` (closed loop through llama.cpp, base vs adapter vs expert).
See :mod:`colony.planners.distill.pipeline`.
"""
