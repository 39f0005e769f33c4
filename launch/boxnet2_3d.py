"""Launch the boxnet2_3d scenario: `python -m colony.launch.boxnet2_3d [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "boxnet2_3d", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
