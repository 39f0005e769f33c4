"""BoxNet1: box moving on a grid, one agent per square, no collisions."""
