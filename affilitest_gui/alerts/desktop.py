"""The desktop: the tray's balloon, or the window's own message where there is no tray.
Showing is the UI's; this channel is handed the function that does it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from affilitest_gui.alerts.channel import Delivery
from affilitest_gui.offers.alerts import Notification


@dataclass
class DesktopChannel:
    show: Callable[[Notification], str]  # shows it; says where ("tray", "window")
    name: str = "desktop"

    def deliver(self, note: Notification) -> Delivery:
        return Delivery(self.name, True, f"shown in the {self.show(note)}")
