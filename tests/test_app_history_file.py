"""A history file the app cannot open, as a person meets it: the question before any
window, a read-only copy of what can be read, or a new history with the old file kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from affilitest_gui.assembly import open_window
from affilitest_gui.history.store import SCHEMA_VERSION
from affilitest_gui.ui.crash_dialog import CrashDialog, install_crash_handler
from affilitest_gui.ui.history_problem import TITLE
from affilitest_gui.ui.import_dialog import ImportDialog
from tests.histories import check_url, damage_page_holding, digest, filled_history
from tests.person import (
    answer_when_asked,
    button_in,
    click,
    message_box,
    press,
    right_click,
    type_into,
    visible,
)


def start_app(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The app started as a user starts it, offscreen: nobody there to answer."""
    env = {**os.environ, "AFFILITEST_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "affilitest_gui", "--quit-after-start"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60,
                          check=False)  # fmt: skip


def asking_window(base_url: str, **options):
    """The window as the app opens it, with a person there to answer."""
    opened = open_window(base_url, interactive=True, **options)
    assert opened is not None
    return opened[0]


def damaged_history(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    filled_history(path, checks=600, offers=2)
    damage_page_holding(path, check_url(0))
    return path


def test_a_history_from_a_newer_version_stops_the_app_with_a_clear_message(tmp_path):
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    before = digest(path)
    done = start_app(tmp_path)
    assert done.returncode == 2
    assert "written by a newer version of AffiliTest GUI" in done.stderr
    assert "Traceback" not in done.stderr
    assert digest(path) == before


def test_a_damaged_history_is_named_and_left_alone_never_a_traceback(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database, it was damaged" * 100)
    before = digest(path)
    done = start_app(tmp_path)
    assert done.returncode == 2
    assert f"The history file {path} cannot be read" in done.stderr
    assert "Traceback" not in done.stderr
    assert digest(path) == before


def test_a_damaged_history_opens_as_a_read_only_copy_that_changes_nothing(
    qtbot, make_window, tmp_path, memory_keyring
):
    path = damaged_history(tmp_path)
    before = digest(path)
    asked = answer_when_asked(qtbot, TITLE, "Open a copy read-only")

    window = make_window(build=asking_window)

    assert "cannot be read (database disk image is malformed). It was not changed." in asked[0]
    assert "A copy can be opened read-only:" in asked[0]
    assert "and 2 offers could be read; the rest of the file is damaged." in asked[0]
    assert window.windowTitle().endswith("read-only copy")
    banner = window.findChild(type(window.banner), "readOnlyBanner")
    assert banner.isVisible() and "Checks, imports and edits are off" in banner.text()
    shown = window.model.total
    assert 500 < shown < 600 and window.results.count_label.text() == f"{shown:,} checks"
    assert not window.form.isEnabled()
    type_into(qtbot, window.form.urls, "https://example.com/offer")
    press(qtbot, window, "Ctrl+R")
    assert window.form.urls.toPlainText() == "" and window.store.count() == shown
    table = window.results.table
    cell = table.visualRect(window.model.index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    menu = right_click(qtbot, table.viewport(), cell)
    assert "Copy" in [action.text() for action in menu.actions()]
    assert not [action for action in menu.actions() if action.text().startswith("Re-run")]
    menu.close()
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    assert view.table.model().rowCount() == 2 and view.export_button.isVisible()
    assert not view.import_button.isVisible() and not view.check_all_button.isVisible()
    press(qtbot, window, "Ctrl+I")
    assert not visible(ImportDialog)
    assert digest(path) == before  # the user's file: not one byte changed


def test_start_a_new_history_keeps_the_damaged_file_beside_it(
    qtbot, make_window, tmp_path, memory_keyring
):
    path = damaged_history(tmp_path)
    before = digest(path)
    answer_when_asked(qtbot, TITLE, "Start a new history (keep the old file)")

    window = make_window(build=asking_window)

    assert window.model.total == 0 and window.form.isEnabled()
    assert window.windowTitle() == "AffiliTest GUI"
    [kept] = tmp_path.glob("history-unreadable-*.sqlite3")
    assert digest(kept) == before


def test_with_nothing_readable_there_is_no_copy_to_offer_and_quit_quits(
    qtbot, sandbox, tmp_path
):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database, it was damaged" * 100)
    asked = answer_when_asked(qtbot, TITLE, "Quit")

    opened = open_window(sandbox.base_url, interactive=True, data_dir=tmp_path)

    assert opened is None
    assert "Nothing in it can be read, so there is no copy to look at." in asked[0]
    assert path.read_bytes().startswith(b"this is not a database")


def test_a_history_locked_by_another_program_opens_as_a_full_read_only_copy(
    qtbot, make_window, tmp_path, memory_keyring
):
    path = tmp_path / "history.sqlite3"
    filled_history(path, checks=25, offers=2)
    holder = sqlite3.connect(path)  # a backup tool, say, holding the file for itself
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    asked = answer_when_asked(qtbot, TITLE, "Open a copy read-only")
    try:
        window = make_window(build=asking_window)  # after SQLite's 5 s wait for the lock
    finally:
        holder.rollback()
        holder.close()

    assert "cannot be read (database is locked)" in asked[0]
    assert "A copy can be opened read-only: the whole file, 25 checks and 2 offers." in asked[0]
    assert window.model.total == 25 and window.windowTitle().endswith("read-only copy")


@pytest.mark.qt_no_exception_capture  # the app's own hook gets what a slot raises
def test_a_read_failing_on_a_damaged_page_says_so_once_and_the_next_start_offers_a_copy(
    qtbot, make_window, tmp_path, memory_keyring
):
    path = tmp_path / "history.sqlite3"
    filled_history(path, checks=1000, offers=2)
    damage_page_holding(path, check_url(200))  # older than the log's first page: it opens
    window = make_window()
    previous = sys.excepthook
    install_crash_handler(window.account.secrets, history_damaged=window.history_damaged)
    try:
        type_into(qtbot, window.results.filter_edit, "n=0")  # a filter reads every row
        box = message_box(qtbot, "Your history file is damaged")
        assert "Part of your history cannot be read (database disk image is malformed)" in (
            box.text()
        )
        assert not visible(CrashDialog)  # no traceback for the user
        assert len([b for b in visible(QMessageBox) if b.windowTitle() == box.windowTitle()]) == 1
        click(qtbot, button_in(box, "Quit"))
        assert not window.isVisible()
    finally:
        sys.excepthook = previous
    window.store.close()

    asked = answer_when_asked(qtbot, TITLE, "Open a copy read-only")
    again = make_window(build=asking_window)  # the next start checks the whole file

    assert "(a check of the whole file found damaged pages). It was not changed." in asked[0]
    assert "could be read; the rest of the file is damaged" in asked[0]
    assert again.windowTitle().endswith("read-only copy") and 900 < again.model.total < 1000


def test_start_a_new_history_on_a_file_another_program_holds_says_so_and_changes_nothing(
    qtbot, tmp_path, sandbox, monkeypatch
):
    """Windows refuses to rename a file another program has open (SQLite opens without
    FILE_SHARE_DELETE): PermissionError, exactly in the locked case. Simulated here by
    refusing the rename of the history file."""
    path = damaged_history(tmp_path)
    before = digest(path)
    rename = Path.rename

    def windows_rename(self, target):
        if self == path:
            raise PermissionError(13, "The process cannot access the file because it is "
                                      "being used by another process", str(self))  # fmt: skip
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", windows_rename)
    answer_when_asked(qtbot, TITLE, "Start a new history (keep the old file)")
    said: list[str] = []

    def quit_when_told() -> None:
        boxes = [box for box in visible(QMessageBox) if "in use" in box.text()]
        if not boxes:
            QTimer.singleShot(20, quit_when_told)
            return
        said.append(f"{boxes[0].text()}\n{boxes[0].informativeText()}")
        click(qtbot, button_in(boxes[0], "Quit"))

    QTimer.singleShot(20, quit_when_told)
    opened = open_window(sandbox.base_url, interactive=True, data_dir=tmp_path)

    assert opened is None
    assert "is in use by another program" in said[0] and "Nothing was changed" in said[0]
    assert "then start the app again" in said[0]
    assert digest(path) == before and not list(tmp_path.glob("history-unreadable-*"))


def test_the_window_says_it_is_busy_while_a_held_history_makes_the_start_wait(qapp, tmp_path):
    """SQLite waits up to 5 s for a history another program holds: meanwhile the window
    shows the wait cursor and says what it is doing, and both go when the wait ends."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication

    from affilitest_gui.app import _open_busy
    from affilitest_gui.ui.main_window import MainWindow

    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    seen = []

    def held_open():
        cursor = QGuiApplication.overrideCursor()
        seen.append((cursor.shape() if cursor else None, window.statusBar().currentMessage()))
        return "opened"

    assert _open_busy(window, held_open) == "opened"
    assert seen == [(Qt.CursorShape.WaitCursor, "Opening your history\u2026")]
    assert QGuiApplication.overrideCursor() is None and window.statusBar().currentMessage() == ""
    window.close()


@pytest.mark.qt_no_exception_capture  # the app's own hook gets what a slot raises
def test_a_history_another_program_holds_mid_session_is_said_in_use_and_marked_nothing(
    qtbot, make_window, tmp_path, monkeypatch
):
    """SQLite's own "database is locked" (made for real on a file held with an exclusive
    lock), met by a read of the log mid-session."""
    held = tmp_path / "held.sqlite3"
    holder = sqlite3.connect(held)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(held, timeout=0).execute("SELECT * FROM t")
    except sqlite3.OperationalError as error:
        locked = error
    finally:
        holder.rollback()
        holder.close()
    window = make_window()
    path = window.store.path

    def held_by_another_program(*_args, **_kwargs):
        raise locked

    monkeypatch.setattr(window.store, "page", held_by_another_program)
    previous = sys.excepthook
    install_crash_handler(window.account.secrets, history_damaged=window.history_damaged)
    try:
        type_into(qtbot, window.results.filter_edit, "n=1")  # the filter reads: locked
        box = message_box(qtbot, "Your history cannot be used right now")
        assert f"The history file {path} is in use by another program" in box.text()
        assert not visible(CrashDialog)
    finally:
        sys.excepthook = previous
    assert not list(tmp_path.glob("*damaged*"))  # nothing marked


def test_the_history_question_stands_alone_not_over_a_window_without_its_history(
    qtbot, tmp_path, sandbox, memory_keyring
):
    from PySide6.QtCore import QSettings

    from affilitest_gui.ui.main_window import MainWindow

    damaged_history(tmp_path)
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()  # the first paint, as the app does before it opens the history
    seen = []

    def answer() -> None:
        boxes = [box for box in visible(QMessageBox) if TITLE in box.windowTitle()]
        if not boxes:
            QTimer.singleShot(20, answer)
            return
        seen.append(window.isVisible())
        click(qtbot, button_in(boxes[0], "Open a copy read-only"))

    QTimer.singleShot(20, answer)
    opened = open_window(sandbox.base_url, interactive=True, window=window, data_dir=tmp_path,
                         sandbox=lambda: sandbox)  # fmt: skip
    assert opened is not None and seen == [False]  # hidden while asked...
    assert window.isVisible()  # ...and back with the copy
    window.shutdown()
    window.store.close()
    opened[1].discard()
