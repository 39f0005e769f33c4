"""Launch the warehouse scenario: `python -m colony.launch.warehouse [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "warehouse", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
