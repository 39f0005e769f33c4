"""Launch the boxlift scenario: `python -m colony.launch.boxlift [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "boxlift", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
