"""BoxNet2 in 3D: boxes on the grid's corners of a PyBullet table, seen through a camera."""
