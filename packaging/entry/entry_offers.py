"""Frozen entry point of `affilitest-offers` (pyinstaller.spec)."""

from affilitest_gui.offers_cli import main

main()
