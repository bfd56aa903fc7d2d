"""What a person does with the app, for the UI tests: clicks, keys, menus, dialogs.

Every helper goes through the real widgets (mouse and key events), so a control wired
to the wrong slot, a missing shortcut or a disabled button fails the test.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QWidget,
)

LEFT = Qt.MouseButton.LeftButton


def activate(qtbot, window: QWidget) -> None:
    """Bring a window to the front, as clicking on it would (shortcuts need it)."""
    window.activateWindow()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def click(qtbot, button: QAbstractButton) -> None:
    """Click a button where a person would: a check box on its box and words, since a
    stretched check box does not react to a click on the empty space beside them."""
    assert button.isVisible(), f"{button.text()!r} is not on screen"
    assert button.isEnabled(), f"{button.text()!r} is disabled"
    if isinstance(button, QCheckBox):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = button.text()
        area = button.style().subElementRect(
            QStyle.SubElement.SE_CheckBoxClickRect, option, button
        )
        qtbot.mouseClick(button, LEFT, pos=area.center())
    else:
        qtbot.mouseClick(button, LEFT)


def press(qtbot, window: QWidget, keys: str) -> None:
    """A shortcut such as "Ctrl+K", pressed while `window` is the active one."""
    activate(qtbot, window)
    qtbot.keySequence(window, QKeySequence(keys))


def type_into(qtbot, field: QWidget, text: str) -> None:
    """Select what is there and type over it; each line ends with Return."""
    field.setFocus()
    qtbot.keySequence(field, QKeySequence(QKeySequence.StandardKey.SelectAll))
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line:
            qtbot.keyClicks(field, line)
        if number < len(lines) - 1:
            qtbot.keyClick(field, Qt.Key.Key_Return)


def choose_menu(qtbot, window: QMainWindow, menu_text: str, item_text: str) -> None:
    """Open a menu of the menu bar with the mouse and click one of its items."""
    activate(qtbot, window)
    bar = window.menuBar()
    [menu_action] = [a for a in bar.actions() if a.text().replace("&", "") == menu_text]
    qtbot.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu_action).center())
    menu = menu_action.menu()
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    click_menu_item(qtbot, menu, item_text)


def click_menu_item(qtbot, menu: QMenu, item_text: str) -> None:
    matching = [a for a in menu.actions() if a.text().replace("&", "").startswith(item_text)]
    assert matching, [a.text() for a in menu.actions()]
    action = matching[0]
    assert action.isEnabled(), f"{action.text()!r} is disabled"
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())


def choose_from_button_menu(qtbot, button: QToolButton, item_text: str) -> None:
    """Click a button whose menu pops up at once, then one of the menu's items.

    The menu runs its own event loop inside the click, so the item is clicked from
    a timer that waits for the menu to be on screen.
    """
    menu = button.menu()
    picked: list[bool] = []

    def pick_when_shown() -> None:
        if menu.isVisible():
            click_menu_item(qtbot, menu, item_text)
            picked.append(True)
        else:
            QTimer.singleShot(20, pick_when_shown)

    QTimer.singleShot(20, pick_when_shown)
    click(qtbot, button)
    qtbot.waitUntil(lambda: bool(picked), timeout=5000)


def answer_when_asked(qtbot, title_part: str, button_text: str) -> list[str]:
    """Click `button_text` in the message box titled `title_part` as soon as it is on
    screen: a question asked with exec() holds up the test until it is answered. The
    list gets the box's text and informative text once it has been answered."""
    seen: list[str] = []

    def answer() -> None:
        boxes = [box for box in visible(QMessageBox) if title_part in box.windowTitle()]
        if not boxes:
            QTimer.singleShot(20, answer)
            return
        seen.append(f"{boxes[0].text()}\n{boxes[0].informativeText()}")
        click(qtbot, button_in(boxes[0], button_text))

    QTimer.singleShot(20, answer)
    return seen


def right_click(qtbot, widget: QWidget, pos: QPoint) -> QMenu:
    """A right click at `pos`; returns the context menu it opened."""
    before = set(visible(QMenu))
    QApplication.sendEvent(
        widget,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)),
    )
    qtbot.waitUntil(lambda: bool(set(visible(QMenu)) - before), timeout=5000)
    [menu] = set(visible(QMenu)) - before
    return menu


def visible(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def message_box(qtbot, title_part: str = "") -> QMessageBox:
    """The message box on screen (whose title holds `title_part`)."""
    qtbot.waitUntil(
        lambda: any(title_part in box.windowTitle() for box in visible(QMessageBox)),
        timeout=10_000,
    )
    return next(box for box in visible(QMessageBox) if title_part in box.windowTitle())


def button_in(dialog: QWidget, text: str) -> QAbstractButton:
    """The button whose words are `text` (ignoring & and …)."""
    def words(button: QAbstractButton) -> str:
        return button.text().replace("&", "").replace("\u2026", "").strip()

    buttons = [b for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    found = [b for b in buttons if words(b) == text.replace("\u2026", "").strip()]
    assert found, f"no {text!r} in {[words(b) for b in buttons]}"
    return found[0]


def closed(widget: QWidget) -> bool:
    """Closed and gone (dialogs delete themselves on close), or at least hidden."""
    return not shiboken6.isValid(widget) or not widget.isVisible()
