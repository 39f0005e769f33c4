"""Launch the warehouse_3d scenario: `python -m colony.launch.warehouse_3d [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "warehouse_3d", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
