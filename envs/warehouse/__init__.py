"""Warehouse: transporters on parallel tracks pick boxes and bring them to the target area."""
