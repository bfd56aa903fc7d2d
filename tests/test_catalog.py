"""The error catalog against the vendor's own page, message by message."""

from __future__ import annotations

import re

import pytest

from affilitest_gui.api.catalog import ENTRIES, Action, describe, entry_for, entry_for_message
from affilitest_gui.api.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    HTTPStatusError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    ServerError,
    ServiceError,
    TLSError,
    UnexpectedError,
)
from affilitest_gui.api.support import support_report
from affilitest_gui.sandbox import accounts as sandbox_messages
from tests.seed import (
    EXPECTED_401_ACTIONS,
    SEED,
    SEED_401,
    SEED_401_MEANINGS,
    SEED_403,
    SHARED_SEED,
)


def test_the_seed_copy_matches_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert SEED.read_text(encoding="utf-8") == SHARED_SEED.read_text(encoding="utf-8")


def test_the_seed_lists_eight_401_messages_each_with_a_meaning():
    assert len(SEED_401) == 8
    assert len(SEED_401_MEANINGS) == 8
    assert set(SEED_401) == set(EXPECTED_401_ACTIONS)


@pytest.mark.parametrize("message", SEED_401)
def test_every_401_message_of_the_seed_has_its_own_entry(message):
    entry = entry_for_message(message)
    assert entry is not None, message
    assert entry.message == message  # verbatim
    assert entry.status == 401
    assert entry.action is EXPECTED_401_ACTIONS[message]
    explained = describe(AuthError(message, status=401, endpoint="test"))
    assert explained.entry is entry
    assert explained.title and explained.explanation and explained.advice


def test_401_messages_map_to_distinct_entries():
    keys = [entry_for_message(message).key for message in SEED_401]
    assert len(set(keys)) == len(SEED_401)


def test_401_message_match_is_exact_not_a_prefix():
    # "Invalid API Key" must not swallow "Invalid API Key length" or the reverse.
    assert entry_for_message("Invalid API Key").key == "invalid_key"
    assert entry_for_message("Invalid API Key length").key == "invalid_key_length"
    assert entry_for_message("Invalid API Key.").key == "invalid_key"


@pytest.mark.parametrize(
    ("seed_phrase", "sandbox_message", "key"),
    [
        ("permissions", sandbox_messages.MSG_NO_PERMISSION, "no_permission"),
        ("budget", sandbox_messages.MSG_NO_BUDGET, "no_budget"),
    ],
)
def test_both_403_cases_of_the_seed(seed_phrase, sandbox_message, key):
    assert any(seed_phrase in line for line in SEED_403)
    seed_line = next(line for line in SEED_403 if seed_phrase in line)
    for text in (seed_line, sandbox_message):
        explained = describe(ForbiddenError(text, status=403))
        assert explained.entry.key == key
        assert explained.action is Action.CHECK_PAYMENT
        assert "payment" in explained.advice
        assert "support.affilitest" in explained.advice
        assert text in explained.explanation  # the server's own words are shown
        # Beside the payment page: switch to another key or log in with another account.
        assert explained.actions == (Action.CHECK_PAYMENT, Action.ENTER_KEY, Action.LOGIN)


def test_429_message_of_the_seed():
    text = SEED.read_text(encoding="utf-8")
    seed_message = re.search(r"Too many requests per second Limit is \.\.\.", text).group(0)
    real = seed_message.replace("...", "50 requests per 30 seconds")
    assert describe(RateLimitedError(real, status=429)).entry.key == "rate_limited"
    assert describe(RateLimitedError("slow down", status=429)).entry.key == "rate_limited"


@pytest.mark.parametrize(
    ("error", "key", "action"),
    [
        (BadRequestError("Missing parameters: url", status=400), "bad_request", Action.FIX_INPUT),
        (ServerError("Internal Server Error", status=500), "server_error", Action.RETRY),
        (ServerError("Bad gateway", status=502), "server_error", Action.RETRY),
        (NetworkError("Connection refused", sent=False), "network", Action.RETRY),
        (TLSError("certificate verify failed", sent=False), "tls", Action.CONTACT_SUPPORT),
        (MalformedResponseError("an HTML page", status=200), "malformed", Action.RETRY),
        (HTTPStatusError("Not Found", status=404), "http_other", Action.CONTACT_SUPPORT),
        (ServiceError("Something odd", status=200), "service", Action.CONTACT_SUPPORT),
        (UnexpectedError("KeyError: 'x'"), "unexpected", Action.CONTACT_SUPPORT),
    ],
)
def test_each_failure_class_has_an_entry(error, key, action):
    explained = describe(error)
    assert explained.entry.key == key
    assert explained.action is action
    assert "{" not in explained.explanation + explained.advice  # every placeholder filled


def test_what_the_app_saw_is_never_put_in_affilitests_mouth():
    seen = describe(MalformedResponseError("a web page (HTTP 200)", status=200))
    assert seen.explanation.startswith("The app received a web page (HTTP 200) instead")
    assert "))" not in seen.explanation
    html_401 = describe(AuthError("a web page (HTTP 401)", status=401, from_server=False))
    assert "AffiliTest said" not in html_401.explanation
    assert "The app received a web page (HTTP 401)." in html_401.explanation
    said = describe(AuthError("Your key was revoked", status=401))
    assert "AffiliTest said: \u201cYour key was revoked\u201d" in said.explanation


def test_a_connection_cut_after_sending_is_not_blamed_on_the_internet_connection():
    cut = describe(NetworkError("the connection was cut before the answer arrived", sent=True))
    assert cut.entry.key == "network_after_send"
    assert "internet connection" not in cut.advice
    assert "may have charged" in cut.explanation
    refused = describe(NetworkError("could not connect to affilitest.com", sent=False))
    assert refused.entry.key == "network"
    assert "internet connection" in refused.advice


def test_the_429_text_quotes_the_one_rate_limit():
    from affilitest_gui.api.catalog import entry_by_key
    from affilitest_gui.api.limits import API_RATE_LIMIT

    text = entry_by_key("rate_limited").explanation
    assert f"{API_RATE_LIMIT.limit} requests per {API_RATE_LIMIT.window_s:g} seconds" in text


def test_an_unknown_401_message_falls_back_and_shows_the_servers_words():
    explained = describe(AuthError("Your key was revoked by an admin", status=401))
    assert explained.entry.key == "auth_other"
    assert "Your key was revoked by an admin" in explained.explanation
    assert explained.action is Action.ENTER_KEY


def test_a_known_message_on_a_200_maps_to_its_entry():
    assert entry_for(200, "auth", "Login session expired").key == "session_expired"


def test_every_entry_is_complete_and_every_action_is_used():
    for entry in ENTRIES:
        assert entry.title and entry.explanation and entry.advice, entry.key
        assert entry.status is not None or entry.kind is not None, entry.key
    assert {entry.action for entry in ENTRIES} == set(Action)
    assert len({entry.key for entry in ENTRIES}) == len(ENTRIES)


def test_support_report_has_the_facts_and_no_secret():
    key = "k" * 64
    error = AuthError("Invalid API Key", status=401, endpoint="test")
    report = support_report(error, context=f"Authorization: AT-API {key}", secrets=[key])
    assert "Invalid API Key" in report
    assert "401" in report
    assert "test" in report
    assert "support.affilitest" in report
    assert key not in report
    assert "[redacted]" in report


def test_log_lines_are_redacted_tracebacks_included():
    import io
    import logging

    from affilitest_gui.api.redaction import RedactingFilter

    key = "k" * 64
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(lambda: [key]))
    logger = logging.getLogger("affilitest-test-redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sending %s with Authorization: AT-API %s", "check", key)
        try:
            raise ValueError(f"bad header AT-API {key}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "sending check" in text and "ValueError" in text
    assert key not in text
