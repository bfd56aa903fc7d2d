"""`affilitest-gui --remove-user-data`, which the uninstaller runs only when the user
ticks "Also delete my settings, check history and saved API key"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from affilitest_gui.keystore import ACCOUNT, SERVICE

ROOT = Path(__file__).resolve().parent.parent
# As the windowed exe runs it: no stdout, no stderr.
REMOVE = """
import sys
sys.stdout = None
sys.stderr = None
from affilitest_gui.app import main
raise SystemExit(main(["--remove-user-data"]))
"""


def start(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "AFFILITEST_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # where QSettings() lives on Linux
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        "FILE_KEYRING_PATH": str(tmp_path / "keyring.json"),
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="QSettings() is the registry or CFPreferences there: the release workflow checks "
    "--remove-user-data on the installed app",
)
def test_it_deletes_the_saved_key_the_settings_and_the_data_folder(tmp_path):
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(b"SQLite format 3\0")
    (data / "logs" / "affilitest-gui.log").write_text("a line\n")
    (tmp_path / "keyring.json").write_text(json.dumps({f"{SERVICE}/{ACCOUNT}": "k" * 64}))
    saved = start(tmp_path, "from affilitest_gui.user_data import app_settings\n"
                            "s = app_settings(); s.setValue('form/countries', 'US'); s.sync()\n"
                            "print(s.fileName())")  # fmt: skip
    settings_file = Path(saved.stdout.strip())
    assert settings_file.is_relative_to(tmp_path) and "US" in settings_file.read_text()

    done = start(tmp_path, REMOVE)

    assert done.returncode == 0, done.stderr
    assert not data.exists()
    assert json.loads((tmp_path / "keyring.json").read_text()) == {}
    assert not settings_file.exists() or "US" not in settings_file.read_text()


def test_nothing_to_delete_is_no_problem(tmp_path):
    done = start(tmp_path, REMOVE)
    assert done.returncode == 0, done.stderr
