"""Start the desktop app: `affilitest-gui [--sandbox] [--base-url URL] [--self-test[=REPORT]]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Callable

import PySide6  # noqa: F401 - import the binding first: qasync then picks it
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from affilitest_gui import APP_NAME, ORGANIZATION, __version__
from affilitest_gui.api.client import DEFAULT_BASE_URL
from affilitest_gui.api.redaction import RedactingFilter
from affilitest_gui.assembly import build_window
from affilitest_gui.history.store import NewerDatabaseError
from affilitest_gui.paths import history_path, resource_path
from affilitest_gui.selftest import run_self_test
from affilitest_gui.system_libs import desktop_problem
from affilitest_gui.ui.crash_dialog import install_crash_handler


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="affilitest-gui", description=__doc__)
    parser.add_argument("--sandbox", action="store_true", help="use the offline demo server")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    parser.add_argument(
        "--self-test", nargs="?", const="-", metavar="REPORT.json",
        help="run one real check against the embedded sandbox, report, exit",
    )  # fmt: skip
    parser.add_argument(
        "--quit-after-start", action="store_true",
        help="quit as soon as the window is shown (start-up benchmarks, smoke tests)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


def configure_logging(secrets: Callable[[], list[str]]) -> None:
    """Warnings and errors to stderr, every line redacted (keys, Authorization headers)."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = resource_path("icon-256.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def _cannot_open_history(error: Exception) -> int:
    """Say why the history cannot be opened (it is left as it is), then exit 2."""
    text = (
        str(error)
        if isinstance(error, NewerDatabaseError)
        else f"The history file {history_path()} cannot be read ({error}). It was not changed."
    )
    sys.stderr.write(text + "\n")
    if QGuiApplication.platformName() != "offscreen":  # someone is there to read it
        QMessageBox.critical(None, f"{APP_NAME} cannot open its history", text)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = desktop_problem()  # Qt would abort with a cryptic plugin message instead
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return 2
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if args.self_test is not None:
        with loop:
            return loop.run_until_complete(run_self_test(args.self_test))
    try:
        window = build_window(args.base_url)
    except (NewerDatabaseError, sqlite3.DatabaseError) as error:
        return _cannot_open_history(error)
    install_crash_handler(window.account.secrets)
    configure_logging(window.account.secrets)
    window.show()
    window.start(sandbox=args.sandbox)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    if args.quit_after_start:
        QTimer.singleShot(0, window.close)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
