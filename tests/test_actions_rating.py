"""'Did this help?' (issue 29), through the real actions and answer store:
every topic answer asks it (buttons; numbered options on a phone; apart in
the web page's payload), a rating counts once and only for the answer just
sent, and a no offers to share the question that got the answer."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import actions
from policy_assistant.answers import RATING_BUTTONS, SHARE_PAYLOAD
from policy_assistant.live_store import shared_store
from policy_assistant.shared_questions import PendingShares, SharedQuestion
from tests.test_actions import RecordingUsage, run
from tests.test_actions_sharing import RecordingInbox, message

store = shared_store().get()
EN = store.language("en").messages
YES, NO = "/answer_helped", "/answer_not_helped"
ASKED = "will police ask my immigration status at a traffic stop"


@pytest.fixture
def act():
    pending, inbox, usage = PendingShares(), RecordingInbox(), RecordingUsage()
    made = {
        name: cls(pending=pending, inbox=inbox, usage=usage)
        for name, cls in (
            ("topic", actions.ActionAnswerTopic),
            ("rate", actions.ActionRateAnswer),
            ("share", actions.ActionShareQuestion),
            ("option", actions.ActionChooseOption),
            ("language", actions.ActionChangeLanguage),
        )
    }
    return made, pending, inbox, usage


def rated(text: str, intent: str, topic: str | None = "traffic_stops", **kw) -> Tracker:
    state = message(text, intent, **kw).current_state()
    state["slots"]["rated_topic"] = topic
    state["slots"]["last_topic"] = "traffic_stops"
    return Tracker.from_dict(state)


def test_a_topic_answer_asks_whether_it_helped(act):
    a, *_ = act
    messages, events = run(a["topic"], message(ASKED, "traffic_stops", channel="rest"))
    assert messages[0]["text"].endswith(EN["rating_question"])
    assert [b["payload"] for b in messages[0]["buttons"][-2:]] == [YES, NO]
    assert [b["title"] for b in messages[0]["buttons"][-2:]] == [EN["rating_yes"], EN["rating_no"]]
    assert events[0] == SlotSet("rated_topic", None) and events[-1] == SlotSet("rated_topic", "traffic_stops")


def test_the_web_page_gets_the_rating_apart_from_the_related_topics(act):
    a, *_ = act
    messages, _ = run(a["topic"], message(ASKED, "traffic_stops", channel="webchat"))
    payload = messages[0]["custom"]
    assert payload["rating"]["question"] == EN["rating_question"]
    assert [b["payload"] for b in payload["rating"]["buttons"]] == [YES, NO]
    assert payload["buttons"] and all(b["payload"] not in RATING_BUTTONS for b in payload["buttons"])


def test_on_a_phone_the_question_ends_the_answer_and_its_options_are_numbered_last(act):
    a, *_ = act
    messages, events = run(a["topic"], message(ASKED, "traffic_stops", sender="twilio:x", channel="twilio"))
    assert messages[-1]["text"].endswith(EN["rating_question"])
    options = next(e["value"] for e in events if e.get("name") == "options")
    assert options[-2:] == [YES, NO]


@pytest.mark.parametrize("helped", [True, False])
def test_a_rating_counts_once_for_the_answer_just_sent(act, helped):
    a, _, _, usage = act
    payload = YES if helped else NO
    messages, events = run(a["rate"], rated(payload, payload[1:]))
    assert usage.counted == [("helped" if helped else "not_helped", "traffic_stops", "en", "webchat")]
    assert messages[0]["text"] == EN["rating_thanks" if helped else "rating_sorry"]
    assert SlotSet("rated_topic", None) in events and SlotSet("rated_topic", "traffic_stops") not in events
    # said again, or about an older answer: thanked, not counted
    run(a["rate"], rated(payload, payload[1:], topic=None))
    assert len(usage.counted) == 1


def test_a_no_offers_who_to_ask(act):
    a, *_ = act
    messages, _ = run(a["rate"], rated(NO, "answer_not_helped"))
    assert "/contact_liaison" in [b["payload"] for b in messages[0]["buttons"]]


@pytest.mark.parametrize("words", ["Yes, it helped", "sí, me ayudó", "Так, допомогла"])
def test_the_buttons_words_typed_are_the_rating(act, words):
    a, _, _, usage = act
    run(a["topic"], rated(words, "thank"))  # the NLU read it as something else: the words decide
    assert [c[:2] for c in usage.counted] == [("helped", "traffic_stops")]


def test_on_a_phone_the_rating_is_its_number(act):
    a, _, _, usage = act
    _, events = run(a["topic"], message(ASKED, "traffic_stops", sender="twilio:x", channel="twilio"))
    options = next(e["value"] for e in events if e.get("name") == "options")
    number = str(options.index(NO) + 1)
    state = rated(number, "choose_option", sender="twilio:x", channel="twilio",
                  entities=[{"entity": "option_number", "value": number}]).current_state()  # fmt: skip
    state["slots"]["options"] = options
    messages, _ = run(a["option"], Tracker.from_dict(state))
    assert usage.counted[-1] == ("not_helped", "traffic_stops", "en", "twilio")
    assert messages[0]["text"].startswith(EN["rating_sorry"])


def test_a_no_offers_to_share_the_question_that_got_the_answer_and_yes_shares_it(act):
    a, pending, inbox, _ = act
    run(a["topic"], message(ASKED, "traffic_stops"))
    messages, _ = run(a["rate"], rated(NO, "answer_not_helped", after="traffic_stops"))
    assert f'"{ASKED}"' in messages[0]["text"] and messages[0]["buttons"][-1]["payload"] == SHARE_PAYLOAD
    run(a["share"], message(SHARE_PAYLOAD, "share_question", after="answer_not_helped"))
    assert inbox.given == [SharedQuestion(ASKED, "en", "webchat", ("traffic_stops",))]
    assert len(pending) == 0


def test_a_yes_or_another_message_forgets_the_question_answered(act):
    a, pending, inbox, _ = act
    run(a["topic"], message(ASKED, "traffic_stops"))
    run(a["rate"], rated(YES, "answer_helped"))
    assert len(pending) == 0
    run(a["topic"], message(ASKED, "traffic_stops"))
    run(a["topic"], message("and what about at work", "same_question"))
    messages, _ = run(a["rate"], rated(NO, "answer_not_helped", topic=None))
    assert SHARE_PAYLOAD not in [b["payload"] for b in messages[0].get("buttons") or []]
    assert not inbox.given


def test_a_chosen_button_or_number_is_never_held_as_a_question(act):
    a, pending, *_ = act
    run(a["topic"], message("/traffic_stops", "traffic_stops"))
    assert len(pending) == 0


def test_say_that_in_spanish_asks_again_in_spanish(act):
    a, *_ = act
    state = message("say that in Spanish", "change_language").current_state()
    state["slots"]["last_topic"] = "traffic_stops"
    messages, events = run(a["language"], Tracker.from_dict(state))
    assert messages[0]["custom"]["rating"]["question"] == store.language("es").messages["rating_question"]
    assert events[-1] == SlotSet("rated_topic", "traffic_stops")
