"""Where the app keeps its data: the OS's per-user local data folder, or
$AFFILITEST_DATA_DIR; and whether that folder can hold the history at all.

No Qt here: the command-line twins open the same database as the app. The folder is
the one Qt's QStandardPaths.AppLocalDataLocation names (a test holds them equal). On
Windows that is %LOCALAPPDATA%, not the Roaming %APPDATA% that companies redirect to a
server and copy at every log-on (history.moving copies an old Roaming history once).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from affilitest_gui import APP_NAME, ORGANIZATION

DATA_DIR_VARIABLE = "AFFILITEST_DATA_DIR"
HISTORY_NAME = "history.sqlite3"
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600  # the user's alone, on a shared computer
# Network file systems, by the type the OS reports: SQLite's WAL needs shared memory
# that they do not give, so a history there is damaged sooner or later.
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afpfs", "webdav", "davfs",
    "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs", "fuse.rclone", "fuse.s3fs", "glusterfs",
    "ceph", "lustre",
})  # fmt: skip


class NetworkFolderError(OSError):
    """The data folder is on a network drive: the history is not written there."""

    def __init__(self, folder: Path, kind: str) -> None:
        super().__init__(
            f"The data folder {folder} is on a network drive ({kind}). The history cannot "
            "be kept there safely (its database needs a local disk), so nothing was "
            f"written. Choose a local folder with {DATA_DIR_VARIABLE}, or leave it unset "
            "for your own one; a shared team database is a later feature."
        )
        self.folder = folder


class FolderNotMadeError(OSError):
    """The data folder does not exist and cannot be created."""

    def __init__(self, folder: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror, str(folder))
        self.folder = folder


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    return _platform_data_root() / ORGANIZATION / APP_NAME


def _platform_data_root() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")


def roaming_data_dir() -> Path | None:
    """Where versions before 0.2 kept the history on Windows (None elsewhere)."""
    if sys.platform != "win32" or os.environ.get(DATA_DIR_VARIABLE):
        return None
    roaming = os.environ.get("APPDATA")
    return Path(roaming) / ORGANIZATION / APP_NAME if roaming else None


def history_path() -> Path:
    return data_dir() / HISTORY_NAME


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) for the user alone; an existing one is kept."""
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=PRIVATE_FOLDER, exist_ok=True)
            folder.chmod(PRIVATE_FOLDER)  # mkdir's mode is cut by the umask
        except OSError as error:
            raise FolderNotMadeError(folder, error) from error


def make_private_file(path: Path) -> None:
    """A file of ours (the history, its WAL) readable by the user alone."""
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if each.exists() and each.stat().st_mode & 0o077:
                each.chmod(PRIVATE_FILE)
        except OSError:
            pass  # not ours to change (another user's file): it stays as it is


def network_kind(folder: Path) -> str | None:
    """The network file system `folder` is on ("nfs4", "smbfs", "remote drive"), or None
    for a local disk (or when the OS cannot tell)."""
    target = folder
    while not target.exists() and target != target.parent:
        target = target.parent
    if sys.platform == "win32":
        return _windows_network_kind(target)
    if sys.platform.startswith("linux"):
        try:
            mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return kind_from_mounts(target.resolve(), mounts)
    if sys.platform == "darwin":
        return _mac_network_kind(target)
    return None


def kind_from_mounts(path: Path, mounts: str) -> str | None:
    """From a Linux mount table (/proc/self/mounts): the network type of the mount that
    holds `path` (the longest mount point above it), or None."""
    best, kind = "", ""
    text = str(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind if kind.lower() in NETWORK_TYPES else None


def _mac_network_kind(path: Path) -> str | None:
    """macOS: the file system type from statfs (f_fstypename), through libc."""
    import ctypes  # noqa: PLC0415 - only here
    import ctypes.util  # noqa: PLC0415

    class StatFs(ctypes.Structure):  # struct statfs, 64-bit inodes (macOS 10.6+)
        _fields_ = [("f_bsize", ctypes.c_uint32), ("f_iosize", ctypes.c_int32),
                    ("f_blocks", ctypes.c_uint64), ("f_bfree", ctypes.c_uint64),
                    ("f_bavail", ctypes.c_uint64), ("f_files", ctypes.c_uint64),
                    ("f_ffree", ctypes.c_uint64), ("f_fsid", ctypes.c_int32 * 2),
                    ("f_owner", ctypes.c_uint32), ("f_type", ctypes.c_uint32),
                    ("f_flags", ctypes.c_uint32), ("f_fssubtype", ctypes.c_uint32),
                    ("f_fstypename", ctypes.c_char * 16),
                    ("f_mntonname", ctypes.c_char * 1024),
                    ("f_mntfromname", ctypes.c_char * 1024),
                    ("f_reserved", ctypes.c_uint32 * 8)]  # fmt: skip

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    statfs = libc.statfs64 if hasattr(libc, "statfs64") else libc.statfs
    result = StatFs()
    if statfs(os.fsencode(path), ctypes.byref(result)) != 0:
        return None
    kind = result.f_fstypename.decode(errors="replace")
    return kind if kind.lower() in NETWORK_TYPES else None


def _windows_network_kind(path: Path) -> str | None:
    """Windows: a UNC path, or a drive letter whose GetDriveType is DRIVE_REMOTE."""
    text = str(path.resolve())
    if text.startswith("\\\\"):
        return "network share"
    import ctypes  # noqa: PLC0415 - only here

    drive_remote = 4
    kind = ctypes.windll.kernel32.GetDriveTypeW(text[:3])  # type: ignore[attr-defined]
    return "remote drive" if kind == drive_remote else None


def check_local(folder: Path) -> None:
    """Raise NetworkFolderError when `folder` is on a network drive."""
    kind = network_kind(folder)
    if kind is not None:
        raise NetworkFolderError(folder, kind)


def resource_path(name: str) -> Path:
    """A file of the top-level resources/ folder, from source or in a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root / "resources" / name
