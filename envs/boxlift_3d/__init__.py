"""BoxLift in 3D: the same task with boxes of real mass lifted in PyBullet."""
