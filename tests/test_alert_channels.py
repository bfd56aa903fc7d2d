"""Slack, Teams and email against local ends on real sockets: the payloads each server
gets, what each answer says, and no secret in any answer."""

from __future__ import annotations

import pytest

from affilitest_gui.alerts.mail import BadSmtpSettings, EmailChannel, SmtpSettings, smtp_from_url
from affilitest_gui.alerts.payloads import slack_payload, teams_payload
from affilitest_gui.alerts.webhook import UnsafeWebhook, WebhookChannel
from affilitest_gui.offers.alerts import Change, summary
from tests.alert_receivers import SmtpRelay, WebhookReceiver
from tests.fakes import no_secrets

NOTE = summary([Change("Game X", [("us", "android")]), Change("Shop Y", [("de", "iphone")])],
               [Change("Quest Z")])  # fmt: skip


@pytest.fixture
def receiver():
    made = WebhookReceiver()
    yield made
    made.stop()


def test_slack_gets_text_for_every_client_and_blocks_for_the_message(receiver):
    delivery = WebhookChannel("slack", receiver.url, slack_payload).deliver(NOTE)
    assert delivery.sent and delivery.answer == "HTTP 200: ok"
    [body] = receiver.bodies
    assert body["text"].startswith("2 offers broke: Game X (US")
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[0] == "header" and kinds[-1] == "context" and kinds.count("section") == 2
    assert "/hook" not in delivery.answer


def test_teams_gets_an_adaptive_card_in_the_workflows_envelope(receiver):
    WebhookChannel("teams", receiver.url, teams_payload).deliver(NOTE)
    [body] = receiver.bodies
    [attachment] = body["attachments"]
    assert body["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "2 offers broke" and card["body"][0]["color"] == "Attention"


def test_a_429_is_a_delivery_that_says_when_to_try_again():
    busy = WebhookReceiver([429])
    try:
        delivery = WebhookChannel("slack", busy.url, slack_payload).deliver(NOTE)
    finally:
        busy.stop()
    assert not delivery.sent and delivery.retry_after_s == 1.0
    assert delivery.answer == "HTTP 429: rate_limited"


def test_a_webhook_in_the_clear_or_out_of_reach_is_said_without_the_secret():
    with pytest.raises(UnsafeWebhook, match="https"):
        WebhookChannel("slack", "http://hooks.slack.example/T0/B0/secret", slack_payload)
    gone = WebhookChannel("slack", "http://127.0.0.1:9/T0/B0/secret", slack_payload)
    delivery = gone.deliver(NOTE)
    assert not delivery.sent and "secret" not in delivery.answer
    assert delivery.answer.startswith("not reached")


def test_email_goes_as_text_and_an_html_table_with_the_counts_in_the_subject():
    relay = SmtpRelay()
    try:
        settings = smtp_from_url(f"smtp://127.0.0.1:{relay.port}?from=watch@example.com"
                                 "&to=ops@example.com,lead@example.com")  # fmt: skip
        delivery = EmailChannel(settings).deliver(NOTE)
    finally:
        relay.stop()
    assert delivery.sent and "ops@example.com, lead@example.com" in delivery.answer
    [message] = relay.messages
    assert message["Subject"] == "AffiliTest GUI: 2 offers broke"
    text, page = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert "1 offer recovered: Quest Z." in text and "<table" in page


def test_smtp_urls_keep_passwords_off_the_clear():
    starttls = smtp_from_url("smtp+starttls://bot%40example.com:p%40ss@mail.example.com"
                             "?from=bot@example.com&to=ops@example.com")  # fmt: skip
    assert (starttls.security, starttls.port, starttls.user) == ("starttls", 587,
                                                                 "bot@example.com")  # fmt: skip
    assert starttls.password == "p@ss" and "p@ss" not in repr(starttls)
    assert smtp_from_url("smtps://u:p@mail.example.com?from=a@b.example&to=c@d.example").port == 465
    with pytest.raises(BadSmtpSettings, match="never sent without TLS") as raised:
        smtp_from_url("smtp://u:secret@mail.example.com?from=a@b.example&to=c@d.example")
    assert "secret" not in str(raised.value)
    with pytest.raises(BadSmtpSettings, match="recipients"):
        smtp_from_url("smtp://relay.example?from=a@b.example")
    assert SmtpSettings("h", 25, "none", "a@b.example", ("c@d.example",)).problems() == []


def test_the_outbox_waits_backs_off_then_delivers_late_and_logs_no_secret(tmp_path):
    from datetime import datetime, timedelta, timezone

    from affilitest_gui.alerts.outbox import deliver_waiting
    from affilitest_gui.history.store import HistoryStore

    store = HistoryStore(tmp_path / "history.sqlite3")
    receiver = WebhookReceiver([503, 429])  # down, then busy, then it takes it
    start = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    try:
        slack = WebhookChannel("slack", receiver.url + "/T0/B0/secret", slack_payload)
        store.alerts.post("slack", NOTE, start.isoformat(timespec="seconds"))
        channels = {"slack": slack}
        assert [e.state for e in deliver_waiting(store.alerts, channels, start)] == ["waiting"]
        assert deliver_waiting(store.alerts, channels, start + timedelta(seconds=10)) == []
        later = start + timedelta(seconds=31)
        assert [e.state for e in deliver_waiting(store.alerts, channels, later)] == ["waiting"]
        last = later + timedelta(seconds=121)
        assert [e.state for e in deliver_waiting(store.alerts, channels, last)] == ["late"]
        assert store.alerts.waiting() == 0 and len(receiver.bodies) == 3
        log = store.alerts.log()
        assert [e.state for e in log] == ["waiting", "waiting", "late"]
        assert log[0].answer.startswith("HTTP 503") and log[1].answer == "HTTP 429: rate_limited"
        assert all("secret" not in e.answer for e in log)
    finally:
        receiver.stop()
        store.close()


def test_a_refused_webhook_fails_at_once_and_a_day_old_alert_is_dropped(tmp_path):
    from datetime import datetime, timedelta, timezone

    from affilitest_gui.alerts.outbox import deliver_waiting
    from affilitest_gui.history.store import HistoryStore

    store = HistoryStore(tmp_path / "history.sqlite3")
    gone = WebhookReceiver([404])
    start = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    try:
        store.alerts.post("teams", NOTE, start.isoformat(timespec="seconds"))
        channels = {"teams": WebhookChannel("teams", gone.url, teams_payload)}
        [failed] = deliver_waiting(store.alerts, channels, start)
        assert failed.state == "failed" and store.alerts.waiting() == 0
        store.alerts.post("slack", NOTE, start.isoformat(timespec="seconds"))
        down = {"slack": WebhookChannel("slack", "http://127.0.0.1:9/x", slack_payload)}
        deliver_waiting(store.alerts, down, start)
        [dropped] = deliver_waiting(store.alerts, down, start + timedelta(hours=23, minutes=59))
        assert dropped.state == "dropped" and "within a day" in dropped.answer
        assert store.alerts.waiting() == 0
    finally:
        gone.stop()
        store.close()


def test_the_command_line_tests_a_channel_and_prints_the_alert_log(tmp_path, monkeypatch,
                                                                   sandbox):  # fmt: skip
    import io
    import json
    from datetime import datetime, timezone

    from affilitest_gui.history.store import HistoryStore
    from affilitest_gui.offers_cli import run
    from affilitest_gui.paths import DATA_DIR_VARIABLE

    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))

    def command(*argv, **environ):
        out, err = io.StringIO(), io.StringIO()
        status = run(list(argv), stdout=out, stderr=err, environ=environ,
                     network_keystores=no_secrets)  # fmt: skip
        return status, [json.loads(line) for line in out.getvalue().splitlines()]

    receiver = WebhookReceiver()
    try:
        status, [line] = command("alerts", "test", "slack", AFFILITEST_SLACK_WEBHOOK=receiver.url)
        expected = {"channel": "slack", "sent": True, "answer": "HTTP 200: ok",
                    "from": "environment"}  # fmt: skip
        assert status == 0 and line == expected
        assert receiver.bodies[0]["text"].startswith("Test from AffiliTest GUI")
        status, [line] = command("alerts", "test", "teams")
        assert status == 2 and "AFFILITEST_TEAMS_WEBHOOK" in line["answer"]
        status, [line] = command("alerts", "test", "email",
                                 AFFILITEST_SMTP_URL="smtp://u:pw@mail.example?from=a@b.example"
                                                     "&to=c@d.example")  # fmt: skip
        assert status == 2 and "never sent without TLS" in line["answer"]
        store = HistoryStore(tmp_path / "data" / "history.sqlite3")
        store.alerts.post("slack", NOTE, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        store.close()
        command("run", "--base-url", sandbox.base_url, AFFILITEST_API_KEY=sandbox.keys["valid"],
                AFFILITEST_SLACK_WEBHOOK=receiver.url)  # the outbox goes first  # fmt: skip
        assert receiver.bodies[-1]["text"].startswith("2 offers broke")
        status, log = command("alerts", "log")
        assert status == 0 and [(e["channel"], e["state"]) for e in log] == [("slack", "sent")]
        assert set(log[0]) == {"time", "channel", "state", "summary", "answer"}
    finally:
        receiver.stop()


def test_an_offer_name_from_an_export_cannot_ping_a_slack_channel_or_make_a_link():
    note = summary([Change("<!channel> Game & <https://evil.example|Play>", [("us", "android")])],
                   [])  # fmt: skip
    payload = slack_payload(note)
    sections = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    said = [payload["text"], *sections]
    assert all("<" not in text and ">" not in text for text in said)
    assert "&lt;!channel&gt; Game &amp; &lt;https://evil.example|Play&gt;" in payload["text"]
    card = teams_payload(summary([Change("[Fix now](https://evil.example)")], []))
    texts = [block["text"] for block in card["attachments"][0]["content"]["body"]]
    assert not any("](" in text for text in texts)  # no markdown link in Teams either
