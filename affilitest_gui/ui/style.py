"""The app's few colours, in one place, for a light and a dark scheme.

macOS and Windows 11 follow the system's dark mode, so no colour here is used on its
own: text colours are chosen for the scheme's background, and every tinted background
comes with its own text colour. The scheme is read from the palette in use when a
colour is asked for, so a model's cells follow a change at the next paint; labels set
with `set_tone` are re-coloured by `retone` when the palette changes. Every pair meets
WCAG AA (4.5:1) in both schemes (tests/test_dark_mode.py).
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from affilitest_gui.judging.health import Health

TONE_PROPERTY = "tone"
BANNER_PROPERTY = "banner"


class Tone(Enum):
    """What a text says, which decides its colour."""

    OK = "ok"
    WARNING = "warning"
    BROKEN = "broken"
    ERROR = "error"
    MUTED = "muted"


# Each colour by scheme: [light, dark]. Text colours are for the window's or a view's
# background; a tinted background always comes with TINT_TEXT.
TONES = {
    Tone.OK: ("#2a712e", "#81c784"),
    Tone.WARNING: ("#7a5f00", "#ffd54f"),
    Tone.BROKEN: ("#bf360c", "#ffab91"),
    Tone.ERROR: ("#c62828", "#ef9a9a"),
    Tone.MUTED: ("#616161", "#b0b0b0"),
}
TINT_TEXT = ("#1a1a1a", "#f2f2f2")
BAD_LINE = ("#fde0dc", "#5c2320")  # a bad line of the check form's URL box
BANNER = (
    "background: #fff3cd; color: #5c4400; padding: 6px; font-weight: bold;"
    "border-bottom: 1px solid #e0c36a",
    "background: #3d3000; color: #ffe082; padding: 6px; font-weight: bold;"
    "border-bottom: 1px solid #8d6e00",
)


@cache
def health_tones() -> dict[Health, Tone]:
    """A log row's verdict and health coloured by its health (OK: the plain text)."""
    from affilitest_gui.judging.health import Health  # noqa: PLC0415

    return {Health.WARNING: Tone.WARNING, Health.BROKEN: Tone.BROKEN,
            Health.NOT_CHECKED: Tone.ERROR, Health.CANCELLED: Tone.MUTED}  # fmt: skip


@cache
def tints() -> dict[Health, tuple[str, str]]:
    """An offer's matrix cell by health, [light, dark]; made at first use (the health
    rules load after the window's first paint)."""
    from affilitest_gui.judging.health import Health  # noqa: PLC0415

    return {
        Health.OK: ("#e8f5e9", "#1e3a23"),
        Health.WARNING: ("#fff8e1", "#3d3000"),
        Health.BROKEN: ("#ffebee", "#4a1f1f"),
        Health.NOT_CHECKED: ("#eceff1", "#2c3236"),
        Health.CANCELLED: ("#fafafa", "#2a2a2a"),
    }


def dark() -> int:
    """0 for a light palette, 1 for a dark one (the window's colour decides): an index
    into the pairs above."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return int(window.lightness() < 128)


def tone_color(tone: Tone) -> str:
    return TONES[tone][dark()]


def tone_style(tone: Tone) -> str:
    """A stylesheet or an HTML `style` attribute for text of this tone."""
    return f"color: {tone_color(tone)}"


def set_tone(widget: QWidget, tone: Tone | None) -> None:
    """Colour a label's text for what it says (None: the palette's own)."""
    widget.setProperty(TONE_PROPERTY, None if tone is None else tone.value)
    widget.setStyleSheet("" if tone is None else tone_style(tone))


def set_banner(widget: QWidget) -> None:
    """A banner across the window (sandbox, read-only copy)."""
    widget.setProperty(BANNER_PROPERTY, True)
    widget.setStyleSheet(BANNER[dark()])


def retone(root: QWidget) -> None:
    """After a palette change: re-colour every toned widget and banner under `root`."""
    for widget in [root, *root.findChildren(QWidget)]:
        value = widget.property(TONE_PROPERTY)
        if value:
            set_tone(widget, Tone(value))
        elif widget.property(BANNER_PROPERTY):
            set_banner(widget)


def health_text_color(health: Health) -> QColor | None:
    """A log row's verdict and health, coloured by its health (OK: the plain text)."""
    tone = health_tones().get(health)
    return None if tone is None else QColor(tone_color(tone))


def tint(health: Health) -> tuple[QColor, QColor]:
    """A cell's background for this health, and the text colour that goes on it."""
    scheme = dark()
    return QColor(tints()[health][scheme]), QColor(TINT_TEXT[scheme])


def bad_line() -> tuple[QColor, QColor]:
    scheme = dark()
    return QColor(BAD_LINE[scheme]), QColor(TINT_TEXT[scheme])
