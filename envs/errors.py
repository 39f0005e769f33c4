"""The errors environments raise, importable without any simulator."""


class InvalidSize(ValueError):
    """A task size that cannot make a sensible instance (names the size and why)."""


class EpisodeOver(RuntimeError):
    """Raised when a plan is applied to a world whose episode has already ended."""
