"""Start the desktop app: `affilitest-gui [--sandbox] [--base-url URL] [--self-test[=REPORT]]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import PySide6  # noqa: F401 - import the binding first: qasync then picks it
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from affilitest_gui import APP_NAME, ORGANIZATION, __version__
from affilitest_gui.api.vendor import WEBSITE as DEFAULT_BASE_URL
from affilitest_gui.paths import data_dir, resource_path
from affilitest_gui.running_flag import hold_running_flag
from affilitest_gui.stdio import ensure_streams
from affilitest_gui.system_libs import desktop_problem
from affilitest_gui.ui.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

Opened = TypeVar("Opened")


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
    parser.add_argument(
        "--remove-user-data", action="store_true",
        help="delete the saved API key, the settings and the history, then exit "
        "(the uninstaller's choice)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


def configure_logging(secrets: Callable[[], list[str]]) -> None:
    """Warnings and errors to stderr, every line redacted (keys, Authorization headers).
    Set up after the first paint, with the modules it needs."""
    import logging  # noqa: PLC0415

    from affilitest_gui.api.redaction import RedactingFilter  # noqa: PLC0415

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


def _event_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """The qasync loop on Qt's: the app's async flows run on it. Imported here, after
    the first paint: asyncio and qasync take longer to load than the window to show."""
    import asyncio  # noqa: PLC0415

    import qasync  # noqa: PLC0415

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


def _open_busy(window: MainWindow, opening: Callable[[], Opened]) -> Opened:
    """A history another program holds makes SQLite wait (5 s) before it says so: the
    window says it is busy meanwhile instead of looking frozen."""
    window.statusBar().showMessage("Opening your history\u2026")
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QApplication.processEvents()
    try:
        return opening()
    finally:
        QGuiApplication.restoreOverrideCursor()
        window.statusBar().clearMessage()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)  # argparse copes with no stderr; nothing else before this may
    if args.remove_user_data:  # before a log file is opened in the folder it deletes
        from affilitest_gui.user_data import remove_and_report  # noqa: PLC0415

        return remove_and_report(data_dir())
    ensure_streams(data_dir())  # the windowed exe has none: before anything else writes
    hold_running_flag()  # the installer asks to quit the app while it runs
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
    window = MainWindow(QSettings())  # what the first paint shows; the rest just after
    window.show()
    app.processEvents()  # the first paint, before the session's modules load
    if args.quit_after_start:  # bench/startup.py times the window to this line
        print("shown", flush=True)
    from affilitest_gui.assembly import open_window  # noqa: PLC0415 - after the first paint
    from affilitest_gui.ui.crash_dialog import install_crash_handler  # noqa: PLC0415

    interactive = QGuiApplication.platformName() != "offscreen"  # else nobody to answer
    opened = _open_busy(window, lambda: open_window(args.base_url, interactive=interactive,
                                                    window=window))  # fmt: skip
    if opened is None:
        window.close()
        return 2
    _, copy = opened
    install_crash_handler(window.account.secrets, history_damaged=window.history_damaged)
    configure_logging(window.account.secrets)
    if args.quit_after_start:  # ...and to this one, with the log in it
        app.processEvents()
        print("ready", flush=True)
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
    window.shutdown()  # a quit that skipped the window's close still finishes its work
    if copy is not None:
        window.store.close()
        copy.discard()
    return 0
