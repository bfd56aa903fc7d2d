"""Check a self-test report on a release runner: every check held, and the key would be
kept in the OS's own store (Windows Credential Manager, macOS Keychain), not in memory
for want of keyring's backend or metadata in the bundle.

    python scripts/check_selftest.py REPORT.json [--platform win32|darwin|linux]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The backend keyring must choose on each OS; Linux CI has no desktop keyring.
OS_KEYRING = {"win32": "keyring.backends.Windows.", "darwin": "keyring.backends.macOS."}


def problems(report: dict, platform: str) -> list[str]:
    found = []
    if not report.get("ok"):
        failed = [name for name, held in report.get("checks", {}).items() if not held]
        found.append(f"the self-test failed: {failed or report.get('error', 'no checks ran')}")
    keyring_info = report.get("keyring", {})
    wanted = OS_KEYRING.get(platform)
    if wanted is not None:
        backend = keyring_info.get("backend", "")
        if not backend.startswith(wanted) or not keyring_info.get("secure"):
            found.append(f"the keyring backend is {backend!r}, not the OS's ({wanted}*)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--platform", default=sys.platform)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    found = problems(report, args.platform)
    for problem in found:
        print(f"self-test: {problem}", file=sys.stderr)
    if not found:
        print(f"self-test: OK ({report['keyring']['backend']})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
