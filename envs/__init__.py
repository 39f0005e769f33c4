"""Task simulators (BoxNet1, BoxNet2, BoxLift, Warehouse) and their PettingZoo adapters.

    from colony.envs import parallel_env
    env = parallel_env("boxnet1", size="2x4", render_mode="rgb_array")
"""

_EXPORTS = ("ENVIRONMENTS", "SHORT_NAMES", "env", "env_class", "paper_sizes", "parallel_env")


def __getattr__(name: str):
    # Lazy, so that importing one pure simulator does not import PettingZoo.
    if name in _EXPORTS:
        from colony.envs import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'colony.envs' has no attribute {name!r}")


__all__ = list(_EXPORTS)
