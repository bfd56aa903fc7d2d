"""`affilitest-gui --remove-user-data`: what the uninstaller's "Also delete my settings,
check history and saved API key" box runs. The app removes what it keeps itself (the key
in the OS keyring, its settings, its data folder with the history and logs), so the
installer guesses at nothing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from affilitest_gui import APP_NAME, ORGANIZATION
from affilitest_gui.keystore import KeyStore


def app_settings() -> QSettings:
    """The settings `QSettings()` names inside the app (registry on Windows), without
    needing a QApplication."""
    return QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APP_NAME
    )


def remove_user_data(folder: Path, *, keystore: KeyStore | None = None) -> list[str]:
    """Delete the saved key, the settings and `folder`; what could not be deleted."""
    problems = []
    keystore = keystore or KeyStore()
    keystore.delete()
    if keystore.info.secure and keystore.get() is not None:
        problems.append(f"the API key in {keystore.info.place}")
    settings = app_settings()
    settings.clear()
    settings.sync()
    if settings.status() != QSettings.Status.NoError:
        problems.append(f"the settings ({settings.fileName()})")
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            problems.append(f"the folder {folder} (is a file in it open in another program?)")
    return problems


def remove_and_report(folder: Path) -> int:
    """The command: 0 when everything went, else 1 with one line on what is left."""
    problems = remove_user_data(folder)
    if problems and sys.stderr is not None:  # the windowed exe has no console
        sys.stderr.write("Could not delete " + "; ".join(problems) + ".\n")
    return 1 if problems else 0
