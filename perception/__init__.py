"""Perception: turning camera images into the text state planners read (not yet implemented)."""
