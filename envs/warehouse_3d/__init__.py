"""Warehouse in 3D: the same task on a PyBullet table, carts driving its tracks, seen through a camera."""
