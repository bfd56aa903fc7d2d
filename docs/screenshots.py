"""Render the README's screenshots from the real app against the sandbox.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py   (or under xvfb-run)

Writes docs/main-window.png, docs/offers-view.png, docs/import-dialog.png,
docs/schedule-dialog.png, docs/notification.png, docs/chain-explained.png,
docs/compare-dialog.png, docs/offers-history.png, docs/alerts-settings.png,
docs/slack-message.png (the scheduled run's alert as Slack draws it, from the payload a
webhook on this computer got),
docs/key-dialog.png and docs/error-dialog.png. Under xvfb-run with a tray
(`trayer &`), the notification is Qt's tray balloon, captured from the screen; there,
SCREEN_CAPTURE=FILE.png also captures the whole screen with the error dialog open.
SCHEME=dark renders every picture in a dark palette (as macOS and Windows 11 give in
dark mode), named *-dark.png.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring.backends.fail
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QMessageBox, QWidget

from affilitest_gui.app import make_application
from affilitest_gui.assembly import build_window
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.keystore import KeyStore
from affilitest_gui.sandbox import RunningSandbox, start_sandbox
from affilitest_gui.ui.main_window import MainWindow

DOCS = Path(__file__).parent
PLAY = "https://play.google.com/store/apps/details?id="
ROOT = DOCS.parent


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.05)


DARK = os.environ.get("SCHEME") == "dark"


def dark_palette() -> QPalette:
    """Fusion in the colours of a system in dark mode."""
    palette = QPalette()
    role = QPalette.ColorRole
    for which, color in {role.Window: "#2b2b2b", role.WindowText: "#f0f0f0",
                         role.Base: "#1e1e1e", role.AlternateBase: "#262626",
                         role.Text: "#f0f0f0", role.Button: "#333333",
                         role.ButtonText: "#f0f0f0", role.Highlight: "#2f65ca",
                         role.HighlightedText: "#ffffff", role.ToolTipBase: "#333333",
                         role.ToolTipText: "#f0f0f0", role.PlaceholderText: "#9a9a9a",
                         role.Link: "#8ab4f8"}.items():  # fmt: skip
        palette.setColor(which, QColor(color))
    return palette


def save(widget: QWidget, name: str) -> None:
    if DARK:
        name = name.replace(".png", "-dark.png")
    QApplication.processEvents()
    widget.grab().save(str(DOCS / name))
    print("wrote", DOCS / name)


async def shoot_chain(window: MainWindow, demo: RunningSandbox) -> None:
    """A chain explained: each hop's party, and the click ID an MMP hop dropped."""
    store, form = window.store, window.form
    form.urls.setPlainText("\n".join(f"{demo.base_url}/demo/offer/{name}"
                                     for name in ("mmp", "mmpdrop")))  # fmt: skip
    form.countries.set_selected(["us", "gb"])
    for device, box in form.device_boxes.items():
        box.setChecked(device == "android")
    before = store.count()
    form.run_button.click()
    await until(lambda: not window.batches.progress.active and store.count() >= before + 4)
    await until(lambda: window.model.rowCount() >= before + 4)
    records = [window.model.record(r) for r in range(window.model.rowCount())]
    row = next(r for r, record in enumerate(records)
               if record.url.endswith("/mmpdrop") and record.country == "us")  # fmt: skip
    window.results.table.selectRow(row)
    save(window.results, "chain-explained.png")
    mmp = [record for record in records if record.url.endswith("/offer/mmp")]
    dialog = window.results.compare(mmp[0], mmp[1])
    save(dialog, "compare-dialog.png")
    dialog.close()


async def shoot_offers(window: MainWindow, demo: RunningSandbox, tmp: Path) -> None:
    """The offers watch list: the shipped sample, checked, one offer's matrix and chain."""
    store = window.store
    sample = (ROOT / "resources" / "offers.csv").read_text(encoding="utf-8")
    offers_file = tmp / "offers.csv"
    offers_file.write_text(sample.replace("http://127.0.0.1:8765", demo.base_url))
    view = window.offers_view
    window.views.setCurrentWidget(view)
    view.show_import()
    view.dialog.load_file(offers_file)
    save(view.dialog, "import-dialog.png")
    view.dialog.import_button.click()
    before = store.count()
    view.check_all_button.click()
    await until(lambda: not window.batches.progress.active and store.count() >= before + 15)
    await until(lambda: all(s.health for s in view.model.statuses))  # refreshed, <= 1 s
    view.select(next(s.offer.id for s in view.model.statuses if s.offer.offer_id == "1004"))
    view.matrix.setCurrentCell(0, 0)
    save(window, "offers-view.png")
    window.views.setCurrentWidget(window.results)


async def shoot_history(window: MainWindow, demo: RunningSandbox) -> None:
    """Recent runs and why an offer broke. The 28 runs before the real one are written
    into the history as the benchmarks write rows (a month of runs cannot be waited
    for); the calls of the last days likewise. Then the network changes offer 1002's
    link, and a real check of it breaks."""
    store, view = window.store, window.offers_view
    now = datetime.now(timezone.utc)
    pick = random.Random(4)
    rows = []
    for status in store.offers.statuses(sandbox=True):
        offer = status.offer
        for n in range(28):
            at = (now - timedelta(hours=6 * (28 - n))).isoformat(timespec="seconds")
            roll = pick.random()
            health = (Health.OK if roll < 0.8 else Health.WARNING if roll < 0.9
                      else Health.BROKEN if roll < 0.96 else Health.NOT_CHECKED)  # fmt: skip
            if offer.offer_id == "1004":
                health = Health.BROKEN
            rows += [HistoryRecord(checked_at=at, url=offer.url, country=country, device=device,
                                   outcome="ok", verdict=health.value, health=health,
                                   sandbox=True, offer_ref=offer.id,
                                   hops=((offer.url, 302), (f"{PLAY}com.example.game", 200)))
                     for country in offer.countries for device in offer.devices]  # fmt: skip
    store.add_many(rows)
    with sqlite3.connect(store.path) as db:
        for n in range(1, 30):
            day = (now.date() - timedelta(days=n)).isoformat()
            db.execute("INSERT INTO call_days VALUES (?, 1, ?)", (day, 40 + pick.randint(0, 30)))
    window.views.setCurrentWidget(view)
    changed = next(s.offer for s in store.offers.statuses(sandbox=True)
                   if s.offer.offer_id == "1002")  # fmt: skip
    window.watch_list.save(replace(changed, url=f"{demo.base_url}/demo/offer/broken"))
    before = store.count()
    view.select(changed.id)
    view.check_selected_button.click()
    await until(lambda: not window.batches.progress.active and store.count() > before)
    await asyncio.sleep(1.2)  # the view reads again
    view.select(changed.id)
    view.matrix.setCurrentCell(0, 0)
    save(window, "offers-history.png")
    window.views.setCurrentWidget(window.results)


async def shoot_schedules(window: MainWindow) -> None:
    """The Schedule dialog, then the notification of the scheduled run it starts: Qt's
    tray balloon where a tray runs (xvfb-run with trayer), else the window's own box."""
    view = window.offers_view
    window.views.setCurrentWidget(view)
    view.table.clearSelection()
    view.schedule()
    dialog = window.schedules.dialog
    dialog.interval.setCurrentText("Every 4 hours")
    save(dialog, "schedule-dialog.png")
    dialog.save_button.click()
    await until(lambda: window.schedules.last_notification is not None)
    tray = window.schedules.tray
    if tray is not None and tray.isVisible() and os.environ.get("DISPLAY"):
        await asyncio.sleep(1.0)  # the balloon fades in
        shot = DOCS / ("notification-dark.png" if DARK else "notification.png")
        subprocess.run(["import", "-window", "root", str(shot)], check=True)
        print("wrote", shot)
    else:
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible()]  # fmt: skip
        save(boxes[0], "notification.png")
        boxes[0].close()
    window.views.setCurrentWidget(window.results)


class LocalWebhook:
    """A Slack-like webhook on this computer: answers "ok", keeps what it got."""

    def __init__(self) -> None:
        bodies = self.bodies = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/demo"


def _mrkdwn(text: str) -> str:
    """Slack's mrkdwn as the client shows it: the circle emoji, *bold*."""
    text = html.escape(html.unescape(text))  # Slack's &lt; &gt; &amp; shown as < > &
    text = text.replace(":red_circle:", "<span style='color:#e01e5a'>\u25cf</span>")
    text = text.replace(":large_green_circle:", "<span style='color:#2eb67d'>\u25cf</span>")
    return re.sub(r"\*([^*]+)\*", r"<b>\1</b>", text)


def slack_message(payload: dict) -> QWidget:
    """A Slack message as the client draws one, from the payload the webhook got."""
    parts = []
    for block in payload["blocks"]:
        if block["type"] == "header":
            parts.append(f"<p style='font-size:15px'><b>{html.escape(block['text']['text'])}"
                         "</b></p>")  # fmt: skip
        elif block["type"] == "section":
            parts.append(f"<p>{_mrkdwn(block['text']['text'])}</p>")
        elif block["type"] == "context":
            words = " ".join(e["text"] for e in block["elements"])
            parts.append(f"<p style='color:#616061;font-size:11px'>{_mrkdwn(words)}</p>")
    frame = QFrame()
    frame.setStyleSheet("QFrame { background: white; } QLabel { color: #1d1c1d; }")
    icon = QLabel()
    icon.setPixmap(QPixmap(str(ROOT / "resources" / "icon-256.png")).scaled(
        36, 36, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
    icon.setAlignment(Qt.AlignmentFlag.AlignTop)
    body = QLabel("<p><b>AffiliTest GUI</b> <span style='background:#e8e8e8;color:#616061;"
                  "font-size:10px'>&nbsp;APP&nbsp;</span> <span style='color:#616061;"
                  "font-size:11px'>9:12 AM</span></p>" + "".join(parts))  # fmt: skip
    body.setWordWrap(True)
    body.setFixedWidth(560)
    row = QHBoxLayout(frame)
    row.setContentsMargins(16, 12, 16, 12)
    row.addWidget(icon)
    row.addWidget(body, 1)
    frame.adjustSize()
    return frame


async def shoot_alerts(window: MainWindow) -> None:
    """Settings -> Alerts with Slack set up (a webhook on this computer) and tested; then
    the scheduled run's alert as Slack shows it, drawn from the payload it got."""
    hook = LocalWebhook()
    window.show_alerts_dialog()
    dialog = window.alerts_dialog
    slack = dialog.pages["slack"]
    slack.url.setText(hook.url)
    slack.test_button.click()
    await until(lambda: slack.status.text().startswith("Sent"))
    slack.save_button.click()
    slack.test_button.click()
    await until(lambda: slack.status.text().startswith("Sent"))
    save(dialog, "alerts-settings.png")
    note = window.schedules.last_notification
    window.alerts.post(lambda _kinds: note)
    await until(lambda: len(hook.bodies) == 3)
    message = slack_message(hook.bodies[-1])
    message.show()
    save(message, "slack-message.png")
    message.close()
    dialog.close()
    hook.server.shutdown()


async def shoot_networks(window: MainWindow, demo: RunningSandbox) -> None:
    """Account -> Networks in sandbox mode: the fake Everflow, a sync's preview after an
    offer was renamed and another paused over there."""
    window.accounts.show_networks_dialog()
    dialog = window.accounts.networks_dialog
    dialog.platform.setCurrentIndex(1)  # Everflow
    dialog.test_button.click()
    await until(lambda: dialog.status.text().startswith("Connected"))
    dialog.sync_button.click()
    await until(dialog.summary.isVisible)
    dialog.accept_button.click()
    fake = demo.server.platforms.offers["everflow"]
    fake[4].name = "Everflow offer 4 (new creative)"
    fake[5].status = "paused"
    dialog.sync_button.click()
    await until(dialog.summary.isVisible)
    save(dialog, "networks-sync.png")
    dialog.close()


async def shoot(tmp: Path) -> None:
    # "live" is a second sandbox, so nothing leaves this computer; the key stays in memory.
    with start_sandbox() as demo, start_sandbox() as live:
        no_keyring = keyring.backends.fail.Keyring()
        window = build_window(
            live.base_url, data_dir=tmp, sandbox=lambda: demo, keystore=KeyStore(no_keyring),
            environ={}, keystores=lambda name: KeyStore(no_keyring, account=name),
        )  # fmt: skip
        window.open_url = print
        store = window.store
        window.resize(1400, 860)
        window.show()
        window.account.enable_sandbox()
        form = window.form
        form.urls.setPlainText("\n".join(f"{demo.base_url}/demo/offer/{name}"
                                         for name in ("game", "broken", "js", "meta")))  # fmt: skip
        form.countries.set_selected(["us", "gb", "br"])
        for device, box in form.device_boxes.items():
            box.setChecked(device in ("android", "iphone", "desktop"))
        form.run_button.click()
        await until(lambda: store.count() >= 36)
        await until(lambda: not window.batches.progress.active)
        await until(lambda: window.account.state.calls_left == 10_000 - 36)  # refreshed
        window.results.table.selectRow(window.model.rowCount() - 4)
        save(window, "main-window.png")

        await shoot_chain(window, demo)
        await shoot_offers(window, demo, tmp)
        await shoot_history(window, demo)
        await shoot_schedules(window)
        await shoot_alerts(window)
        await shoot_networks(window, demo)

        window.accounts.show_key_dialog()
        dialog = window.key_dialog
        dialog.key_edit.setText("3f1c9a7e52b04d8e")
        dialog.save_button.click()  # the local check: too short, said next to the field
        save(dialog, "key-dialog.png")
        dialog.close()

        window.account.disable_sandbox()
        window.account.save_key(live.keys["no_budget"], verified=False)
        form.urls.setPlainText(f"{live.base_url}/demo/offer/game")
        form.run_button.click()
        await until(lambda: window.error_dialog is not None)
        save(window.error_dialog, "error-dialog.png")
        if os.environ.get("SCREEN_CAPTURE"):  # under xvfb-run: the whole screen, as seen
            await asyncio.sleep(0.5)
            subprocess.run(["import", "-window", "root", os.environ["SCREEN_CAPTURE"]], check=True)
        window.error_dialog.close()
        window.shutdown()
        store.close()


def main() -> int:
    os.environ.setdefault("AFFILITEST_DATA_DIR", tempfile.mkdtemp())
    app = make_application()
    if DARK:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        loop.run_until_complete(shoot(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
