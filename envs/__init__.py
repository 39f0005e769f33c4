"""Task simulators and their PettingZoo adapters, declared once in a registry.

    from colony.envs import parallel_env
    env = parallel_env("boxnet1", size="2x4", render_mode="rgb_array")
"""

_EXPORTS = ("env", "env_class", "environments", "paper_sizes", "parallel_env", "register", "task_names", "task_spec",
            "tasks")


def __getattr__(name: str):
    # Lazy, so that importing one pure simulator does not import PettingZoo.
    if name in _EXPORTS:
        from colony.envs import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'colony.envs' has no attribute {name!r}")


__all__ = list(_EXPORTS)
