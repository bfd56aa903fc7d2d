"""Pausing (or re-activating) offers in the network platform they came from: a question
that lists each offer with its platform and ID, then each platform's answer. The
networks session writes and logs; this only asks and shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMessageBox

from affilitest_gui.networks.connections import PLATFORM_NAMES, platforms_of
from affilitest_gui.ui.msgbox import show_message
from affilitest_gui.ui.tasks import spawn
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.judging.records import HistoryRecord
    from affilitest_gui.offers.model import Offer
    from affilitest_gui.session.networks import NetworksSession
    from affilitest_gui.session.progress import BatchSummary

VERBS = {"pause": ("Pause", "paused"), "resume": ("Re-activate", "re-activated")}
LISTED = 12  # offers named in a question; the rest are counted


def _where(offer: Offer) -> str:
    platform, _, platform_id = offer.source.partition(":")
    return f"{offer.name or offer.label} ({PLATFORM_NAMES.get(platform, platform)} {platform_id})"


class PlatformUi(QObject):
    """Owned by the main window."""

    def __init__(self, window: QMainWindow, networks: NetworksSession) -> None:
        super().__init__(window)
        self.window = window
        self.networks = networks

    def ask(self, offers: list[Offer], action: str) -> QMessageBox:
        """The question first: nothing is written before the person confirms."""
        verb, _ = VERBS[action]
        where = platforms_of(offers)
        names = [f"\u2022 {_where(offer)}" for offer in offers[:LISTED]]
        if len(offers) > LISTED:
            names.append(f"\u2026 and {plural(len(offers) - LISTED, 'more offer')}")
        return show_message(
            self.window, f"{verb} in {where}?",
            f"{verb} {plural(len(offers), 'offer')} in {where}?",
            icon=QMessageBox.Icon.Question, informative="\n".join(names),
            confirm=f"{verb} {plural(len(offers), 'offer')}",
            on_confirm=lambda: spawn(self._apply(offers, action)),
        )  # fmt: skip

    def after_batch(self, summary: BatchSummary) -> None:
        """A batch ended: the auto-pause rule, when on, looks at its offers' answers."""
        if summary.offer_checks and self.networks.pause_rule().enabled:
            spawn(self._auto_pause(list(summary.offer_checks)))

    async def _auto_pause(self, records: list[HistoryRecord]) -> None:
        from affilitest_gui.session.networks import NETWORK_FAILURES  # noqa: PLC0415

        try:
            changes = await self.networks.apply_rule(records)
        except NETWORK_FAILURES as error:
            self.window.statusBar().showMessage(
                f"The auto-pause rule could not pause offers: {error}", 15_000)
            return
        paused = [change.offer for change in changes if change.result == "paused"]
        if not changes:
            return
        lines = [f"\u2022 {_where(change.offer)}: {change.result}"
                 + (f" ({change.message})" if change.result != "paused" else "")
                 for change in changes]  # fmt: skip
        title = f"Auto-paused {plural(len(paused), 'offer')} in their platform"
        show_message(
            self.window, title,
            f"{title}: broken {plural(self.networks.pause_rule().broken_runs, 'run')} in a "
            "row. Each pause is in the audit log.",
            informative="\n".join(lines),
            confirm="Undo" if paused else None,
            on_confirm=lambda: spawn(self._apply(self.networks.current(paused), "resume")),
            cancel_text="Keep them paused" if paused else None,
        )  # fmt: skip
        self.window.statusBar().showMessage(title + ".", 15_000)

    async def _apply(self, offers: list[Offer], action: str) -> None:
        from affilitest_gui.session.networks import NETWORK_FAILURES  # noqa: PLC0415

        verb, done = VERBS[action]
        self.window.statusBar().showMessage(f"{verb}: asking the platform\u2026", 10_000)
        try:
            changes = await self.networks.change_status(offers, action)
        except NETWORK_FAILURES as error:
            show_message(self.window, f"Could not {verb.lower()}", str(error),
                         icon=QMessageBox.Icon.Warning,
                         informative="Nothing else was changed; what was written is in "
                                     "the audit log.")  # fmt: skip
            return
        lines = [f"\u2022 {_where(change.offer)}: {change.result}"
                 + (f" ({change.message})" if change.result == "refused" else "")
                 for change in changes]  # fmt: skip
        refused = sum(change.result == "refused" for change in changes)
        title = f"{plural(len(changes) - refused, 'offer')} {done}" + (
            f", {refused:,} refused" if refused else "")  # fmt: skip
        icon = QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Information
        show_message(self.window, title, title + ".", icon=icon, informative="\n".join(lines))
        self.window.statusBar().showMessage(title + ".", 10_000)
