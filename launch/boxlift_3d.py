"""Launch the boxlift_3d scenario: `python -m colony.launch.boxlift_3d [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "boxlift_3d", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
