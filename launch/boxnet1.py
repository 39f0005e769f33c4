"""Launch the boxnet1 scenario: `python -m colony.launch.boxnet1 [colony run options]`."""

import sys

from colony.launch.cli import main as colony


def main() -> int:
    return colony(["run", "boxnet1", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
