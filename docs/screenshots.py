"""Render the README's screenshots from the real app against the sandbox.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py   (or under xvfb-run)

Writes docs/main-window.png, docs/key-dialog.png and docs/error-dialog.png. Under
xvfb-run, SCREEN_CAPTURE=FILE.png also captures the whole screen with the dialog open.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QWidget

from affilitest_gui.app import make_application
from affilitest_gui.assembly import build_window
from affilitest_gui.sandbox import start_sandbox

DOCS = Path(__file__).parent


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.05)


def save(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(DOCS / name))
    print("wrote", DOCS / name)


async def shoot(tmp: Path) -> None:
    with start_sandbox() as sandbox:
        window = build_window(sandbox.base_url, data_dir=tmp, sandbox=lambda: sandbox)
        window.open_url = print
        store = window.store
        window.resize(1400, 860)
        window.show()
        window.enable_sandbox()
        window.form.countries.set_selected(["us", "gb", "br"])
        for device in ("android", "iphone", "desktop"):
            window.form.device_boxes[device].setChecked(True)
        window.form.submit()
        await until(lambda: store.count() >= 36)
        await until(lambda: not window.progress.cancel_button.isEnabled())
        await until(lambda: window.calls_left == 10_000 - 36)  # the refresh after the batch
        window.results.table.selectRow(window.model.rowCount() - 4)
        save(window, "main-window.png")

        window.show_key_dialog()
        dialog = window.key_dialog
        dialog.key_edit.setText("3f1c9a7e52b04d8e")
        dialog.save()
        save(dialog, "key-dialog.png")
        dialog.close()

        window.api_key = sandbox.keys["no_budget"]
        window.controller.set_api_key(window.api_key)
        window.form.submit()
        await until(lambda: window.error_dialog is not None)
        save(window.error_dialog, "error-dialog.png")
        if os.environ.get("SCREEN_CAPTURE"):  # under xvfb-run: the whole screen, as seen
            await asyncio.sleep(0.5)
            subprocess.run(["import", "-window", "root", os.environ["SCREEN_CAPTURE"]], check=True)
        window.error_dialog.close()
        window.close()
        store.close()


def main() -> int:
    os.environ.setdefault("AFFILITEST_DATA_DIR", tempfile.mkdtemp())
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        loop.run_until_complete(shoot(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
