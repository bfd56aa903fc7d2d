"""A readable copy of a damaged or locked history: the original is never changed."""

from __future__ import annotations

import sqlite3

import pytest

from affilitest_gui.history.rescue import COPIES_FOLDER, NothingReadableError, readable_copy
from affilitest_gui.history.store import HistoryStore
from tests.histories import (
    V1_ROWS,
    check_url,
    damage_page_holding,
    digest,
    filled_history,
    make_v1_file,
)


def test_a_damaged_file_gives_a_copy_with_every_row_on_an_undamaged_page(tmp_path):
    original = tmp_path / "history.sqlite3"
    filled_history(original, checks=600, offers=4)
    damage_page_holding(original, check_url(0))  # the first rows: opening fails at once
    damage_page_holding(original, check_url(300))  # and some in the middle
    with pytest.raises(sqlite3.DatabaseError):
        HistoryStore(original)
    before = digest(original)

    copy = readable_copy(original, tmp_path / "copy")

    assert digest(original) == before
    assert not copy.complete
    assert copy.offers == 4
    store = HistoryStore(copy.path)
    urls = {record.url for record in store.iter_all()}
    store.close()
    assert check_url(0) not in urls and check_url(300) not in urls
    assert {check_url(1 + 150), check_url(599)} <= urls  # rows either side of the damage
    assert 400 < copy.checks == len(urls) < 600
    assert "could be read; the rest of the file is damaged" in copy.summary()
    copy.discard()
    assert not copy.path.exists() and original.exists()


def test_a_file_locked_by_another_program_gives_a_full_copy(tmp_path):
    original = tmp_path / "history.sqlite3"
    filled_history(original, checks=25, offers=2)
    holder = sqlite3.connect(original)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(original, timeout=0).execute("SELECT COUNT(*) FROM checks")
        copy = readable_copy(original, tmp_path / "copy")
    finally:
        holder.rollback()
        holder.close()
    assert (copy.complete, copy.checks, copy.offers) == (True, 25, 2)
    assert copy.summary() == "the whole file, 25 checks and 2 offers"


def test_a_file_with_nothing_readable_says_so(tmp_path):
    original = tmp_path / "history.sqlite3"
    original.write_bytes(b"this is not a database, it was damaged" * 100)
    with pytest.raises(NothingReadableError):
        readable_copy(original, tmp_path / "copy")
    assert original.read_bytes().startswith(b"this is not a database")


def test_a_damaged_file_from_an_older_version_is_carried_over_and_upgraded(tmp_path):
    original = tmp_path / "history.sqlite3"
    make_v1_file(original, extra=400)
    damage_page_holding(original, check_url(200))
    before = digest(original)

    copy = readable_copy(original, tmp_path / "copy")

    assert digest(original) == before
    assert not copy.complete and 300 < copy.checks < 404 and copy.offers == 0
    store = HistoryStore(copy.path)  # upgraded to today's version
    urls = {record.url for record in store.iter_all()}
    store.close()
    assert V1_ROWS[0][1] in urls and check_url(399) in urls and check_url(200) not in urls


def test_copies_are_made_beside_the_history_and_a_killed_apps_copy_is_cleared(tmp_path):
    original = tmp_path / "history.sqlite3"
    filled_history(original, checks=5)
    left_by_a_killed_app = tmp_path / COPIES_FOLDER / "abc123"
    left_by_a_killed_app.mkdir(parents=True)
    (left_by_a_killed_app / "copied.sqlite3").write_bytes(b"an old copy")

    copy = readable_copy(original)

    assert copy.path.parent.parent == tmp_path / COPIES_FOLDER
    assert not left_by_a_killed_app.exists()
    copy.discard()
    assert list((tmp_path / COPIES_FOLDER).iterdir()) == []


def test_damage_past_what_opening_reads_is_found_and_stepped_over_in_the_copy(tmp_path):
    original = tmp_path / "history.sqlite3"
    filled_history(original, checks=600)
    damage_page_holding(original, check_url(300))
    HistoryStore(original).close()  # opens: the damage is mid-way

    copy = readable_copy(original, tmp_path / "copy")

    assert not copy.complete and 500 < copy.checks < 600
    store = HistoryStore(copy.path)
    assert store.damage() is None and store.count("n=00") == copy.checks  # every row reads
    store.close()


def test_a_data_folder_whose_name_has_uri_characters_is_no_problem(tmp_path):
    folder = tmp_path / "Joe's data #1? 50%"
    folder.mkdir()
    original = folder / "history.sqlite3"
    filled_history(original, checks=300)
    damage_page_holding(original, check_url(0))

    copy = readable_copy(original)

    assert not copy.complete and 200 < copy.checks < 300
