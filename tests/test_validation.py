"""Local validation: a clear message, and no call spent, for every bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.api.validation import (
    DEVICE_PRESETS,
    validate_api_key,
    validate_country,
    validate_device,
    validate_url,
)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/offer?id=1", "http://127.0.0.1:8080/x", "  https://a.b/c  "],
)
def test_good_urls_pass_and_are_trimmed(url):
    assert validate_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter"),
        ("example.com/offer", "must start with http:// or https://"),
        ("ftp://example.com", "must start with http:// or https://"),
        ("not a url", "must start with http:// or https://"),
        ("https://exa mple.com", "space"),
        ("https://example.com/a\nb", "line break"),
        ("https:///path-only", "host"),
        ("https://example.com/" + "a" * 3000, "longer"),
        ("http://[::1", "valid"),
    ],
)
def test_bad_urls_say_what_is_wrong(url, words):
    with pytest.raises(InputError) as caught:
        validate_url(url)
    assert words in caught.value.message
    assert caught.value.field == "url"


@pytest.mark.parametrize(("code", "clean"), [("us", "us"), ("GB", "gb"), (" de ", "de")])
def test_real_country_codes_pass_lower_case(code, clean):
    assert validate_country(code) == clean


@pytest.mark.parametrize("code", ["", "uk", "zz", "usa", "u", "12"])
def test_codes_not_in_iso_3166_are_refused(code):
    with pytest.raises(InputError):
        validate_country(code)


def test_device_presets_keep_the_vendors_spelling():
    assert validate_device("windowsphone") == "windowsPhone"
    assert validate_device("ANDROID") == "android"
    assert set(DEVICE_PRESETS) == {
        "android",
        "iphone",
        "ipad",
        "desktop",
        "windowsPhone",
        "blackberry",
    }


def test_a_custom_user_agent_is_accepted_when_printable():
    agent = "Mozilla/5.0 (X11; Linux x86_64) Custom/1.0"
    assert validate_device(agent) == agent


@pytest.mark.parametrize(
    "agent", ["Mozilla\r\nX-Evil: 1", "tab\there", "x" * 600, "Agent \u00e9/1.0", "Ag\u4e2d/1"]
)
def test_a_user_agent_with_control_characters_or_too_long_is_refused(agent):
    with pytest.raises(InputError):
        validate_device(agent)


def test_api_key_copy_paste_whitespace_is_stripped():
    key = "a1" * 32
    assert validate_api_key(f"  {key}\n") == key


@pytest.mark.parametrize(
    ("key", "words"),
    [("", "Paste"), ("a" * 63, "63"), ("a" * 65, "65"), ("a" * 30 + " " + "a" * 33, "space")],
)
def test_bad_api_keys_say_why(key, words):
    with pytest.raises(InputError) as caught:
        validate_api_key(key)
    assert words in caught.value.message


@given(st.text(max_size=80))
def test_validation_never_crashes_on_any_text(text):
    for check in (validate_url, validate_country, validate_device, validate_api_key):
        try:
            check(text)
        except InputError as error:
            assert error.message


def test_check_request_validates_every_field_and_picks_the_endpoint():
    plain = CheckRequest.create("https://a.example/x", "US", "iphone")
    assert (plain.country, plain.endpoint, plain.codes) == ("us", "test", True)
    preview = CheckRequest.create(
        "https://a.example/x", "us", "android", preview_url="https://play.google.com/x"
    )
    assert preview.endpoint == "compareToPreview"
    with pytest.raises(InputError) as caught:
        CheckRequest.create("https://a.example/x", "us", "android", preview_url="nope")
    assert caught.value.field == "preview_url"


def test_devices_are_named_as_the_form_names_them():
    from affilitest_gui.api.validation import device_label

    assert device_label("android") == "Android phone"
    assert device_label("iphone") == "iPhone"
    assert device_label("Mozilla/5.0 (X11)") == "Custom: Mozilla/5.0 (X11)"

