"""The data folder: private on a shared computer, local (never a network drive), on
Windows the local AppData (a Roaming history moved once), and a folder that cannot be
written or made gets a sentence that names it, never a traceback."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from affilitest_gui import paths
from affilitest_gui.history.moving import move_roaming_history
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE, kind_from_mounts
from tests.histories import digest, filled_history

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
server:/export/team /mnt/team nfs4 rw,vers=4.2 0 0
//nas/ops\\040share /mnt/ops\\040share cifs rw 0 0
/dev/sdb1 /mnt/ops\\040share/local ext4 rw 0 0
sshfs#me@host: /home/me/remote fuse.sshfs rw 0 0
"""


def command(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), stdout=out, stderr=err, environ={})
    return status, out.getvalue(), err.getvalue()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_the_data_folder_and_the_history_are_the_users_alone(tmp_path):
    folder = tmp_path / "new" / "data"
    store = HistoryStore(folder / "history.sqlite3")
    store.offers.save(Offer("https://t.example/1", ("us",), ("android",)))
    store.close()
    assert mode(folder) == 0o700
    assert mode(folder / "history.sqlite3") == 0o600


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/mnt/team/ops/data", "nfs4"), ("/mnt/ops share/x", "cifs"),
     ("/mnt/ops share/local/x", None), ("/home/me/remote/data", "fuse.sshfs"),
     ("/home/me/data", None), ("/tmp/x", None)],
)  # fmt: skip
def test_a_network_mount_is_found_from_the_mount_table(path, kind):
    assert kind_from_mounts(Path(path), MOUNTS) == kind


def test_a_data_folder_on_a_network_drive_is_refused_before_anything_is_written(
    tmp_path, monkeypatch, sandbox
):
    folder = tmp_path / "on-the-nas"
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    monkeypatch.setattr(paths, "network_kind", lambda _folder: "smbfs")
    status, out, err = command("list")
    assert status == 2 and out == "" and "Traceback" not in err
    assert f"The data folder {folder} is on a network drive (smbfs)" in err
    assert "Choose a local folder" in err
    assert not folder.exists()  # nothing written there

    from affilitest_gui.assembly import open_window

    assert open_window(sandbox.base_url, interactive=False, data_dir=folder) is None
    assert not folder.exists()


def test_a_roaming_history_is_moved_to_the_local_folder_once_and_verified(
    tmp_path, monkeypatch
):
    """Windows: versions before 0.2 kept the history in the Roaming AppData."""
    monkeypatch.delenv(DATA_DIR_VARIABLE)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(paths, "network_kind", lambda _folder: None)  # no drives to ask here
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    roaming = paths.roaming_data_dir()
    local = paths.data_dir()
    assert local == tmp_path / "Local" / "AffiliTest" / "AffiliTest GUI"
    old = roaming / "history.sqlite3"
    filled_history(old, checks=250, offers=3)
    before = digest(old)

    moved = move_roaming_history(local)

    assert moved == local / "history.sqlite3" and digest(old) == before  # old untouched
    store = HistoryStore(moved)
    assert store.count() == 250 and len(store.offers.all()) == 3
    store.close()
    assert move_roaming_history(local) is None  # once: the local one is there now


def run_on_read_only(folder: Path, argv: list[str], env: dict[str, str]):
    """`affilitest-offers`/`-check` in a mount namespace where `folder` is read-only."""
    code = f"from affilitest_gui.{argv[0]} import main; main()"
    python = [sys.executable, "-c", code, *argv[1:]]
    script = (f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" '
              '&& exec "$@"')  # fmt: skip
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *python], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def read_only_mounts_work(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["unshare", "-m", "sh", "-c", f'mount --bind "{probe}" "{probe}" '
                           f'&& mount -o remount,ro,bind "{probe}" && ! touch "{probe}/x"'],
                          capture_output=True, check=False)  # fmt: skip
    return done.returncode == 0


def test_a_read_only_data_folder_lists_and_checks_and_says_what_it_cannot_do(
    tmp_path, sandbox
):
    if not read_only_mounts_work(tmp_path):
        pytest.skip("no mount namespace here to make a read-only folder")
    folder = tmp_path / "data"
    filled_history(folder / "history.sqlite3", checks=20, offers=3)
    env = {**os.environ, DATA_DIR_VARIABLE: str(folder),
           "AFFILITEST_API_KEY": sandbox.keys["valid"]}  # fmt: skip

    listed = run_on_read_only(folder, ["offers_cli", "list"], env)
    assert listed.returncode == 0, listed.stderr
    assert len([json.loads(line) for line in listed.stdout.splitlines()]) == 3

    copied = run_on_read_only(folder, ["offers_cli", "list", "--copy"], env)
    assert copied.returncode == 0 and len(copied.stdout.splitlines()) == 3, copied.stderr

    (tmp_path / "more.csv").write_text("Offer ID,URL\n9,https://t.example/9\n")
    imported = run_on_read_only(folder, ["offers_cli", "import", str(tmp_path / "more.csv")], env)
    assert imported.returncode == 2 and "Traceback" not in imported.stderr
    assert f"The folder {folder} cannot be written to" in imported.stderr

    checked = run_on_read_only(
        folder, ["cli", "--base-url", sandbox.base_url, f"{sandbox.base_url}/demo/offer/game"],
        env,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert f"the shared send log cannot be kept in {folder}" in checked.stderr


def test_a_data_folder_that_cannot_be_made_is_named(monkeypatch):
    folder = Path("/proc/affilitest-cannot-be-made")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    status, out, err = command("import", "/dev/null")
    assert status == 2 and out == "" and "Traceback" not in err
    assert f"The data folder {folder} cannot be created (No such file or directory)" in err
