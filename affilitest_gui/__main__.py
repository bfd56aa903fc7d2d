"""`python -m affilitest_gui` and the `affilitest-gui` launcher."""

from __future__ import annotations

import sys

from affilitest_gui.app import main as app_main


def main() -> None:
    sys.exit(app_main())


if __name__ == "__main__":
    main()
