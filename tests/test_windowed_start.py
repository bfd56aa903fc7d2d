"""A windowed start on Windows has no console: `sys.stdout` and `sys.stderr` are None (as
under pythonw). Simulated here by starting the app with both set to None."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from affilitest_gui.paths import DATA_DIR_VARIABLE
from affilitest_gui.stdio import LOG_MAX_BYTES, ensure_streams, log_file

# What the windowed exe's interpreter looks like, then the app's own entry point. The
# log's handler is proved to reach the file by a warning logged once it is set up.
WINDOWED_START = """
import logging, sys
sys.stdout = None
sys.stderr = None
from affilitest_gui import app

configure = app.configure_logging
def configure_then_log(secrets):
    configure(secrets)
    logging.getLogger("windowed").warning("the log reaches its file")
app.configure_logging = configure_then_log
raise SystemExit(app.main(["--quit-after-start"]))
"""


def test_a_start_without_stdout_or_stderr_reaches_its_window_and_writes_its_log(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, DATA_DIR_VARIABLE: str(data), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", WINDOWED_START], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Python wrote nothing to the process's own streams (Qt's C++ messages still may)...
    assert done.stdout == "" and "Traceback" not in done.stderr
    text = log_file(data).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "shown" in lines and "ready" in lines  # ...it went to the log: window and all
    assert "WARNING windowed: the log reaches its file" in text


def test_the_crash_hook_of_a_windowed_start_writes_the_report_to_the_log(
    qapp, tmp_path, monkeypatch
):
    from affilitest_gui.ui.crash_dialog import install_crash_handler

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    previous_hook = sys.excepthook
    try:
        path = ensure_streams(tmp_path)
        hook = install_crash_handler(lambda: ["secret-key-1234"])
        try:
            raise RuntimeError("boom with secret-key-1234")
        except RuntimeError as error:
            hook(RuntimeError, error, error.__traceback__)
        sys.stderr.flush()
        report = path.read_text(encoding="utf-8")
        dialogs = [w for w in qapp.topLevelWidgets() if w.objectName() == "crashDialog"]
        assert dialogs and dialogs[0].isVisible()  # the dialog is shown, too
        for dialog in dialogs:
            dialog.close()
    finally:
        sys.excepthook = previous_hook
        if sys.stderr is not None:
            sys.stderr.close()
    assert "RuntimeError: boom with" in report and "secret-key-1234" not in report


def test_streams_that_exist_are_left_alone_and_a_big_log_is_rotated(tmp_path, monkeypatch):
    assert ensure_streams(tmp_path) is None  # a console start: nothing changes
    assert not log_file(tmp_path).exists()
    log_file(tmp_path).parent.mkdir(parents=True)
    log_file(tmp_path).write_bytes(b"x" * (LOG_MAX_BYTES + 1))
    monkeypatch.setattr(sys, "stderr", None)
    path = ensure_streams(tmp_path)
    try:
        sys.stderr.write("after the rotation\n")
    finally:
        sys.stderr.close()
    assert path.read_text(encoding="utf-8") == "after the rotation\n"
    assert path.with_name(path.name + ".1").stat().st_size == LOG_MAX_BYTES + 1


def test_a_folder_that_cannot_hold_the_log_costs_the_start_nothing(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(sys, "stdout", None)
    path = ensure_streams(blocked)
    try:
        print("goes nowhere, raises nothing")
    finally:
        sys.stdout.close()
    assert path == Path(os.devnull)
