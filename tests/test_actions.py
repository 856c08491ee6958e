"""The custom actions, run through the real Rasa SDK (Tracker, dispatcher) on
the real answer store."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from actions.store_client import store as live_store


def tracker(text, intent, slots=None, metadata=None, channel="rest"):
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}},
            "input_channel": channel, "metadata": metadata or {}}
    return Tracker("test-user", slots or {}, {"text": text, "intent": {"name": intent, "confidence": 0.9},
                                            "entities": []},
                   [user], False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_topic_answer_sends_text_buttons_and_payload_and_remembers():
    messages, events = run(actions.ActionAnswerTopic(), tracker("will police ask my status", "immigration_status"))
    text, payload = messages[0], messages[1]["custom"]
    assert "Policies change" in text["text"] and text["buttons"]
    assert payload["topic"] == "immigration_status" and payload["lang"] == "en"
    assert SlotSet("last_topic", "immigration_status") in events and SlotSet("language", "en") in events


def test_topic_answer_in_spanish_from_the_message_itself():
    messages, events = run(actions.ActionAnswerTopic(),
                           tracker("la policia me va a preguntar por mis papeles", "immigration_status"))
    assert messages[1]["custom"]["lang"] == "es"
    assert SlotSet("language", "es") in events


def test_page_language_choice_comes_from_metadata():
    messages, _ = run(actions.ActionAnswerTopic(),
                      tracker("will police ask my status", "immigration_status", metadata={"lang": "es"}))
    assert messages[1]["custom"]["lang"] == "es"


def test_webchat_gets_the_payload_alone_with_its_buttons():
    messages, _ = run(actions.ActionAnswerTopic(), tracker("home", "home_visits", channel="webchat"))
    assert len(messages) == 1 and messages[0]["custom"]["topic"] == "home_visits"
    assert messages[0]["custom"]["buttons"][0]["payload"].startswith("/")


def test_follow_up_uses_last_topic_slot():
    messages, _ = run(actions.ActionFollowUp(), tracker("who said that", "ask_who_said", {"last_topic": "home_visits"}))
    assert "Steve Conrad" in messages[0]["text"]


@pytest.mark.parametrize("intent", ["greet", "goodbye", "thank", "bot_challenge", "ask_capabilities",
                                    "out_of_scope", "legal_advice", "emergency", "nlu_fallback"])
def test_fixed_replies_never_carry_a_topic(intent):
    messages, _ = run(actions.ActionFixedReply(), tracker("...", intent, {"language": "en"}))
    assert messages and not any(m.get("custom") for m in messages)


def test_change_language_switches_and_tells_the_page():
    messages, events = run(actions.ActionChangeLanguage(), tracker("en español por favor", "change_language",
                                                                   {"language": "en"}))
    assert messages[0]["text"] == "Desde ahora le respondo en español."
    assert messages[1]["custom"] == {"language": "es"}
    assert SlotSet("language", "es") in events


def test_unknown_topic_intent_gets_the_fallback_not_an_invention():
    messages, events = run(actions.ActionAnswerTopic(), tracker("???", "not_a_topic", {"language": "en"}))
    assert not any(m.get("custom") for m in messages)
    assert not any(e.get("name") == "last_topic" for e in events)


def test_store_that_cannot_load_gets_a_polite_message(monkeypatch, tmp_path):
    from policy_assistant.live_store import LiveStore

    monkeypatch.setattr(actions, "live_store", LiveStore(tmp_path / "nothing-here"))
    messages, events = run(actions.ActionAnswerTopic(), tracker("status?", "immigration_status", {"language": "es"}))
    assert messages[0]["text"].startswith("Mis respuestas no están disponibles") and events == []
    assert live_store.get()  # the real one is untouched
