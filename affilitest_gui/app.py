"""Start the desktop app: `affilitest-gui [--sandbox] [--base-url URL] [--self-test[=REPORT]]`."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import PySide6  # noqa: F401 - import the binding first: qasync then picks it
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from affilitest_gui import APP_NAME, ORGANIZATION, __version__
from affilitest_gui.api.redaction import RedactingFilter
from affilitest_gui.api.vendor import WEBSITE as DEFAULT_BASE_URL
from affilitest_gui.assembly import build_window, history_file
from affilitest_gui.history.store import NewerDatabaseError, set_aside
from affilitest_gui.paths import resource_path
from affilitest_gui.system_libs import desktop_problem
from affilitest_gui.ui.crash_dialog import install_crash_handler
from affilitest_gui.ui.history_problem import HistoryChoice, ask_about_history
from affilitest_gui.ui.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

    from affilitest_gui.history.rescue import ReadableCopy


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


def open_window(
    base_url: str, *, interactive: bool, **options: Any
) -> tuple[MainWindow, ReadableCopy | None] | None:
    """The window on the user's history, and the read-only copy it shows, if any.

    When the file cannot be opened: say why (on stderr too) and, with someone there
    to answer, offer a read-only copy of what can be read, or a new history (the old
    file is kept, renamed). None: quit. `options` go to `build_window`."""
    try:
        return build_window(base_url, **options), None
    except NewerDatabaseError as error:
        sys.stderr.write(f"{error}\n")
        if interactive:
            ask_about_history(str(error), "", [])
        return None
    except sqlite3.DatabaseError as error:  # damaged, or locked by another program
        problem = error
    path = history_file(options.get("data_dir"))
    text = f"The history file {path} cannot be read ({problem}). It was not changed."
    sys.stderr.write(text + "\n")
    if not interactive:
        return None
    copy = _readable_copy(path)
    choices = [HistoryChoice.START_NEW]
    if copy is None:
        informative = "Nothing in it can be read, so there is no copy to look at."
    else:
        informative = f"A copy can be opened read-only: {copy.summary()}."
        choices.insert(0, HistoryChoice.OPEN_COPY)
    choice = ask_about_history(text, informative, choices)
    if copy is not None and choice is HistoryChoice.OPEN_COPY:
        return build_window(base_url, read_only=copy, **options), copy
    if copy is not None:
        copy.discard()
    if choice is HistoryChoice.START_NEW:
        kept = set_aside(path)
        sys.stderr.write(f"The old history file is kept as {kept}.\n")
        return build_window(base_url, **options), None
    return None


def _readable_copy(path: Path) -> ReadableCopy | None:
    """A copy of what can be read (a wait cursor meanwhile: a big file takes a while)."""
    from affilitest_gui.history.rescue import NothingReadableError, readable_copy  # noqa: PLC0415

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return readable_copy(path)
    except (NothingReadableError, OSError):
        return None
    finally:
        QApplication.restoreOverrideCursor()


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
    interactive = QGuiApplication.platformName() != "offscreen"  # else nobody to answer
    opened = open_window(args.base_url, interactive=interactive)
    if opened is None:
        return 2
    window, copy = opened
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
    if copy is not None:
        window.store.close()
        copy.discard()
    return 0
