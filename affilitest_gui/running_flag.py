"""While the app runs it holds a named mutex on Windows, so that the installer and the
uninstaller can tell it is running (its files are locked) and ask the user to quit it
first. The name is the one packaging/windows/installer.nsi looks for. Elsewhere:
nothing to hold.
"""

from __future__ import annotations

import sys

RUNNING_MUTEX = "AffiliTestGUI-running"


def hold_running_flag() -> int | None:
    """The mutex's handle, kept open until the process ends; None off Windows."""
    if sys.platform != "win32":
        return None
    import ctypes  # noqa: PLC0415 - Windows only

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateMutexW.restype = ctypes.c_void_p
    kernel32.CreateMutexW.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_wchar_p]
    return kernel32.CreateMutexW(None, 0, RUNNING_MUTEX) or None
