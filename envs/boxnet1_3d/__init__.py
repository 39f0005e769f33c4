"""BoxNet1 in 3D: the same task on a PyBullet table, seen through a camera."""
