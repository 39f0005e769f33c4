"""BoxLift: lifters of different capacity team up to lift boxes of unknown weight."""
