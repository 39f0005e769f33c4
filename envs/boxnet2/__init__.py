"""BoxNet2: boxes on square corners; two boxes on one corner is a collision."""
