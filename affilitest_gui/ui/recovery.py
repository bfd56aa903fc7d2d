"""What the app says when something went wrong before or under it: the checks a crash
left (asked once per start, once signed in), and a history that a read or a write
failed on (damaged: marked for a whole-file check at the next start; full, in use or
read-only: said, and nothing marked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QStatusBar

from affilitest_gui.ui.msgbox import ask_choice, show_message
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.history.problems import DatabaseError
    from affilitest_gui.history.queue import PendingCheck
    from affilitest_gui.history.repository import Repository
    from affilitest_gui.session.account import AccountSession
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.ui.checks_ui import ChecksUi
    from affilitest_gui.ui.results_model import ResultsModel


class RecoveryHost(Protocol):
    """What the questions need of the window they are asked in."""

    account: AccountSession
    batches: BatchCoordinator
    store: Repository
    model: ResultsModel
    checks: ChecksUi
    read_only: str | None

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def close(self) -> bool: ...


class Recovery(QObject):
    """The unfinished-checks question and the history's problems, each said once."""

    def __init__(self, window: RecoveryHost) -> None:
        super().__init__(window)  # type: ignore[arg-type] - the host is a QWidget
        self.window = window
        self.unfinished_question: QMessageBox | None = None
        self._asked = False
        self._damage_said = False
        self._storage_said = False

    # --- what a crash left -----------------------------------------------------------

    def offer_unfinished(self, *_state: object) -> None:
        """Asked once per start, once signed in (so it never stacks on the key dialog):
        the checks a crash (or a forced quit) left in the queue."""
        window = self.window
        if self._asked or not window.account.state.signed_in or window.read_only:
            return
        self._asked = True
        from affilitest_gui.history.queue import SENT  # noqa: PLC0415 - after the first paint

        checks = window.batches.unfinished()
        if not checks:
            return
        count = len(checks)
        sent = sum(check.state == SENT for check in checks)
        informative = (
            f"{plural(sent, 'check')} had been sent when the app stopped: each is sent once "
            "more and marked as possibly charged twice."
            if sent
            else "None of them had been sent."
        )
        batches = window.batches
        self.unfinished_question = ask_choice(
            window, "Checks did not finish",  # type: ignore[arg-type]
            f"{plural(count, 'check')} did not finish the last time the app ran.",
            [
                (f"Run the {plural(count, 'check')} that did not finish",
                 lambda: window.checks.run_counted(count, lambda: self._settle(
                     batches.run_unfinished, checks))),
                ("Discard them", lambda: self._settle(batches.discard_unfinished, checks)),
            ],
            informative=informative + " Discarded checks are logged as not checked.",
        )  # fmt: skip

    def _settle(self, action: Callable[[list[PendingCheck]], None],
                checks: list[PendingCheck]) -> None:  # fmt: skip
        action(checks)
        self.window.model.reload()  # checks closed without a call are in the log now

    # --- a history that cannot be read or written ------------------------------------

    def history_failed(self, error: DatabaseError) -> None:
        """A read or a write of the history failed. Damage: mark the file so the next
        start checks it whole (and offers a read-only copy or a new history), and say so
        once; later failures only in the status bar. A full disk, a file in use by
        another program, a folder made read-only: say that, once, and mark nothing."""
        from affilitest_gui.history.problems import (  # noqa: PLC0415
            StorageProblem,
            problem_sentence,
            storage_problem,
        )

        window = self.window
        problem = storage_problem(error)
        if problem is not StorageProblem.DAMAGED:
            kept = window.batches.unstored
            text = problem_sentence(problem, window.store.path, error)
            if kept:
                text += (f" Sending is paused; the {plural(kept, 'answer')} received so far "
                         "are kept and saved when you Resume.")  # fmt: skip
            self._say_once(text)
            return
        window.store.mark_damaged()
        if self._damage_said:
            window.statusBar().showMessage(f"Part of your history cannot be read ({error}).",
                                           10_000)  # fmt: skip
            return
        self._damage_said = True
        show_message(
            window,  # type: ignore[arg-type]
            "Your history file is damaged",
            f"Part of your history cannot be read ({error}), so the log or the offers may "
            "be incomplete.",
            icon=QMessageBox.Icon.Warning,
            informative="Quit and start the app again: it checks the whole file, then "
            "offers a read-only copy of what can be read, or a new history (the old file "
            "is kept).",
            confirm="Quit",
            on_confirm=window.close,
            cancel_text="Keep working",
        )

    def _say_once(self, text: str) -> None:
        """Once in a box, later in the status bar."""
        if self._storage_said:
            self.window.statusBar().showMessage(text, 10_000)
            return
        self._storage_said = True
        show_message(self.window, "Your history cannot be used right now", text,  # type: ignore[arg-type]
                     icon=QMessageBox.Icon.Warning)  # fmt: skip
