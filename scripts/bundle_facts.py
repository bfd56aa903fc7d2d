"""What the bundle is made of and what its metadata must say, in one place: read by
pyinstaller.spec, checked by build_dist.py after a build and by the tests on any OS.

No PyInstaller and no Qt here: the tests run these rules on Linux for all three OSes.
"""

from __future__ import annotations

import plistlib
import re
import struct
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "AffiliTest GUI"
BUNDLE_ID = "com.affilitest.gui"
GUI_EXE = "affilitest-gui"
# The command-line twins, each its own console executable beside the app (on the PATH
# after a Windows install; `ln -s` from the .app on macOS): entry script -> executable.
CLI_EXES = {"affilitest-check": "entry_check.py", "affilitest-offers": "entry_offers.py"}
ENTRY_FOLDER = "packaging/entry"


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows' version resources and NSIS' VIProductVersion take:
    "1.0.0rc1" -> (1, 0, 0, 0), "0.2" -> (0, 2, 0, 0). A version that does not start
    with a number is refused (it would silently become 0.0.0.0)."""
    found = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", version)
    if found is None:
        raise ValueError(f"version {version!r} does not start with a number")
    return tuple(int(part or 0) for part in found.groups())  # type: ignore[return-value]


def dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(number) for number in numbers)


# --- macOS -----------------------------------------------------------------------------

_MH_MAGIC_64 = 0xFEEDFACF
_FAT_MAGIC, _FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
_LC_VERSION_MIN_MACOSX = 0x24
_LC_BUILD_VERSION = 0x32
_PLATFORM_MACOS = 1


def _version_word(word: int) -> tuple[int, int, int]:
    """Mach-O's packed xxxx.yy.zz."""
    return (word >> 16, (word >> 8) & 0xFF, word & 0xFF)


def _thin_minimum(data: bytes, offset: int) -> tuple[int, int, int] | None:
    (magic,) = struct.unpack_from("<I", data, offset)
    if magic != _MH_MAGIC_64:
        return None
    ncmds = struct.unpack_from("<I", data, offset + 16)[0]
    cursor = offset + 32  # mach_header_64
    for _ in range(ncmds):
        command, size = struct.unpack_from("<II", data, cursor)
        if command == _LC_BUILD_VERSION:
            platform, minos = struct.unpack_from("<II", data, cursor + 8)
            if platform == _PLATFORM_MACOS:
                return _version_word(minos)
        elif command == _LC_VERSION_MIN_MACOSX:
            return _version_word(struct.unpack_from("<I", data, cursor + 8)[0])
        if size <= 0:
            return None
        cursor += size
    return None


def macos_minimum_of(path: Path) -> tuple[int, int, int] | None:
    """The lowest macOS a Mach-O binary (thin or universal) was built to run on; None
    for a file that is not one."""
    data = path.read_bytes()
    if len(data) < 32:
        return None
    (magic,) = struct.unpack_from(">I", data, 0)
    if magic in (_FAT_MAGIC, _FAT_MAGIC_64):
        count = struct.unpack_from(">I", data, 4)[0]
        entry, layout = (20, ">iiIII") if magic == _FAT_MAGIC else (32, ">iiQQII")
        found = []
        for index in range(count):
            offset = struct.unpack_from(layout, data, 8 + index * entry)[2]
            found.append(_thin_minimum(data, offset))
        known = [minimum for minimum in found if minimum is not None]
        return max(known) if known else None
    return _thin_minimum(data, 0)


def macos_minimum(binaries: Iterable[Path]) -> str:
    """LSMinimumSystemVersion: the highest minimum of the binaries the bundle holds (Qt's
    frameworks decide it: Qt 6.11 needs macOS 13), as "13.0"."""
    found = [m for m in (macos_minimum_of(path) for path in binaries) if m is not None]
    if not found:
        raise ValueError("no Mach-O binary says which macOS it needs")
    major, minor, patch = max(found)
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def info_plist(version: str, minimum_macos: str) -> dict[str, object]:
    """What the spec gives BUNDLE. PyInstaller writes LSBackgroundOnly = True when the last
    executable of the COLLECT is a console one (the command-line twins are): the app
    would have no window, menu bar or Dock icon. Said explicitly here, as is which
    executable the app starts."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleExecutable": GUI_EXE,
        "CFBundleShortVersionString": dotted(numeric_version(version)[:3]),
        "CFBundleVersion": dotted(numeric_version(version)[:3]),  # digits and dots only
        "LSBackgroundOnly": False,
        "LSMinimumSystemVersion": minimum_macos,
        "NSRequiresAquaSystemAppearance": False,  # follows dark mode
        "NSHighResolutionCapable": True,
    }


def info_plist_problems(plist_path: Path, binaries: Iterable[Path]) -> list[str]:
    """What is wrong with a built .app's Info.plist; empty when it is right."""
    with plist_path.open("rb") as handle:
        plist = plistlib.load(handle)
    problems = []
    if plist.get("LSBackgroundOnly") or plist.get("LSUIElement"):
        problems.append("the app is background-only: no window, menu bar or Dock icon")
    if plist.get("CFBundleExecutable") != GUI_EXE:
        problems.append(f"the app starts {plist.get('CFBundleExecutable')!r}, not {GUI_EXE}")
    needed = macos_minimum(binaries)
    said = plist.get("LSMinimumSystemVersion", "0")
    if _as_numbers(said) < _as_numbers(needed):
        problems.append(f"LSMinimumSystemVersion {said} is below what Qt needs ({needed})")
    return problems


def _as_numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
