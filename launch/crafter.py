"""Launch the crafter scenario: `python -m colony.launch.crafter [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "crafter", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
