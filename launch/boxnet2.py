"""Launch the boxnet2 scenario: `python -m colony.launch.boxnet2 [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "boxnet2", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
