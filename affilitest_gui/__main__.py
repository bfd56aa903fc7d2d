"""`python -m affilitest_gui` and the `affilitest-gui` launcher."""

from __future__ import annotations

import sys

from affilitest_gui.cli import build_parser


def main() -> None:
    build_parser().print_help()
    sys.exit(0)


if __name__ == "__main__":
    main()
