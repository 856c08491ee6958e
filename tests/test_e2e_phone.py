"""SMS and WhatsApp, offline: correctly signed Twilio webhook requests (signed
here with the Twilio library and a test token) to the running Rasa server,
and the outgoing messages caught by a local stub (devtools/twilio_stub.py),
never sent to the internet."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from devtools.paths import STORE
from policy_assistant import phone_messages
from policy_assistant.answers import latest_change, topic_sources
from policy_assistant.store import load_store
from tests.conftest import TWILIO_TOKEN

pytestmark = pytest.mark.e2e
store = load_store(STORE)
PATH = "/webhooks/twilio/webhook"


def new_phone(whatsapp: bool = False) -> str:
    number = "+1502555" + "".join(secrets.choice("0123456789") for _ in range(4))
    return f"whatsapp:{number}" if whatsapp else number


def signed_post(live, params, token=TWILIO_TOKEN, signature=None):
    url = live.url + PATH
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return requests.post(url, data=params, headers=headers, timeout=30)


def sent_to(stub, phone, quiet=0.2, most=20.0):
    """The messages sent to `phone`: the channel answers Twilio at once and
    sends the reply right after, so wait until they stop coming. (The messages
    of one reply are sent one after another: measured across a whole e2e run
    on two busy cores, at most 8 ms apart, docs/results.md.)"""
    got, deadline, last_change = [], time.monotonic() + most, time.monotonic()
    while time.monotonic() < deadline:
        new = stub.take(phone)
        if new:
            got += new
            last_change = time.monotonic()
        elif got and time.monotonic() - last_change > quiet:
            break
        time.sleep(0.05)
    return got


def text(live, stub, phone, body, **fields):
    """Send `body` from `phone` as Twilio does; the messages the assistant sent back."""
    params = {"From": phone, "To": "+15025550100", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex, **fields}
    response = signed_post(live, params)
    assert response.status_code == 200 and "<Response>" in response.text
    return sent_to(stub, phone)


def options_of(messages):
    return dict(re.findall(r"^(\d+) (.+)$", "\n".join(messages), re.M))


def test_a_question_gets_the_short_answer_with_its_date_source_and_options(live, twilio_stub):
    phone = new_phone()
    messages = text(live, twilio_stub, phone, "will the police ask about my immigration status?")
    expected = phone_messages.topic_messages(store, "immigration_status", "en")
    assert 2 <= len(messages) <= 3 and all(len(m) <= phone_messages.MESSAGE_LIMIT for m in messages)
    assert messages[0] == expected[0] and len(messages[0]) <= 330  # whole sentences of the short answer
    assert "The latest change we know of is from 22 July 2025." in messages[1]
    assert "Source:" in messages[1]
    assert "Reply MORE for details, SOURCES for sources, or a number" in messages[1]
    titles = [store.topics[t].title.text("en") for t in store.topics["immigration_status"].related]
    assert list(options_of(messages).values())[: len(titles)] == titles
    # the first reply names who carries the messages and what is kept
    assert "your phone company and Twilio" in messages[-1] and "daily count of questions per topic" in messages[-1]


def test_a_number_picks_the_option_in_the_conversations_language(live, twilio_stub):
    phone = new_phone()
    text(live, twilio_stub, phone, "¿La policía me va a preguntar por mi estatus migratorio?")
    first_related = store.topics["immigration_status"].related[0]
    messages = text(live, twilio_stub, phone, "1")
    assert messages[0] == phone_messages.topic_messages(store, first_related, "es")[0]
    assert "Responda MAS para más detalles" in messages[1]
    assert "Privacidad" not in " ".join(messages)  # said once, in the first reply


def test_a_number_that_names_no_option_gets_the_options_again(live, twilio_stub):
    phone = new_phone()
    text(live, twilio_stub, phone, "Can I call 911 if I am undocumented?")
    messages = text(live, twilio_stub, phone, "42")
    assert messages[0].startswith(store.language("en").messages["nlu_fallback"])
    assert options_of(messages)  # numbered options to pick from
    first = options_of(messages)["1"]
    answer = text(live, twilio_stub, phone, "1.")
    topic = next(t for t, topic in store.topics.items() if topic.title.text("en") == first)
    assert answer[0] == phone_messages.topic_messages(store, topic, "en")[0]


@pytest.mark.parametrize(
    "lang, question, more, sources, stop",
    [
        ("en", "Can I call 911 if I am undocumented?", "MORE", "SOURCES", "STOP"),
        ("es", "¿Puedo llamar al 911 si no tengo papeles?", "MAS", "FUENTES", "ALTO"),
    ],
)
def test_more_sources_and_stop(live, twilio_stub, lang, question, more, sources, stop):
    phone = new_phone()
    answer = text(live, twilio_stub, phone, question)
    assert answer[0] == phone_messages.topic_messages(store, "report_crime_safely", lang)[0]
    language = store.language(lang)

    details = text(live, twilio_stub, phone, more.lower())  # any case
    topic = store.topics["report_crime_safely"]
    assert details[0].startswith(topic.title.text(lang))
    # the summary first, then the later changes, dated
    said = " ".join(" ".join(details).split())
    assert said.index(topic.summary.text(lang)[:60]) < said.index(latest_change(topic).text.text(lang)[:60])
    assert len(details) <= 3 and all(len(m) <= phone_messages.MESSAGE_LIMIT for m in details)

    listed = text(live, twilio_stub, phone, sources)
    assert language.labels["source"] + ":" in listed[0]
    assert any(s.publisher in listed[0] for s in topic_sources(topic))

    stopped = text(live, twilio_stub, phone, stop)
    assert stopped == [language.messages["stopped"]]
    # forgotten at once: the next message starts a new conversation, with the privacy line again
    again = text(live, twilio_stub, phone, question)
    assert language.messages["phone_privacy_sms"] in again[-1]


def test_whatsapp_gets_its_own_privacy_line_and_sender(live, twilio_stub):
    phone = new_phone(whatsapp=True)
    messages = text(live, twilio_stub, phone, "hello")
    assert store.language("en").messages["phone_privacy_whatsapp"] in messages[-1]
    # the greeting's topics as numbered options, and how to pick one
    assert "Reply with a number to pick a question." in messages[0]
    greeting = [store.topics[t].title.text("en") for t in store.replies["greet"].buttons]
    assert list(options_of(messages).values()) == greeting


def test_unsigned_wrongly_signed_and_altered_replays_are_refused(live, twilio_stub):
    phone = new_phone()
    params = {"From": phone, "To": "+15025550100", "Body": "hello", "MessageSid": "SM" + uuid.uuid4().hex}
    assert signed_post(live, params, signature="").status_code == 403
    assert signed_post(live, params, token="another-token-0123456789abcdef").status_code == 403
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(live.url + PATH, params)
    assert signed_post(live, {**params, "Body": "changed"}, signature=signature).status_code == 403
    assert signed_post(live, {**params, "From": new_phone()}, signature=signature).status_code == 403
    # a form with a field twice is refused, whichever of the two a reader would take
    doubled = requests.post(
        live.url + PATH,
        data=[("Body", "something else"), *params.items()],
        headers={"X-Twilio-Signature": signature},
        timeout=30,
    )
    assert doubled.status_code == 403
    time.sleep(1)
    assert twilio_stub.take(phone) == []
    # the request as Twilio signed it is answered once; an exact replay is not answered again
    assert signed_post(live, params, signature=signature).status_code == 200
    assert len(sent_to(twilio_stub, phone)) >= 1
    assert signed_post(live, params, signature=signature).status_code == 200
    time.sleep(1.5)
    assert twilio_stub.take(phone) == []


def test_empty_fields_that_twilio_signs_are_accepted(live, twilio_stub):
    phone = new_phone()
    messages = text(live, twilio_stub, phone, "hello", FromCity="", FromZip="", NumMedia="0")
    assert messages and "Privacy" in messages[-1]


def test_the_language_follows_what_the_person_writes(live, twilio_stub):
    phone = new_phone()
    text(live, twilio_stub, phone, "hi")
    messages = text(live, twilio_stub, phone, "¿La policía me va a preguntar por mi estatus migratorio?")
    assert messages[0] == phone_messages.topic_messages(store, "immigration_status", "es")[0]


def test_say_that_in_spanish_sends_the_last_answer_again_in_spanish_and_its_options_number_in_it(live, twilio_stub):
    phone = new_phone()
    text(live, twilio_stub, phone, "will the police ask about my immigration status?")
    messages = text(live, twilio_stub, phone, "en español por favor")
    expected = phone_messages.topic_messages(store, "immigration_status", "es")
    assert messages[0] == expected[0] and messages[1].startswith(expected[1])  # then the numbered options
    first_related = store.topics["immigration_status"].related[0]
    picked = text(live, twilio_stub, phone, "1")
    assert picked[0] == phone_messages.topic_messages(store, first_related, "es")[0]


def test_neither_the_number_nor_the_text_reaches_a_log(live, twilio_stub):
    phone = new_phone()
    marker = "zebra" + uuid.uuid4().hex[:8]
    text(live, twilio_stub, phone, f"my cousin {marker} was stopped by police, will they call ICE?")
    text(live, twilio_stub, phone, "1")
    for log in (live.rasa_log, live.actions_log):
        content = log.read_text(encoding="utf-8", errors="replace")
        assert phone not in content and phone[2:] not in content, log
        assert marker not in content, log


EN, ES = store.language("en").messages, store.language("es").messages


def nothing_to_forget(messages):
    """What a stop gets when nothing was kept: not "forgotten"."""
    return messages["nothing_to_forget"]


def post_bytes(live, fields):
    """Post a form whose values are bytes as given, not always UTF-8, signed
    over the form read as text (each byte that is not UTF-8 as U+FFFD: how
    Twilio signs such a value is not documented, and was not tested)."""
    url = live.url + PATH
    as_text = {name: value.decode("utf-8", "replace") for name, value in fields.items()}
    headers = {
        "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, as_text),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return requests.post(url, data=urlencode(list(fields.items())).encode(), headers=headers, timeout=30)


def malformed(phone):
    """A message whose text holds half of a UTF-16 surrogate pair (U+D800, as
    its three UTF-8 bytes): not a character, not text any encoder takes."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "From": phone.encode(),
        "To": b"+15025550100",
        "Body": b"hola \xed\xa0\x80 policia",
        "MessageSid": sid.encode(),
    }


def test_a_message_that_is_not_well_formed_unicode_gets_the_friendly_reply_not_an_outage(live, twilio_stub):
    phone = new_phone()
    text(live, twilio_stub, phone, "¿La policía me va a preguntar por mi estatus migratorio?")
    response = post_bytes(live, malformed(phone))
    assert response.status_code == 200 and "<Response>" in response.text  # Twilio gets its answer
    assert sent_to(twilio_stub, phone) == [ES["unreadable"]]  # in the conversation's language
    # no conversation to tell the language by: every language, as the web chat says it
    stranger = new_phone()
    assert post_bytes(live, malformed(stranger)).status_code == 200
    reply = sent_to(twilio_stub, stranger)
    assert len(reply) == 1 and EN["unreadable"] in reply[0] and ES["unreadable"] in reply[0]


@pytest.mark.parametrize("word", ["CANCEL", "End", "quit", "UNSUBSCRIBE", "STOPALL", "REVOKE", "optout."])
def test_twilios_other_opt_out_words_forget_the_conversation_too(live, twilio_stub, word):
    phone = new_phone()
    text(live, twilio_stub, phone, "hello")
    assert text(live, twilio_stub, phone, word) == [EN["stopped"]]
    # forgotten: a second one has nothing left to forget, and does not say "forgotten"
    assert text(live, twilio_stub, phone, word) == [nothing_to_forget(EN)]


def test_forgotten_is_said_only_when_there_was_a_conversation_and_in_its_language(live, twilio_stub):
    # a first message STOP: nothing was kept, and the reply does not say it was forgotten
    assert text(live, twilio_stub, new_phone(), "STOP") == [nothing_to_forget(EN)]
    # Twilio's words are the same in every language: the reply is in the conversation's
    phone = new_phone()
    text(live, twilio_stub, phone, "¿Puedo llamar al 911 si no tengo papeles?")
    assert text(live, twilio_stub, phone, "STOP") == [ES["stopped"]]
    # a word set in Twilio's console (Advanced Opt-Out) comes marked OptOutType=STOP
    phone = new_phone()
    text(live, twilio_stub, phone, "¿Puedo llamar al 911 si no tengo papeles?")
    assert text(live, twilio_stub, phone, "BAJA", OptOutType="STOP") == [ES["stopped"]]
    assert text(live, twilio_stub, phone, "ALTO") == [nothing_to_forget(ES)]
