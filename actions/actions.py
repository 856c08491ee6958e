"""The Rasa actions. Each one: read the store, pick the language, compose the
reply with policy_assistant.answers, send it, remember language and topic."""
import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_language, latest_intent, remember, send
from actions.store_client import store as live_store
from policy_assistant import answers, language
from policy_assistant.answers import Reply
from policy_assistant.store import DEFAULT_LANGUAGE, StoreError

logger = logging.getLogger(__name__)

FOLLOW_UPS = {"ask_who_said": "who", "ask_when_said": "when", "ask_more": "more"}


class StoreAction(Action, ABC):
    """Loads the store and the language, and answers politely if the store
    cannot be read at all (a broken first load; later broken edits are refused
    by LiveStore and the last good store keeps serving)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            store = live_store.get()
        except StoreError:
            slot = tracker.get_slot("language")
            text = {"es": "Mis respuestas no están disponibles ahora mismo. Inténtelo de nuevo más tarde."}.get(
                slot, "My answers are not available right now. Please try again later.")
            dispatcher.utter_message(text=text)
            return []
        lang = conversation_language(tracker, store)
        reply, events = self.answer(store, tracker, lang)
        send(dispatcher, tracker, reply)
        return events

    @abstractmethod
    def answer(self, store, tracker: Tracker, lang: str):
        """The reply and the events to return."""


class ActionAnswerTopic(StoreAction):
    def name(self) -> Text:
        return "action_answer_topic"

    def answer(self, store, tracker, lang):
        topic = latest_intent(tracker)
        if topic not in store.topics:
            logger.warning("No topic '%s' in the answer store; answering as a fallback", topic)
            return answers.fixed_reply(store, "nlu_fallback", lang), remember(lang)
        return answers.answer_topic(store, topic, lang), remember(lang, topic)


class ActionFollowUp(StoreAction):
    def name(self) -> Text:
        return "action_follow_up"

    def answer(self, store, tracker, lang):
        kind = FOLLOW_UPS.get(latest_intent(tracker), "more")
        return answers.follow_up(store, kind, tracker.get_slot("last_topic"), lang), remember(lang)


class ActionFixedReply(StoreAction):
    def name(self) -> Text:
        return "action_fixed_reply"

    def answer(self, store, tracker, lang):
        return answers.fixed_reply(store, latest_intent(tracker), lang), remember(lang)


class ActionChangeLanguage(StoreAction):
    def name(self) -> Text:
        return "action_change_language"

    def answer(self, store, tracker, lang):
        text = tracker.latest_message.get("text") or ""
        asked = language.requested(text, store.languages)
        if asked is None:  # "another language please": offer the ones we have
            current = tracker.get_slot("language") or DEFAULT_LANGUAGE
            names = ", ".join(l.name for l in store.languages.values())
            return Reply(text=answers.message(store, "language_choices", current).format(names=names)), remember(current)
        reply = Reply(text=answers.message(store, "language_switched", asked), payload={"language": asked})
        return reply, remember(asked)
