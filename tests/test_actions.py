"""The custom actions, run through the real Rasa SDK (Tracker, dispatcher) on
the real answer store. Trackers are built with Tracker.from_dict from the small
JSON files in tests/fixtures/trackers/, the shape the Rasa server sends."""

import asyncio
import json
from typing import Any, Dict, List, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from devtools.paths import PROJECT
from policy_assistant import answers, phone_messages
from policy_assistant.console_client import ConsoleClient
from policy_assistant.live_store import LiveStore, shared_store
from policy_assistant.usage_counts import UsageCounts

TRACKERS = PROJECT / "tests" / "fixtures" / "trackers"


class RecordingUsage(UsageCounts):
    """The usage counts, as the actions see them: what was counted (sent nowhere)."""

    def __init__(self) -> None:
        super().__init__(ConsoleClient("", ""))
        self.counted: List[Tuple[str, str, str, str | None]] = []

    def count(self, kind: str, topic: str, lang: str, channel: str | None) -> None:
        self.counted.append((kind, topic, lang, channel))


def tracker(
    name: str,
    intent: str | None = None,
    slots: Dict[str, Any] | None = None,
    ranking: Dict[str, float] | None = None,
) -> Tracker:
    """The tracker of tests/fixtures/trackers/<name>.json, optionally with
    another intent, more slots or the NLU's intent ranking."""
    state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
    if intent is not None:
        state["latest_message"]["intent"]["name"] = intent
    if ranking is not None:
        state["latest_message"]["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking.items()]
    state["slots"].update(slots or {})
    return Tracker.from_dict(state)


def run(action: actions.StoreAction, t: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_topic_answer_sends_text_buttons_and_payload_and_remembers():
    messages, events = run(actions.ActionAnswerTopic(), tracker("status_en"))
    text, payload = messages[0], messages[1]["custom"]
    assert "Policies change" in text["text"] and text["buttons"]
    assert payload["topic"] == "immigration_status" and payload["lang"] == "en"
    assert SlotSet("last_topic", "immigration_status") in events and SlotSet("language", "en") in events


def test_topic_answer_in_spanish_from_the_message_itself():
    messages, events = run(actions.ActionAnswerTopic(), tracker("status_es"))
    assert messages[1]["custom"]["lang"] == "es"
    assert SlotSet("language", "es") in events


def test_page_language_choice_comes_from_metadata():
    messages, _ = run(actions.ActionAnswerTopic(), tracker("status_en_page_es"))
    assert messages[1]["custom"]["lang"] == "es"


def test_webchat_gets_the_payload_alone_with_its_buttons():
    messages, _ = run(actions.ActionAnswerTopic(), tracker("home_webchat"))
    assert len(messages) == 1 and messages[0]["custom"]["topic"] == "home_visits"
    assert messages[0]["custom"]["buttons"][0]["payload"].startswith("/")


def test_follow_up_uses_last_topic_slot():
    messages, _ = run(actions.ActionFollowUp(), tracker("who_said_after_home"))
    assert "Steve Conrad" in messages[0]["text"]


@pytest.mark.parametrize("channel_tracker", ["status_en", "more_es_phone"])
def test_the_topic_just_answered_asked_again_with_a_who_said_in_it_gets_who_said(channel_tracker):
    # "who said the 19 out of 23 thing", read as the topic again, with
    # ask_who_said also seen in it (policy_assistant.context)
    slots = {"last_topic": "home_visits"}
    ranking = {"home_visits": 0.8, "ask_who_said": 0.14, "ask_when_said": 0.01}
    messages, events = run(actions.ActionAnswerTopic(), tracker(channel_tracker, "home_visits", slots, ranking))
    assert "Steve Conrad" in messages[0]["text"]
    assert not any(m.get("custom", {}).get("topic") for m in messages)  # not the topic's answer again
    # below the threshold, or about another topic: the topic's answer
    ranking = {"home_visits": 0.95, "ask_who_said": 0.03}
    messages, _ = run(actions.ActionAnswerTopic(), tracker("status_en", "home_visits", slots, ranking))
    assert messages[1]["custom"]["topic"] == "home_visits"
    ranking = {"traffic_stops": 0.8, "ask_who_said": 0.14}
    messages, _ = run(actions.ActionAnswerTopic(), tracker("status_en", "traffic_stops", slots, ranking))
    assert messages[1]["custom"]["topic"] == "traffic_stops"


def test_more_read_in_context_on_a_phone_gets_the_details_messages():
    slots = {"last_topic": "home_visits"}
    ranking = {"home_visits": 0.7, "ask_more": 0.25}
    messages, _ = run(actions.ActionAnswerTopic(), tracker("more_es_phone", "home_visits", slots, ranking))
    store = shared_store().get()
    assert [m["text"] for m in messages] == phone_messages.details_messages(store, "home_visits", "es")


def test_a_number_answers_the_option_it_names_in_the_conversations_language():
    messages, events = run(actions.ActionChooseOption(), tracker("option_phone"))
    store = shared_store().get()
    assert messages[0]["text"] == phone_messages.topic_messages(store, "traffic_stops", "es")[0]
    assert SlotSet("last_topic", "traffic_stops") in events and SlotSet("language", "es") in events
    # the new answer's related questions are the options now, then "did this help?"
    related = [f"/{t}" for t in store.topics["traffic_stops"].related]
    assert SlotSet("options", [*related, "/answer_helped", "/answer_not_helped"]) in events


@pytest.mark.parametrize("number", ["3", "0"])
def test_a_number_that_names_no_option_gets_the_fallback_with_options_and_no_topic(number):
    t = tracker("option_phone")
    t.latest_message["entities"][0]["value"] = number
    messages, events = run(actions.ActionChooseOption(), t)
    assert messages[-1]["text"].startswith(shared_store().get().language("es").messages["nlu_fallback"])
    assert messages[-1]["buttons"] and not any(m.get("custom") for m in messages)
    assert not any(e.get("name") == "last_topic" for e in events)


def test_a_number_without_options_offered_gets_the_fallback():
    t = tracker("option_phone", slots={"options": None})
    messages, events = run(actions.ActionChooseOption(), t)
    assert messages[0]["text"].startswith(shared_store().get().language("es").messages["nlu_fallback"])
    assert not any(e.get("name") == "last_topic" for e in events)


def test_a_reply_word_answers_in_its_own_language():
    """MÁS in a conversation held in English: the details, in Spanish."""
    messages, events = run(actions.ActionFollowUp(), tracker("more_es_phone"))
    store = shared_store().get()
    assert messages[0]["text"] == phone_messages.details_messages(store, "home_visits", "es")[0]
    assert SlotSet("language", "es") in events


@pytest.mark.parametrize(
    "intent",
    [
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "ask_capabilities",
        "out_of_scope",
        "legal_advice",
        "emergency",
        "nlu_fallback",
    ],
)
def test_fixed_replies_never_carry_a_topic(intent):
    messages, _ = run(actions.ActionFixedReply(), tracker("fixed_reply", intent=intent))
    assert messages and not any(m.get("custom") for m in messages)


@pytest.mark.parametrize(
    "intent,first",
    [
        ("emergency", ["traffic_stops", "home_visits", "jail_and_detainers"]),  # 911, then the topic asked about
        ("other_place", ["traffic_stops", "immigration_status"]),
        ("nlu_fallback", ["traffic_stops", "dangerous_situations", "city_response"]),  # the three closest alone
        ("legal_advice", ["contact_liaison", "sources_and_dates"]),  # its own buttons, whatever the ranking
    ],
)
def test_some_fixed_replies_offer_the_closest_topics_first(intent, first):
    t = tracker("fixed_reply", intent=intent)
    t.latest_message["intent_ranking"] = [
        {"name": intent, "confidence": 1.0},
        {"name": "traffic_stops", "confidence": 0.35},
        {"name": "greet", "confidence": 0.3},  # not a topic: never a button
        {"name": "dangerous_situations", "confidence": 0.2},
        {"name": "city_response", "confidence": 0.1},
    ]
    messages, _ = run(actions.ActionFixedReply(), t)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[: len(first)] == [f"/{topic}" for topic in first] and len(payloads) == len(set(payloads))
    if intent == "nlu_fallback":  # a menu of the closest topics only (answers.MENU_SIZE)
        assert payloads == [f"/{topic}" for topic in first]
    else:  # beyond the closest that the reply offers, none of the ranking
        assert "/city_response" not in payloads


def test_change_language_with_no_answer_yet_switches_and_says_so():
    messages, events = run(actions.ActionChangeLanguage(), tracker("switch_to_es"))
    assert messages[0]["text"] == "Desde ahora le respondo en español."
    assert messages[1]["custom"] == {"language": "es"}
    assert SlotSet("language", "es") in events


def test_say_that_in_spanish_repeats_the_last_answer_in_spanish_and_tells_the_page():
    messages, events = run(actions.ActionChangeLanguage(), tracker("switch_to_es", slots={"last_topic": "home_visits"}))
    store = shared_store().get()
    first = messages[0]["text"]
    assert first.startswith(store.topics["home_visits"].title.text("es")) and messages[0]["buttons"]
    payload = messages[1]["custom"]
    assert (payload["topic"], payload["lang"], payload["language"]) == ("home_visits", "es", "es")
    assert SlotSet("language", "es") in events and SlotSet("last_topic", "home_visits") in events


def test_say_that_in_spanish_after_the_emergency_reply_says_the_emergency_reply_again():
    from policy_assistant.answers import fixed_reply

    _, events = run(actions.ActionFixedReply(), tracker("status_en", intent="emergency"))
    assert SlotSet("last_reply", "emergency") in events
    t = tracker("switch_to_es", slots={"last_topic": "home_visits", "last_reply": "emergency"})
    messages, events = run(actions.ActionChangeLanguage(), t)
    assert messages[0]["text"] == fixed_reply(shared_store().get(), "emergency", "es").text
    # small talk leaves it; a topic answer is then the last answer
    _, events = run(actions.ActionFixedReply(), tracker("status_en", intent="thank"))
    assert not any(e.get("name") == "last_reply" for e in events)
    _, events = run(actions.ActionAnswerTopic(), tracker("status_en"))
    assert SlotSet("last_reply", None) in events


def test_say_that_in_spanish_on_a_phone_gets_the_answer_as_a_phone_got_it():
    t = tracker("switch_to_es", slots={"last_topic": "home_visits"})
    t.events[-1]["input_channel"] = "twilio"
    messages, _ = run(actions.ActionChangeLanguage(), t)
    store = shared_store().get()
    *first, last = phone_messages.topic_messages(store, "home_visits", "es")
    asked = store.language("es").messages["rating_question"]
    assert [m["text"] for m in messages] == [*first, f"{last}\n\n{asked}"]


def said(text: str, intent: str, slots: Dict[str, Any] | None = None) -> Tracker:
    """A message in a conversation in English, as the NLU read it."""
    t = tracker("switch_to_es", intent=intent, slots={"language": "en", **(slots or {})})
    t.latest_message["text"] = t.events[-1]["text"] = text
    return t


def test_a_language_named_in_a_question_leaves_the_answer_in_the_language_it_is_written_in():
    text = "la policía me habló en inglés y no entendí nada, ¿me pueden preguntar por mis papeles?"
    messages, events = run(actions.ActionAnswerTopic(), said(text, "traffic_stops"))
    assert messages[1]["custom"]["topic"] == "traffic_stops" and messages[1]["custom"]["lang"] == "es"
    assert SlotSet("language", "es") in events
    messages, events = run(actions.ActionFixedReply(), said(text, "nlu_fallback"))
    assert SlotSet("language", "es") in events


def test_a_request_with_a_greeting_is_still_a_request():
    _, events = run(actions.ActionFixedReply(), said("hola, por favor respóndame en inglés", "greet"))
    assert SlotSet("language", "en") in events


def test_i_do_not_speak_english_offers_the_languages_in_the_language_it_is_written_in():
    messages, events = run(actions.ActionChangeLanguage(), said("no hablo inglés", "change_language"))
    assert messages[0]["text"].startswith("Puedo responder en:")
    assert SlotSet("language", "es") in events


def test_what_about_my_wife_answers_the_last_topic_again():
    t = tracker("status_en", intent="same_question", slots={"last_topic": "home_visits"})
    messages, events = run(actions.ActionAnswerTopic(), t)
    assert messages[1]["custom"]["topic"] == "home_visits" and messages[1]["custom"]["lang"] == "en"
    assert SlotSet("last_topic", "home_visits") in events


def test_what_about_my_wife_before_any_answer_is_not_understood_and_offers_topics():
    messages, events = run(actions.ActionAnswerTopic(), tracker("status_en", intent="same_question"))
    assert not any(m.get("custom") for m in messages) and messages[0]["buttons"]
    assert not any(e.get("name") == "last_topic" for e in events)


def test_an_unsure_follow_up_that_reads_likeliest_as_the_last_topic_goes_on_with_it():
    # "what if they have a warrant signed by a judge?" just after the answer about when police help ICE
    ranking = {"nlu_fallback": 0.4, "when_police_help_ice": 0.36, "same_question": 0.25, "legal_advice": 0.1}
    t = tracker("fixed_reply", intent="nlu_fallback", slots={"last_topic": "when_police_help_ice"}, ranking=ranking)
    usage = RecordingUsage()
    messages, events = run(actions.ActionFixedReply(usage=usage), t)
    assert messages[1]["custom"]["topic"] == "when_police_help_ice"
    assert SlotSet("last_topic", "when_police_help_ice") in events
    assert [c[:2] for c in usage.counted] == [("asked", "when_police_help_ice")]  # an answer, not a "not understood"


def test_an_unsure_question_about_the_answer_just_given_gets_that_follow_up():
    # "ok, and when was the part about traffic stops said?" just after that answer, read unsure
    ranking = {"nlu_fallback": 0.4, "ask_when_said": 0.405, "traffic_stops": 0.35, "ask_who_said": 0.1}
    t = tracker("fixed_reply", intent="nlu_fallback", slots={"last_topic": "traffic_stops"}, ranking=ranking)
    usage = RecordingUsage()
    messages, events = run(actions.ActionFixedReply(usage=usage), t)
    expected = answers.follow_up(shared_store().get(), "when", "traffic_stops", "en")
    assert messages[0]["text"] == expected.text
    assert not any(e.get("name") == "last_topic" for e in events)  # the topic stays the one answered
    assert usage.counted == []  # a follow-up, not a "not understood"


@pytest.mark.parametrize("kind, intent", [("when", "ask_when_said"), ("more", "ask_more")])
def test_an_unsure_question_about_the_answer_on_a_phone_gets_what_action_follow_up_sends(kind, intent):
    ranking = {"nlu_fallback": 0.4, intent: 0.405, "traffic_stops": 0.35}
    unsure = tracker("fixed_reply", intent="nlu_fallback", slots={"last_topic": "traffic_stops"}, ranking=ranking)
    sure = tracker("fixed_reply", intent=intent, slots={"last_topic": "traffic_stops"})
    for t in (unsure, sure):
        t.events[-1]["input_channel"] = "twilio"
    got, _ = run(actions.ActionFixedReply(), unsure)
    expected, _ = run(actions.ActionFollowUp(), sure)
    assert [(m["text"], m.get("buttons")) for m in got] == [(m["text"], m.get("buttons")) for m in expected]
    if kind == "more":  # the details made for a phone, not the web's text
        assert len(got) > 1


def test_an_unsure_message_that_reads_likeliest_as_another_topic_is_still_not_understood():
    ranking = {"nlu_fallback": 0.4, "traffic_stops": 0.38, "when_police_help_ice": 0.3}
    t = tracker("fixed_reply", intent="nlu_fallback", slots={"last_topic": "when_police_help_ice"}, ranking=ranking)
    messages, events = run(actions.ActionFixedReply(), t)
    assert not any(m.get("custom") for m in messages)
    assert messages[0]["text"].startswith(shared_store().get().language("en").messages["nlu_fallback"])
    assert not any(e.get("name") == "last_topic" and e.get("value") for e in events)


def test_unknown_topic_intent_gets_the_fallback_not_an_invention():
    messages, events = run(actions.ActionAnswerTopic(), tracker("unknown_topic"))
    assert not any(m.get("custom") for m in messages)
    assert not any(e.get("name") == "last_topic" for e in events)


def test_store_that_cannot_load_gets_a_polite_message(tmp_path):
    action = actions.ActionAnswerTopic(store=LiveStore(tmp_path / "nothing-here"))
    messages, events = run(action, tracker("status_es_slot"))
    assert messages[0]["text"].startswith("Mis respuestas no están disponibles") and events == []
    assert "911" in messages[0]["text"]
    assert shared_store().get()  # the shared one is untouched


def test_actions_default_to_the_process_store():
    assert actions.ActionAnswerTopic().store is shared_store()


def test_answers_and_fallbacks_are_counted_with_nothing_else():
    usage = RecordingUsage()
    run(actions.ActionAnswerTopic(usage=usage), tracker("status_en"))
    run(actions.ActionAnswerTopic(usage=usage), tracker("status_es"))
    run(actions.ActionAnswerTopic(usage=usage), tracker("home_webchat"))
    run(actions.ActionFixedReply(usage=usage), tracker("fixed_reply", intent="nlu_fallback"))
    run(actions.ActionFixedReply(usage=usage), tracker("fixed_reply", intent="greet"))
    assert usage.counted == [
        ("asked", "immigration_status", "en", "rest"),
        ("asked", "immigration_status", "es", "rest"),
        ("asked", "home_visits", "en", "webchat"),
        ("asked", "(not understood)", "en", "rest"),
    ]
