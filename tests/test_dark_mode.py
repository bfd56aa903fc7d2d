"""Dark mode: every text colour the app sets meets WCAG AA (4.5:1) on what it is drawn
on, in a light palette and in the dark palettes of Windows 11 and macOS. The cells are
rendered with the palette in use and their painted background is read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QTableWidget

from affilitest_gui.history.offer_book import CellResult
from affilitest_gui.judging.health import Health
from affilitest_gui.ui import style
from affilitest_gui.ui.offers_view import _cell
from affilitest_gui.ui.results_model import health_brush

AA = 4.5


def luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(
        color.blue()
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(window: str, base: str, alternate: str, text: str) -> QPalette:
    made = QPalette()
    role = QPalette.ColorRole
    colors = {role.Window: window, role.Base: base, role.AlternateBase: alternate,
              role.Text: text, role.WindowText: text, role.Button: window,
              role.ButtonText: text}  # fmt: skip
    for which, color in colors.items():
        made.setColor(which, QColor(color))
    return made


PALETTES = {
    "light": palette("#efefef", "#ffffff", "#f7f7f7", "#000000"),
    "macos light": palette("#ececec", "#ffffff", "#f4f5f5", "#000000d8"),
    "windows 11 dark": palette("#202020", "#1c1c1c", "#2b2b2b", "#ffffff"),
    "macos dark": palette("#323232", "#1e1e1e", "#2a2a2a", "#ffffffd8"),
}


@pytest.fixture(params=sorted(PALETTES))
def scheme(request, qapp) -> Iterator[tuple[str, QPalette]]:
    before = QApplication.palette()
    QApplication.setPalette(PALETTES[request.param])
    yield request.param, PALETTES[request.param]
    QApplication.setPalette(before)


def test_the_scheme_follows_the_palette(scheme):
    name, _ = scheme
    assert style.dark() == ("dark" in name)


def test_every_tone_is_readable_on_the_window_and_in_a_view(scheme):
    _, shown = scheme
    for tone in style.Tone:
        text = QColor(style.tone_color(tone))
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base,
                     QPalette.ColorRole.AlternateBase):  # fmt: skip
            ratio = contrast(text, shown.color(role))
            assert ratio >= AA, f"{tone.name} on {role.name}: {ratio:.2f}"


def test_the_log_colours_each_health_readably_on_its_rows(scheme):
    _, shown = scheme
    for health in Health:
        brush = health_brush(health)
        text = shown.color(QPalette.ColorRole.Text) if brush is None else brush.color()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
            assert contrast(text, shown.color(role)) >= AA, f"{health.name} on {role.name}"


def test_the_rendered_matrix_cells_and_marked_lines_are_readable(scheme, qtbot):
    """The offers matrix as the view fills it (`_cell`), painted: the background read
    back from the picture, against the text colour the cell carries."""
    table = QTableWidget(1, len(Health) + 1)
    qtbot.addWidget(table)
    for column, health in enumerate(Health):
        record = CellResult(1, health, "Lands on Play Store: com.example", (), "https://x", "")
        table.setItem(0, column, _cell(record, changed=False))
    table.setItem(0, len(Health), _cell(None, changed=False))
    table.resize(1200, 200)
    table.show()
    qtbot.waitExposed(table)
    picture = table.viewport().grab().toImage()
    for column in range(table.columnCount()):
        item = table.item(0, column)
        corner = table.visualItemRect(item).topLeft()
        painted = picture.pixelColor(corner.x() + 3, corner.y() + 3)
        text = item.foreground().color()
        assert contrast(text, painted) >= AA, f"column {column}: {item.text()!r}"
    background, text = style.bad_line()
    assert contrast(text, background) >= AA


def test_a_palette_change_recolours_the_labels_that_say_a_tone(qapp, qtbot):
    from PySide6.QtWidgets import QLabel, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    label = QLabel("Broken: ends in 404", root)
    style.set_tone(label, style.Tone.ERROR)
    banner = QLabel("SANDBOX", root)
    style.set_banner(banner)
    before = QApplication.palette()
    try:
        QApplication.setPalette(PALETTES["macos light"])
        style.retone(root)
        light = label.styleSheet(), banner.styleSheet()
        QApplication.setPalette(PALETTES["windows 11 dark"])
        style.retone(root)
        dark = label.styleSheet(), banner.styleSheet()
    finally:
        QApplication.setPalette(before)
    assert light[0] == f"color: {style.TONES[style.Tone.ERROR][0]}"
    assert dark[0] == f"color: {style.TONES[style.Tone.ERROR][1]}"
    assert light[1] != dark[1]
