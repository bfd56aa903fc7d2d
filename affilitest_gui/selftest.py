"""`affilitest-gui --self-test[=REPORT.json]`: prove a build works, with no network.

Starts the embedded sandbox, runs one real check through the worker and the real main
window, confirms it reached the results model and the history database, reports the
keyring backend, and writes a JSON report. Bounded in time; never shows a dialog.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from affilitest_gui import APP_NAME, __version__
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.assembly import build_window
from affilitest_gui.keystore import KeyStore, keyring_inventory
from affilitest_gui.sandbox import start_sandbox

SELF_TEST_TIMEOUT_S = 60.0
EXPECTED_FINAL = "https://play.google.com/store/apps/details?id=com.example.game"


async def _check_once(report: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder, start_sandbox() as sandbox:
        window = build_window(sandbox.base_url, data_dir=Path(folder), sandbox=lambda: sandbox)
        store = window.store
        try:
            window.show()  # the platform plugin in use paints it (cocoa, windows, offscreen)
            window.account.enable_sandbox()
            request = CheckRequest.create(f"{sandbox.base_url}/demo/offer/game", "us", "android")
            window.batches.submit([request])
            deadline = time.monotonic() + SELF_TEST_TIMEOUT_S / 2
            while time.monotonic() < deadline and (store.count() < 1 or window.model.total < 1):
                await asyncio.sleep(0.05)
            rows = store.page(limit=1)
            record = rows[0] if rows else None
            report["checks"] = {
                "history_database": store.count() == 1,
                "results_model": window.model.total == 1,
                "check_succeeded": record is not None and record.outcome == "ok",
                "chain_traced": record is not None and record.final_url == EXPECTED_FINAL,
            }
            report["verdict"] = record.verdict if record else None
            report["codes"] = record.status_codes if record else None
        finally:
            window.shutdown()
            store.close()


async def run_self_test(report_to: str) -> int:
    """Returns the exit status: 0 only if every check held."""
    started = time.monotonic()
    info = KeyStore().info
    report: dict[str, Any] = {
        "app": APP_NAME,
        "version": __version__,
        "keyring": {"backend": info.backend, "secure": info.secure, **keyring_inventory()},
        "checks": {},
    }
    try:
        await asyncio.wait_for(_check_once(report), SELF_TEST_TIMEOUT_S)
    except Exception as error:  # the report must say what broke, whatever it was
        report["error"] = f"{type(error).__name__}: {error}"
    report["ok"] = bool(report["checks"]) and all(report["checks"].values())
    report["elapsed_s"] = round(time.monotonic() - started, 3)
    text = json.dumps(report, indent=2)
    if report_to == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(report_to).write_text(text + "\n", encoding="utf-8")
    return 0 if report["ok"] else 1
