"""Answers for a phone's small screen (policy_assistant/phone_messages.py) and
the parts of the phone channel that need no server."""

from __future__ import annotations

import pytest

from devtools.paths import STORE
from policy_assistant import phone_messages as pm
from policy_assistant.store import load_store

store = load_store(STORE)


def test_sentences_keep_their_end_marks_quotes_and_abbreviations():
    from policy_assistant.text import sentences

    text = "He said “no.” She asked: why? ICE is a U.S. agency. It was 22 July 2025. Done"
    assert sentences(text) == (
        "He said “no.”",
        "She asked: why?",
        "ICE is a U.S. agency.",
        "It was 22 July 2025.",
        "Done",
    )


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("topic", sorted(store.topics))
def test_every_topic_fits_a_phone(topic, lang):
    messages = pm.topic_messages(store, topic, lang)
    short = store.topics[topic].short.text(lang)
    assert len(messages) == 2
    assert messages[0] == " ".join(short.split()) and len(messages[0]) <= 360  # whole, never cut
    words = pm.keywords(store, lang)
    assert words["more"] in messages[1] and words["sources"] in messages[1]
    details = pm.details_messages(store, topic, lang)
    assert len(details) <= pm.MAX_MESSAGES and all(len(m) <= pm.MESSAGE_LIMIT for m in details)
    said = " ".join(" ".join(details).split())
    assert " ".join(store.topics[topic].summary.text(lang).split()) in said  # the summary first, whole
    newest = pm.latest_change(store.topics[topic])
    if newest is not None:  # MORE always carries the newest change, whole
        assert " ".join(newest.text.text(lang).split()) in said


def test_pack_keeps_at_most_three_messages_within_the_limit_split_on_sentences_without_gaps():
    long_paragraph = " ".join(f"Sentence number {i} is here." for i in range(400))
    messages = pm.pack(["Short first.", long_paragraph, "Last words."], limit=200, most=3)
    assert len(messages) == 3 and all(len(m) <= 200 for m in messages)
    assert messages[0] == "Short first."
    assert messages[-1].endswith(pm.ELLIPSIS) and "Last words." not in messages[-1]  # no gap: the rest is left out
    for m in messages[1:]:
        assert m.rstrip(pm.ELLIPSIS).endswith("here.")


def test_pack_splits_long_lists_on_lines_and_keeps_them():
    lines = "\n".join(f"{i} July 2025: something changed on this day." for i in range(1, 12))
    messages = pm.pack([lines], limit=200, most=3)
    assert all(len(m) <= 200 for m in messages)
    assert messages[0].split("\n")[:2] == [
        "1 July 2025: something changed on this day.",
        "2 July 2025: something changed on this day.",
    ]


def test_pack_puts_each_text_in_its_own_message_when_there_is_room():
    assert pm.pack(["a.", "b.", "c."]) == ["a.", "b.", "c."]
    assert pm.pack(["a.", "b.", "c.", "d."]) == ["a.", "b.", "c.\n\nd."]


def test_buttons_become_numbered_options():
    buttons = [{"title": "Can I call 911?", "payload": "/a"}, {"title": "Traffic stops", "payload": "/b"}]
    assert pm.numbered(buttons) == "1 Can I call 911?\n2 Traffic stops"


def test_the_conversation_id_hides_the_number(monkeypatch):
    from rasa_server.phone_channel import PhoneSettings, conversation_id

    first = conversation_id(b"secret-one-0123456789", "+15025551234")
    assert first.startswith("twilio:") and "5025551234" not in first
    assert first == conversation_id(b"secret-one-0123456789", "+15025551234")
    assert first != conversation_id(b"secret-two-0123456789", "+15025551234")
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_SENDER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert PhoneSettings.from_env() is None  # off without credentials
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("TWILIO_NUMBER", "+15025550100")
    with pytest.raises(ValueError, match="TWILIO_SENDER_SECRET"):
        PhoneSettings.from_env()


def test_a_phone_gets_options_after_their_message_and_the_privacy_line_last():
    buttons = [{"title": "Traffic stops", "payload": "/traffic_stops"}]
    sent = pm.outgoing([("Short answer.", []), ("Date and hint.", buttons)], privacy="Privacy line.")
    assert sent == ["Short answer.", "Date and hint.\n\n1 Traffic stops", "Privacy line."]
    three = pm.outgoing([("One.", []), ("Two.", []), ("Three.", buttons)], privacy="Privacy line.")
    assert three == ["One.", "Two.\n\nThree.\n\n1 Traffic stops", "Privacy line."]  # never dropped
    assert pm.outgoing([("Only one.", [])]) == ["Only one."]
