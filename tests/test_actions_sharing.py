"""Sharing a question the assistant did not understand (issue 29), through
the real actions and answer store: the offer shows the scrubbed text, the yes
passes exactly that text on, any other message forgets it, and it expires.
The console's side is an inbox that records what it is given
(test_shared_questions.py tests the console itself; test_e2e_sharing.py both
through the running servers)."""

from __future__ import annotations

import json
from typing import List

import pytest
from rasa_sdk import Tracker

from actions import actions
from policy_assistant.answers import SHARE_PAYLOAD
from policy_assistant.console_client import ConsoleClient
from policy_assistant.live_store import shared_store
from policy_assistant.scrub import REMOVED
from policy_assistant.shared_questions import ConsoleInbox, PendingShares, SharedQuestion
from tests.test_actions import TRACKERS, run

QUESTION = "My neighbour Rosalind keeps asking about the trash pickup schedule on our block"
SCRUBBED = f"My neighbour {REMOVED} keeps asking about the trash pickup schedule on our block"


class RecordingInbox(ConsoleInbox):
    """The console's endpoint, as the action sees it: what it was given."""

    def __init__(self, works: bool = True) -> None:
        super().__init__(ConsoleClient("http://console.invalid/staff/internal", "5b1e9c7d3f2a8046e1c9b7d5a3f10e82"))
        self.works, self.given = works, []  # type: ignore[var-annotated]
        self.given: List[SharedQuestion] = []

    def send(self, question: SharedQuestion) -> bool:
        self.given.append(question)
        return self.works


def message(
    text: str, intent: str, sender: str = "test-user", channel: str = "webchat", after: str | None = None, **extra
) -> Tracker:
    """The tracker of a message; `after`: the intent of the message before it
    (a yes comes after the "not sure" reply that offered to share)."""
    state = json.loads((TRACKERS / "fixed_reply.json").read_text(encoding="utf-8"))
    state["sender_id"] = sender
    if intent == "share_question" or text.isdecimal():
        after = after or "nlu_fallback"
    if after is not None:
        earlier = {"event": "user", "text": None, "parse_data": {"intent": {"name": after}}, "input_channel": channel}
        state["events"].insert(0, earlier)
    state["latest_message"].update(text=text, intent={"name": intent, "confidence": 0.3}, **extra)
    state["latest_message"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "contact_liaison", "confidence": 0.2},
    ]
    state["events"][-1]["input_channel"] = channel
    return Tracker.from_dict(state)


@pytest.fixture
def sharing():
    pending, inbox = PendingShares(), RecordingInbox()
    make = {
        name: cls(pending=pending, inbox=inbox)
        for name, cls in (
            ("fixed", actions.ActionFixedReply),
            ("share", actions.ActionShareQuestion),
            ("topic", actions.ActionAnswerTopic),
            ("option", actions.ActionChooseOption),
        )
    }
    return make, pending, inbox


def test_not_understood_offers_to_share_the_scrubbed_text_and_yes_passes_exactly_it_on(sharing):
    act, pending, inbox = sharing
    messages, _ = run(act["fixed"], message(QUESTION, "nlu_fallback"))
    store = shared_store().get()
    assert f'"{SCRUBBED}"' in messages[0]["text"] and "Rosalind" not in messages[0]["text"]
    assert messages[0]["buttons"][-1] == {
        "title": store.language("en").messages["share_button"],
        "payload": SHARE_PAYLOAD,
    }
    assert len(pending) == 1 and not inbox.given
    messages, _ = run(act["share"], message(SHARE_PAYLOAD, "share_question"))
    assert inbox.given == [SharedQuestion(SCRUBBED, "en", "webchat", ("contact_liaison",))]
    assert messages[0]["text"] == store.language("en").messages["share_thanks"].format(text=SCRUBBED)
    assert len(pending) == 0


@pytest.mark.parametrize("words", ["no, don't share it", "ok share it with the city", "sí"])
def test_words_read_as_a_yes_are_not_enough_the_offer_is_made_again(sharing, words):
    act, pending, inbox = sharing
    run(act["fixed"], message(QUESTION, "nlu_fallback"))
    messages, _ = run(act["share"], message(words, "share_question"))
    assert not inbox.given and len(pending) == 1
    assert f'"{SCRUBBED}"' in messages[0]["text"] and messages[0]["buttons"][0]["payload"] == SHARE_PAYLOAD


@pytest.mark.parametrize("words", ["Yes, share it", "yes share it!", "Sí, compartirla", "نعم، أريد مشاركته"])
def test_the_buttons_own_words_typed_in_any_language_are_the_yes(sharing, words):
    act, _, inbox = sharing
    run(act["fixed"], message(QUESTION, "nlu_fallback"))
    run(act["share"], message(words, "share_question"))
    assert [q.text for q in inbox.given] == [SCRUBBED]


def test_any_other_message_discards_the_offer(sharing):
    act, pending, inbox = sharing
    run(act["fixed"], message(QUESTION, "nlu_fallback"))
    run(act["topic"], message("will police ask my status", "immigration_status"))
    waiting = pending.take("test-user")  # the question just answered, in case it did not help: not an offer
    assert waiting is not None and not waiting.offered and waiting.question.text == "will police ask my status"
    pending.hold("test-user", waiting.question)
    messages, _ = run(act["share"], message(SHARE_PAYLOAD, "share_question"))
    assert not inbox.given
    assert messages[0]["text"] == shared_store().get().language("en").messages["share_expired"]


def test_the_offer_waits_10_minutes_at_most():
    now = [0.0]
    pending = PendingShares(timer=lambda: now[0])
    pending.offer("someone", SharedQuestion(SCRUBBED, "en", "rest", ()))
    now[0] = 599.0
    assert len(pending) == 1
    now[0] = 600.0
    assert pending.take("someone") is None


def test_a_yes_after_the_conversation_was_forgotten_shares_nothing(sharing):
    # STOP on a phone, /restart: the conversation starts afresh, the offer is void
    act, pending, inbox = sharing
    run(act["fixed"], message(QUESTION, "nlu_fallback"))
    state = message(SHARE_PAYLOAD, "share_question").current_state()
    state["events"] = [
        e for e in state["events"] if e.get("parse_data", {}).get("intent", {}).get("name") != "nlu_fallback"
    ]
    messages, _ = run(act["share"], Tracker.from_dict(state))
    assert not inbox.given
    assert messages[0]["text"] == shared_store().get().language("en").messages["share_expired"]


def test_one_conversations_yes_never_shares_anothers_question(sharing):
    act, _, inbox = sharing
    run(act["fixed"], message(QUESTION, "nlu_fallback", sender="alice"))
    run(act["share"], message(SHARE_PAYLOAD, "share_question", sender="bob"))
    assert not inbox.given


def test_on_a_phone_the_yes_is_the_last_numbered_option(sharing):
    act, _, inbox = sharing
    _, events = run(act["fixed"], message(QUESTION, "nlu_fallback", sender="twilio:x", channel="twilio"))
    options = next(e["value"] for e in events if e.get("name") == "options")
    assert options[-1] == SHARE_PAYLOAD
    number = str(len(options))
    reply = message(
        number,
        "choose_option",
        sender="twilio:x",
        channel="twilio",
        entities=[{"entity": "option_number", "value": number}],
    )
    state = reply.current_state()
    state["slots"]["options"] = options
    run(act["option"], Tracker.from_dict(state))
    assert [q.text for q in inbox.given] == [SCRUBBED]


@pytest.mark.parametrize(
    "text",
    [
        "??",  # too little to read
        "my son Juan",  # nothing left but two words after scrubbing
        "/ask_more",  # a button's payload, not someone's words
    ],
)
def test_nothing_worth_sharing_gets_no_offer(sharing, text):
    act, pending, _ = sharing
    messages, _ = run(act["fixed"], message(text, "nlu_fallback"))
    assert len(pending) == 0 and all(b["payload"] != SHARE_PAYLOAD for b in messages[0].get("buttons") or [])


def test_no_offer_when_sharing_is_off():
    pending = PendingShares()
    action = actions.ActionFixedReply(pending=pending, inbox=ConsoleInbox(ConsoleClient("", "")))
    messages, _ = run(action, message(QUESTION, "nlu_fallback"))
    store = shared_store().get()
    assert len(pending) == 0 and messages[0]["text"] == store.language("en").messages["nlu_fallback"]


def test_when_the_console_cannot_be_reached_nothing_is_kept_and_the_person_is_told():
    pending, inbox = PendingShares(), RecordingInbox(works=False)
    run(actions.ActionFixedReply(pending=pending, inbox=inbox), message(QUESTION, "nlu_fallback"))
    messages, _ = run(
        actions.ActionShareQuestion(pending=pending, inbox=inbox), message(SHARE_PAYLOAD, "share_question")
    )
    assert messages[0]["text"] == shared_store().get().language("en").messages["share_failed"]
    assert len(pending) == 0
