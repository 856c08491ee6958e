"""Reading the conversation and sending replies: the small glue between the
Rasa SDK and the plain Python in policy_assistant/."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from policy_assistant import answers, context, language
from policy_assistant.answers import Reply
from policy_assistant.names import (
    LANGUAGE_SLOT,
    LAST_REPLY_SLOT,
    LAST_TOPIC_SLOT,
    OPTION_NUMBER,
    OPTIONS_SLOT,
    PHONE_CHANNEL,
    WEBCHAT_CHANNEL,
)
from policy_assistant.store import Store


def user_metadata(tracker: Tracker) -> Dict[str, Any]:
    event = tracker.get_last_event_for("user") or {}
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def latest_intent(tracker: Tracker) -> str | None:
    """The intent NLU predicted, nlu_fallback included (the SDK's
    get_intent_of_latest_message would skip past nlu_fallback and guess)."""
    name = (tracker.latest_message.get("intent") or {}).get("name")
    return name if isinstance(name, str) else None


def previous_intent(tracker: Tracker) -> str | None:
    """The intent of the message before the latest one, as the conversation
    keeps it (intents, never words); None at a conversation's start or after
    it was forgotten (STOP, /restart)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    name = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") if len(users) > 1 else None
    return name if isinstance(name, str) else None


def entity_value(tracker: Tracker, name: str) -> str | None:
    """The value of the latest message's first entity called `name`."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def intent_confidences(tracker: Tracker) -> Dict[str, float]:
    """The latest message's intents and their confidences, best first
    (policy_assistant.context.ranked_confidences)."""
    return context.ranked_confidences(tracker.latest_message.get("intent_ranking"))


def ranked_intents(tracker: Tracker) -> List[str]:
    """The latest message's intents, best first."""
    return list(intent_confidences(tracker))


def topic_in_context(tracker: Tracker) -> str | None:
    """The topic the latest message asks about, in the light of the topic last
    answered (policy_assistant.context.topic_asked)."""
    return context.topic_asked(latest_intent(tracker), intent_confidences(tracker), tracker.get_slot(LAST_TOPIC_SLOT))


def follow_up_in_context(tracker: Tracker) -> str | None:
    """The follow-up intent (who, when, more) a message the NLU read as the
    topic just answered asks about that answer (policy_assistant.context)."""
    last_topic = tracker.get_slot(LAST_TOPIC_SLOT)
    return context.follow_up_meant(latest_intent(tracker), intent_confidences(tracker), last_topic)


def asks_a_question(tracker: Tracker, store: Store) -> bool:
    return language.is_question(latest_intent(tracker), store.topics)


def conversation_language(tracker: Tracker, store: Store) -> str:
    return language.choose(
        tracker.latest_message.get("text") or "",
        store.languages,
        slot=tracker.get_slot(LANGUAGE_SLOT),
        metadata=user_metadata(tracker),
        question=asks_a_question(tracker, store),
    )


def send(
    dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply, lang: str, phone: List[str] | None = None
) -> None:
    """Text (with buttons) for every text channel, then the structured payload.
    The web page draws a topic payload itself, so it gets that payload alone;
    with any other reply it gets the reply's language (`lang`), so that the page
    takes the language it was answered in. A phone gets `phone`, its own
    messages for a small screen, when there are any, with the buttons on the
    last one (the channel numbers them)."""
    channel = tracker.get_latest_input_channel()
    if channel == PHONE_CHANNEL:
        texts = phone or [reply.text]
        for text in texts[:-1]:
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(text=texts[-1], buttons=reply.buttons or None)
        return
    if channel == WEBCHAT_CHANNEL:
        if reply.payload and "topic" in reply.payload:
            dispatcher.utter_message(json_message=answers.web_message(reply))
        else:
            payload = {"lang": lang, **(reply.payload or {})}  # as a topic payload names its language
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=payload)
        return
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
    if reply.payload is not None:
        dispatcher.utter_message(json_message=reply.payload)


def offered(tracker: Tracker, reply: Reply) -> List[Dict[str, Any]]:
    """On a phone, remember the numbered options offered, so that a reply of
    "1" picks the first (chosen_option reads them)."""
    if tracker.get_latest_input_channel() != PHONE_CHANNEL:
        return []
    return [SlotSet(OPTIONS_SLOT, [b["payload"] for b in reply.buttons])]


def chosen_option(tracker: Tracker) -> str | None:
    """The payload ("/topic_id") of the numbered option the latest message
    picks (its entity OPTION_NUMBER, from nlu_pipeline/reply_words.py), if
    one with that number was offered."""
    number = entity_value(tracker, OPTION_NUMBER)
    options = tracker.get_slot(OPTIONS_SLOT) or []
    if number is None or not number.isdecimal() or not 1 <= int(number) <= len(options):
        return None
    return str(options[int(number) - 1])


def remember(lang: str, topic: str | None = None) -> List[Dict[str, Any]]:
    """The conversation's language, and the topic just answered: a topic
    answer is then the last answer, so no fixed reply is to be said again."""
    events = [SlotSet(LANGUAGE_SLOT, lang)]
    if topic:
        events += [SlotSet(LAST_TOPIC_SLOT, topic), SlotSet(LAST_REPLY_SLOT, None)]
    return events
