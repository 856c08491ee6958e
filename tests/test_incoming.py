"""A chat request is read with limits before anything reaches Rasa, and only
the sender, the text and the page's language are kept (rasa_server/incoming.py)."""

import json

import pytest

from rasa_server.incoming import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, Refused, read

INTENTS = {"home_visits", "greet", "restart"}


def body(**fields):
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"null", "unreadable"),
        (b"[]", "unreadable"),
        (b'"x"', "unreadable"),
        (b"42", "unreadable"),
        (b"\xff\xfe not json", "unreadable"),
        (b"{", "unreadable"),
        (b"[" * 8000 + b"]" * 8000, "unreadable"),
        (b'{"a":' * 2500 + b"1" + b"}" * 2500, "unreadable"),
        (b" " * (MAX_BODY_BYTES + 1), "empty"),
        (b'{"message": "' + b"x" * MAX_BODY_BYTES + b'"}', "too_long"),
        (body(message=["a list"]), "unreadable"),
        (body(message={"text": "hi"}), "unreadable"),
        (body(sender={"id": 1}, message="hi"), "bad_sender"),
        (body(sender=True, message="hi"), "bad_sender"),
        (body(sender="x" * 65, message="hi"), "bad_sender"),
        (body(sender="<script>", message="hi"), "bad_sender"),
        (body(sender="a b", message="hi"), "bad_sender"),
        (body(sender="ünïcode", message="hi"), "bad_sender"),
        # malformed Unicode: half of a UTF-16 surrogate pair, escaped in JSON or as its UTF-8 bytes
        (b'{"message": "\\ud800"}', "unreadable"),
        (b'{"message": "hola \\udc00 policia"}', "unreadable"),
        (b'{"message": "\\ude00\\ud83d"}', "unreadable"),  # the two halves the wrong way round
        (b'{"message": "\xed\xa0\x80"}', "unreadable"),
        (b'{"sender": "\\ud800", "message": "hi"}', "bad_sender"),
    ],
)
def test_unreadable_requests_are_refused_with_a_reason(raw, reason):
    with pytest.raises(Refused) as refused:
        read(raw, INTENTS)
    assert refused.value.reason == reason
    assert refused.value.status in (400, 413)


def test_a_missing_or_empty_sender_gets_none_so_the_server_gives_one():
    assert read(body(message="hi")).sender is None
    assert read(body(sender="", message="hi")).sender is None
    assert read(body(sender=12345, message="hi")).sender == "12345"
    assert read(body(sender="e2e-1a2b:c.d@x+y", message="hi")).sender == "e2e-1a2b:c.d@x+y"


def test_only_the_text_and_the_page_language_are_kept():
    incoming = read(
        body(
            sender="s",
            message="hola",
            metadata={"lang": "es", "page_lang": "en", "slots": {"language": "fr"}},
            input_channel="twilio",
            stream=True,
            parse_data={"intent": {"name": "restart"}},
        )
    )
    assert (incoming.sender, incoming.text, incoming.lang, incoming.page_lang) == ("s", "hola", "es", "en")
    assert set(vars(incoming)) == {"sender", "text", "lang", "page_lang"}
    assert read(body(message="x", metadata={"page_lang": "<b>es</b>"})).page_lang is None
    assert read(body(message="x", metadata={"lang": "<b>es</b>"})).lang is None
    assert read(body(message="x", metadata="es")).lang is None


def test_a_well_formed_surrogate_pair_is_the_character_it_stands_for():
    assert read(b'{"message": "\\ud83d\\ude00 hola"}').text == "\U0001f600 hola"
    assert read('{"message": "\U0001f600"}'.encode()).text == "\U0001f600"


def test_text_is_cut_to_the_limit_and_nul_bytes_dropped():
    assert read(body(message="a\x00b" + "x" * 5000)).text == "ab" + "x" * (MAX_MESSAGE_CHARS - 2)
    assert read(body()).text == ""
    assert read(body(message=None)).text == ""


@pytest.mark.parametrize(
    "message,text",
    [
        ("/home_visits", "/home_visits"),  # a button: a known intent, nothing more
        (" /restart ", "/restart"),
        ("/unknown_intent", "unknown_intent"),  # Rasa would log the whole line
        ('/home_visits{"place": "x"}', 'home_visits{"place": "x"}'),  # no entities from clients
        ("/greet@0.1", "greet@0.1"),
        ("// my name is Ana", "my name is Ana"),
        ("/ my name is Ana", "my name is Ana"),
        ("what is /home_visits", "what is /home_visits"),
    ],
)
def test_a_slash_message_is_an_intent_only_when_it_names_one_exactly(message, text):
    assert read(body(message=message), INTENTS).text == text
