"""Importing offers from files that look like networks' exports and spreadsheets."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from affilitest_gui.judging.expectations import Expectation, ExpectKind, parse_expectations
from affilitest_gui.offers.importing import (
    Field,
    ImportFileError,
    guess_mapping,
    parse_devices,
    parse_text,
    plan_import,
    read_table,
)

# A HasOffers-style export: comma-separated, quoted multi-value cells, UTF-8 with BOM.
HASOFFERS = (
    "Offer ID,Offer Name,Preview URL,Tracking Link,Countries,Platforms\r\n"
    '123,Game X,https://play.google.com/store/apps/details?id=com.x,'
    'https://track.example/aff_c?offer_id=123&aff_id=9,"US, GB;DE",Android|iOS\r\n'
    "\r\n"
    "124,Café Y,,https://track.example/aff_c?offer_id=124,BR,Desktop\r\n"
)
# An Excel "CSV (semicolon)" save on a European Windows: cp1252, semicolons.
EXCEL_CP1252 = (
    "id;name;url;geo;os;package\r\n"
    "7;Jeu Été;https://t.example/c?o=7;FR;iOS;id310633997\r\n"
    "8;Bad geo;https://t.example/c?o=8;XX;Android;com.a.b\r\n"
    "9;No link;;US;Android;com.a.b\r\n"
    "10;Bad link;notaurl;US;Android;\r\n"
).encode("cp1252")
# Rows copied from a spreadsheet: tab-separated, odd header spacing and case.
PASTE = (
    "  OFFER id \tCAMPAIGN\tClick URL\tGEO\tDevices\tApp ID\n"
    "55\tShop\thttps://t.example/55\tus\tiPhone, iPad\tid123456\n"
)


def plan_of(table):
    return plan_import(table, guess_mapping(table[0]))


def test_a_hasoffers_export_with_bom_and_multi_value_cells(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HASOFFERS.encode("utf-8"))
    table = read_table(path)
    mapping = guess_mapping(table[0])
    assert mapping[Field.OFFER_ID] == 0 and mapping[Field.NAME] == 1
    assert mapping[Field.PREVIEW] == 2 and mapping[Field.URL] == 3
    plan = plan_import(table, mapping)
    assert plan.skipped == ()
    [(row, game), (row2, cafe)] = plan.offers
    assert (row, row2) == (2, 4)  # the blank row 3 is not an error
    assert game.offer_id == "123" and game.name == "Game X"
    assert game.countries == ("us", "gb", "de")
    assert game.devices == ("android", "iphone", "ipad")  # iOS = iPhone and iPad
    assert game.preview_url == "https://play.google.com/store/apps/details?id=com.x"
    assert cafe.name == "Café Y" and cafe.devices == ("desktop",) and cafe.expects == ()


def test_an_excel_semicolon_file_in_cp1252_lists_every_bad_row(tmp_path):
    path = tmp_path / "offers.csv"
    path.write_bytes(EXCEL_CP1252)
    plan = plan_of(read_table(path))
    [(row, offer)] = plan.offers
    assert row == 2 and offer.name == "Jeu Été"
    assert offer.expects == (Expectation(ExpectKind.APP_STORE, "310633997"),)
    reasons = {skip.row: skip.reason for skip in plan.skipped}
    assert set(reasons) == {3, 4, 5}
    assert reasons[3].startswith("countries:") and "XX" in reasons[3]
    assert reasons[4] == "tracking link: empty"
    assert reasons[5].startswith("tracking link:") and "http" in reasons[5]


def test_a_paste_from_a_spreadsheet(tmp_path):
    plan = plan_of(parse_text(PASTE))
    [(_, offer)] = plan.offers
    assert offer.offer_id == "55" and offer.name == "Shop"
    assert offer.devices == ("iphone", "ipad")


def test_an_xlsx_workbook(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Offer ID", "Name", "Tracking URL", "Country", "Platform", "Expected"])
    sheet.append([1001, "Game", "https://t.example/1001", "US,GB", "Android", "com.example.game"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([1002, "Bad", "https://t.example/1002", "US", "Fridge", None])
    path = tmp_path / "offers.xlsx"
    book.save(path)
    plan = plan_of(read_table(path))
    [(_, offer)] = plan.offers
    assert offer.offer_id == "1001"  # a number cell, not "1001.0"
    assert offer.expects == (Expectation(ExpectKind.PLAY, "com.example.game"),)
    [skip] = plan.skipped
    assert skip.row == 4 and "fridge" in skip.reason


def test_a_file_that_is_not_a_workbook_says_so(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ImportFileError, match="Excel workbook"):
        read_table(path)


def test_without_a_link_column_nothing_is_guessed():
    table = parse_text("name,geo\nx,us\n")
    with pytest.raises(ImportFileError, match="tracking link"):
        plan_of(table)


def test_defaults_are_said_once():
    plan = plan_of(parse_text("url\nhttps://a.example/1\nhttps://a.example/2\n"))
    assert [offer.countries for _, offer in plan.offers] == [("us",), ("us",)]
    assert len(plan.notes) == 2  # countries and platforms, each said once


@pytest.mark.parametrize(
    ("cell", "devices"),
    [
        ("Android|iOS", ("android", "iphone", "ipad")),
        ("iOS, iPhone", ("iphone",)),  # one of them named: only that one
        ("Mobile", ("android", "iphone")),
        ("Web", ("desktop",)),
        ("windows phone", ("windows_phone",)),
    ],
)
def test_platform_words(cell, devices):
    assert parse_devices(cell) == devices


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("com.example.game", ExpectKind.PLAY, "com.example.game"),
        ("com.example.app", ExpectKind.PLAY, "com.example.app"),
        ("id310633997", ExpectKind.APP_STORE, "310633997"),
        ("310633997", ExpectKind.APP_STORE, "310633997"),
        ("example.com", ExpectKind.DOMAIN, "example.com"),
        ("domain:app.adjust.com", ExpectKind.DOMAIN, "app.adjust.com"),
        ("play:de.example.spiel", ExpectKind.PLAY, "de.example.spiel"),
        ("https://play.google.com/store/apps/details?id=x.y", ExpectKind.PREVIEW,
         "https://play.google.com/store/apps/details?id=x.y"),
    ],
)  # fmt: skip
def test_an_expectation_is_read_from_its_form(text, kind, value):
    assert Expectation.parse(text) == Expectation(kind, value)


def test_several_expectations_in_one_cell():
    assert parse_expectations("com.example.game; id1234567890") == (
        Expectation(ExpectKind.PLAY, "com.example.game"),
        Expectation(ExpectKind.APP_STORE, "1234567890"),
    )
