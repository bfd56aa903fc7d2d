"""Start the desktop app: `affilitest-gui [--sandbox] [--base-url URL] [--self-test[=REPORT]]`."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import PySide6  # noqa: F401 - import the binding first: qasync then picks it
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from affilitest_gui import APP_NAME, ORGANIZATION, __version__
from affilitest_gui.api.redaction import RedactingFilter
from affilitest_gui.api.vendor import WEBSITE as DEFAULT_BASE_URL
from affilitest_gui.assembly import build_window
from affilitest_gui.history.store import NewerDatabaseError, set_aside
from affilitest_gui.paths import history_path, resource_path
from affilitest_gui.system_libs import desktop_problem
from affilitest_gui.ui.crash_dialog import install_crash_handler
from affilitest_gui.ui.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio


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


def _open_window(base_url: str) -> MainWindow | None:
    """The window on the user's history; when that file cannot be opened, say why and
    offer to start a new one (the old file is kept, renamed); None: quit."""
    try:
        return build_window(base_url)
    except NewerDatabaseError as error:
        _say_history_problem(str(error), offer_new=False)
    except sqlite3.DatabaseError as error:  # damaged, or locked by another program
        text = f"The history file {history_path()} cannot be read ({error}). It was not changed."
        if _say_history_problem(text, offer_new=True):
            kept = set_aside(history_path())
            sys.stderr.write(f"The old history file is kept as {kept}.\n")
            return build_window(base_url)
    return None


def _say_history_problem(text: str, *, offer_new: bool) -> bool:
    """True if the user chose to start a new history file."""
    sys.stderr.write(text + "\n")
    if QGuiApplication.platformName() == "offscreen":  # nobody there to answer
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open its history", text)
    start_new = None
    if offer_new:
        start_new = box.addButton("Start a new history (keep the old file)",
                                  QMessageBox.ButtonRole.AcceptRole)  # fmt: skip
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()  # at start-up, before any window or worker: nothing else to block
    return start_new is not None and box.clickedButton() is start_new


def _event_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """The qasync loop on Qt's: the app's async flows run on it. Imported here, after
    the first paint: asyncio and qasync take longer to load than the window to show."""
    import asyncio  # noqa: PLC0415

    import qasync  # noqa: PLC0415

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = desktop_problem()  # Qt would abort with a cryptic plugin message instead
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return 2
    app = make_application()
    if args.self_test is not None:
        from affilitest_gui.selftest import run_self_test  # noqa: PLC0415 - not every start

        loop = _event_loop(app)
        with loop:
            return loop.run_until_complete(run_self_test(args.self_test))
    window = _open_window(args.base_url)
    if window is None:
        return 2
    install_crash_handler(window.account.secrets)
    configure_logging(window.account.secrets)
    window.show()
    app.processEvents()  # the first paint, before the event loop's own imports
    if args.quit_after_start:  # bench/startup.py times the window to this line
        print("shown", flush=True)
    loop = _event_loop(app)
    # After the first paint: the keyring's backend discovery, the calls left, the
    # question about unfinished checks and the schedules.
    QTimer.singleShot(0, lambda: window.start(sandbox=args.sandbox))
    import asyncio  # noqa: PLC0415 - loaded with the loop, above

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    if args.quit_after_start:
        QTimer.singleShot(0, window.close)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
