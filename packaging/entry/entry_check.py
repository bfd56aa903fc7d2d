"""Frozen entry point of `affilitest-check` (pyinstaller.spec)."""

from affilitest_gui.cli import main

main()
