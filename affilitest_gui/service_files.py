"""Ready files that keep `affilitest-offers watch` running: a systemd user unit, a
launchd agent, and a Windows Task Scheduler command (`watch --once` every 15 minutes:
Task Scheduler restarts nothing, so each run does what is due and exits). Each says
where to save it and how to start it; the API key comes from the OS keyring of the
user it runs as, or `AFFILITEST_API_KEY` in a file only that user can read."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from affilitest_gui.api.client import DEFAULT_BASE_URL

SERVICES = ("systemd", "launchd", "windows")
LABEL = "com.affilitest.gui.watch"
DATA_VARIABLE = "AFFILITEST_DATA_DIR"


def watcher_command() -> list[str]:
    """How this installation starts `affilitest-offers`: the bundle's own program, the
    installed script, or this Python with the module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    beside = Path(sys.executable).with_name("affilitest-offers")  # this virtualenv's
    found = str(beside) if beside.is_file() else shutil.which("affilitest-offers")
    return [found] if found else [sys.executable, "-m", "affilitest_gui.offers_cli"]


def _arguments(base_url: str, *, once: bool = False) -> list[str]:
    words = [*watcher_command(), "watch"]
    if once:
        words.append("--once")
    if base_url != DEFAULT_BASE_URL:
        words += ["--base-url", base_url]
    return words


def _unit_word(word: str) -> str:
    """A word of a systemd unit: quoted (systemd reads quotes only at a word's start),
    its backslashes and quotes escaped, and % (a specifier there) doubled."""
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"' if any(c in word for c in ' \t"\'\\') else escaped


def _systemd(base_url: str, environ: Mapping[str, str]) -> str:
    command = " ".join(_unit_word(word) for word in _arguments(base_url))
    data = environ.get(DATA_VARIABLE)
    data_line = f"Environment={_unit_word(f'{DATA_VARIABLE}={data}')}\n" if data else ""
    return f"""\
# Save as ~/.config/systemd/user/affilitest-watch.service, then:
#   systemctl --user daemon-reload
#   systemctl --user enable --now affilitest-watch
#   loginctl enable-linger "$USER"     # keep it running while you are logged out
# Its output: journalctl --user -u affilitest-watch
# The key: the keyring of your session, or AFFILITEST_API_KEY=... in
# ~/.config/affilitest-watch.env (chmod 600), read by EnvironmentFile below; the alert
# channels' AFFILITEST_SLACK_WEBHOOK, AFFILITEST_TEAMS_WEBHOOK, AFFILITEST_SMTP_URL too.
[Unit]
Description=AffiliTest GUI watcher: scheduled offer checks and alerts, no window
After=network-online.target
Wants=network-online.target

[Service]
ExecStart={command}
EnvironmentFile=-%h/.config/affilitest-watch.env
{data_line}Restart=on-failure
RestartSec=60
# Ctrl+C and SIGTERM stop it cleanly (answers in flight kept, the rest queued).
SuccessExitStatus=130 143
TimeoutStopSec=30

[Install]
WantedBy=default.target
"""


def _launchd(base_url: str, environ: Mapping[str, str]) -> str:
    arguments = "".join(f"\n        <string>{escape(word)}</string>"
                        for word in _arguments(base_url))  # fmt: skip
    data = environ.get(DATA_VARIABLE)
    variables = ""
    if data:
        variables = (f"\n    <key>EnvironmentVariables</key>\n    <dict>\n        <key>"
                     f"{DATA_VARIABLE}</key>\n        <string>{escape(data)}</string>\n"
                     "    </dict>")  # fmt: skip
    return f"""\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Save as ~/Library/LaunchAgents/{LABEL}.plist, then:
       launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/{LABEL}.plist
     To stop it: launchctl bootout gui/$(id -u)/{LABEL}
     The key comes from your login keychain (saved by the app). Its output:
     /tmp/affilitest-watch.out.log and .err.log -->
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key>
    <string>{LABEL}</string>
    <key>ProgramArguments</key>
    <array>{arguments}
    </array>{variables}
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <dict>
        <key>SuccessfulExit</key>
        <false/>
    </dict>
    <key>ThrottleInterval</key>
    <integer>60</integer>
    <key>StandardOutPath</key>
    <string>/tmp/affilitest-watch.out.log</string>
    <key>StandardErrorPath</key>
    <string>/tmp/affilitest-watch.err.log</string>
</dict>
</plist>
"""


def _windows(base_url: str, environ: Mapping[str, str]) -> str:
    program = subprocess.list2cmdline(_arguments(base_url, once=True))
    task = program.replace('"', '\\"')
    return f"""\
:: Run in a Command Prompt as the user whose app holds the key (no administrator
:: needed). Every 15 minutes, `watch --once` runs what is due and exits; the key
:: comes from that user's Windows Credential Manager (saved by the app).
:: To stop it: schtasks /Delete /TN "AffiliTest GUI watcher" /F
schtasks /Create /TN "AffiliTest GUI watcher" /SC MINUTE /MO 15 /F /TR "{task}"
"""


def service_text(kind: str, *, base_url: str, environ: Mapping[str, str]) -> str:
    makers = {"systemd": _systemd, "launchd": _launchd, "windows": _windows}
    return makers[kind](base_url, environ)
