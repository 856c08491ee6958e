"""The Rasa actions. Each one: read the store, pick the language, compose the
reply with policy_assistant.answers, send it, remember language and topic."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    chosen_option,
    conversation_language,
    entity_value,
    follow_up_in_context,
    latest_intent,
    offered,
    previous_intent,
    ranked_intents,
    remember,
    send,
)
from policy_assistant import answers, language, phone_messages
from policy_assistant.answers import SHARE_PAYLOAD, Reply
from policy_assistant.live_store import LiveStore, shared_store
from policy_assistant.names import (
    ASK_MORE,
    ASK_WHEN_SAID,
    ASK_WHO_SAID,
    EMERGENCY,
    FOREIGN_LANGUAGE,
    LANGUAGE_SLOT,
    LAST_REPLY_SLOT,
    LAST_TOPIC_SLOT,
    LEGAL_ADVICE,
    NLU_FALLBACK,
    OTHER_PLACE,
    SAME_QUESTION,
    SHARE_QUESTION,
)
from policy_assistant.question_counts import NOT_UNDERSTOOD, QuestionCounts, shared_counts
from policy_assistant.scrub import scrub
from policy_assistant.shared_questions import (
    ConsoleInbox,
    PendingShares,
    SharedQuestion,
    shared_inbox,
    shared_pending,
    worth_offering,
)
from policy_assistant.store import DEFAULT_LANGUAGE, Store, StoreError

logger = logging.getLogger(__name__)

# fixed replies that offer first the topics the question was closest to, and
# how many: "another place"; the emergency reply (which
# nlu_pipeline.gates.UrgencyGate also gives a question that only might be about
# danger now); "I'm not sure I understood" (a situation told in everyday words
# is often between two topics)
OFFER_CLOSEST = {OTHER_PLACE: 1, EMERGENCY: 1, NLU_FALLBACK: answers.MENU_SIZE}
FOLLOW_UPS = {ASK_WHO_SAID: "who", ASK_WHEN_SAID: "when", ASK_MORE: "more"}
# fixed replies that "say that in Spanish" says again (the last answer that
# matters); after small talk it is the last topic's answer that is meant
SAID_AGAIN = {EMERGENCY, OTHER_PLACE, LEGAL_ADVICE}
Events = List[Dict[str, Any]]
# Said when no good store was ever loaded (a broken first load; later broken
# edits are refused by LiveStore and the last good store keeps serving).
NO_STORE = {
    "en": "My answers are not available right now. Please try again later. If anyone is in danger, call 911.",
    "es": "Mis respuestas no están disponibles ahora mismo. Inténtelo de nuevo más tarde. "
    "Si alguien está en peligro, llame al 911.",
    "fr": "Mes réponses ne sont pas disponibles pour le moment. Réessayez plus tard. "
    "Si quelqu'un est en danger, appelez le 911.",
}


class StoreAction(Action, ABC):
    """An action that answers from the answer store. It takes its LiveStore
    (and the question counts) through the constructor (the process's shared
    ones by default), the way rasa_sdk's knowledge-base action takes its
    knowledge base."""

    def __init__(
        self,
        store: LiveStore | None = None,
        counts: QuestionCounts | None = None,
        pending: PendingShares | None = None,
        inbox: ConsoleInbox | None = None,
    ) -> None:
        self.store = store or shared_store()
        self.counts = counts or shared_counts()
        self.pending = pending if pending is not None else shared_pending()  # an empty one is falsy
        self.inbox = inbox if inbox is not None else shared_inbox()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> Events:
        # an offer to share a question lasts one turn: any other message discards it
        offered_question = self.pending.take(tracker.sender_id)
        try:
            store = self.store.get()
        except StoreError:
            slot = tracker.get_slot(LANGUAGE_SLOT)
            dispatcher.utter_message(text=NO_STORE.get(slot, NO_STORE[DEFAULT_LANGUAGE]))
            return []
        lang = conversation_language(tracker, store)
        if self.says_yes_to_sharing(tracker, store):
            # right after the offer, or the offer is void (another message came
            # between, or the conversation was forgotten: STOP, /restart)
            offered_last = previous_intent(tracker) in (NLU_FALLBACK, SHARE_QUESTION)
            question = offered_question if offered_last else None
            reply, events = await self.share(store, question, lang), remember(lang)
        elif offered_question is not None and latest_intent(tracker) == SHARE_QUESTION:
            # words that read like a yes, but not the button's own ("no, don't
            # share it" may read so too): the question waits, and the offer is made again
            self.pending.offer(tracker.sender_id, offered_question)
            reply, events = answers.share_offer(store, offered_question.text, lang), remember(lang)
        else:
            reply, events = self.answer(store, tracker, lang)
        send(dispatcher, tracker, reply, lang, self.phone(store, tracker, lang, reply))
        return events + offered(tracker, reply)

    @abstractmethod
    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        """The reply and the events to return."""

    def says_yes_to_sharing(self, tracker: Tracker, store: Store) -> bool:
        """The message is the explicit yes to the offer to share the last
        question: the button (its payload, or the button's words typed, in
        any language), or on a phone its number. Other words that the NLU
        reads as a yes are not enough."""
        text = (tracker.latest_message.get("text") or "").strip()
        return text == SHARE_PAYLOAD or chosen_option(tracker) == SHARE_PAYLOAD or answers.is_share_button(store, text)

    async def share(self, store: Store, question: SharedQuestion | None, lang: str) -> Reply:
        """Pass the question offered on the last turn to city staff, if it is still here."""
        if question is None:
            return answers.share_outcome(store, "share_expired", lang)
        if not await self.inbox.send_async(question):
            return answers.share_outcome(store, "share_failed", lang)
        return answers.share_outcome(store, "share_thanks", lang, question.text)

    def offer_to_share(self, store: Store, tracker: Tracker, reply: Reply, lang: str, closest: List[str]) -> Reply:
        """`reply` with the offer to share the question with city staff, when
        sharing is on and enough of the question is left after scrubbing; the
        scrubbed text waits in this process's memory for the person's yes."""
        text = tracker.latest_message.get("text") or ""
        if not self.inbox.enabled or text.lstrip().startswith("/"):
            return reply
        scrubbed = scrub(text, known=store.capitalised_words)
        channel = tracker.get_latest_input_channel() or "rest"
        if not worth_offering(scrubbed, channel):
            return reply
        self.pending.offer(tracker.sender_id, SharedQuestion(scrubbed, lang, channel, tuple(closest)))
        return answers.with_share_offer(store, reply, scrubbed, lang)

    def phone(self, store: Store, tracker: Tracker, lang: str, reply: Reply) -> List[str] | None:
        """The reply made for a phone's small screen: by default the text, and
        how to pick one of the options the channel numbers."""
        if not reply.buttons:
            return None
        return [f"{reply.text}\n\n{answers.message(store, 'phone_pick', lang)}"]


def topic_phone_messages(store: Store, reply: Reply, lang: str) -> List[str] | None:
    """A topic answer made for a phone's small screen (None for another reply)."""
    topic = (reply.payload or {}).get("topic")
    return phone_messages.topic_messages(store, topic, lang) if topic in store.topics else None


def follow_up_answer(store: Store, tracker: Tracker, lang: str, kind: str) -> Tuple[Reply, Events]:
    """Who said the last answer, when, or more of it."""
    text = tracker.latest_message.get("text") or ""
    reply = answers.follow_up(store, kind, tracker.get_slot(LAST_TOPIC_SLOT), lang, text=text)
    answered = reply.payload.get("topic") if reply.payload else None  # "when?" with no topic yet
    return reply, remember(lang, answered)


def follow_up_phone(store: Store, tracker: Tracker, lang: str, kind: str) -> List[str] | None:
    """On a phone, "more" gives the summary and the later changes, not every quote."""
    topic = tracker.get_slot(LAST_TOPIC_SLOT)
    if kind != "more" or topic not in store.topics:
        return None
    return phone_messages.details_messages(store, topic, lang)


class ActionAnswerTopic(StoreAction):
    def name(self) -> str:
        return "action_answer_topic"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        follow_up = self.follow_up(tracker)
        if follow_up is not None:  # "who said the 19 out of 23 thing", just after that answer
            return follow_up_answer(store, tracker, lang, follow_up)
        topic = self.topic(tracker)
        if topic is None or topic not in store.topics:
            if topic is not None:  # None: "what about my wife?" before any answer
                logger.warning("No topic '%s' in the answer store; answering as a fallback", topic)
            return answers.fixed_reply(store, NLU_FALLBACK, lang), remember(lang)
        self.counts.count(topic)
        return answers.answer_topic(store, topic, lang), remember(lang, topic)

    def topic(self, tracker: Tracker) -> str | None:
        """The topic asked about: the intent is the topic id (domain.yml), or
        for "what about my wife?" the topic last answered."""
        intent = latest_intent(tracker)
        return tracker.get_slot(LAST_TOPIC_SLOT) if intent == SAME_QUESTION else intent

    def follow_up(self, tracker: Tracker) -> str | None:
        """who, when or more, when the topic asked is the one just answered
        and the message asks about that answer (actions.conversation)."""
        return FOLLOW_UPS.get(follow_up_in_context(tracker) or "")

    def phone(self, store: Store, tracker: Tracker, lang: str, reply: Reply) -> List[str] | None:
        follow_up = self.follow_up(tracker)
        if follow_up is not None:
            return follow_up_phone(store, tracker, lang, follow_up)
        return topic_phone_messages(store, reply, lang)


class ActionChooseOption(ActionAnswerTopic):
    """A number that picks one of the numbered options last offered on a
    phone ("2"): that option's topic, as if its question had been asked. A
    number that picks none gets the "not sure I understood" reply, with
    options to pick from."""

    def name(self) -> str:
        return "action_choose_option"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        if self.topic(tracker) not in store.topics:
            return answers.fixed_reply(store, NLU_FALLBACK, lang), remember(lang)
        return super().answer(store, tracker, lang)

    def topic(self, tracker: Tracker) -> str | None:
        payload = chosen_option(tracker)  # "/topic_id": the buttons' payloads (answers.topic_buttons)
        return payload.lstrip("/") if payload else None


class ActionFollowUp(StoreAction):
    def name(self) -> str:
        return "action_follow_up"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        return follow_up_answer(store, tracker, lang, FOLLOW_UPS.get(latest_intent(tracker) or "", "more"))

    def phone(self, store: Store, tracker: Tracker, lang: str, reply: Reply) -> List[str] | None:
        return follow_up_phone(store, tracker, lang, FOLLOW_UPS.get(latest_intent(tracker) or "", "more"))


class ActionFixedReply(StoreAction):
    def name(self) -> str:
        return "action_fixed_reply"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        intent = latest_intent(tracker) or NLU_FALLBACK
        if intent == NLU_FALLBACK:
            self.counts.count(NOT_UNDERSTOOD)
        closest = [name for name in ranked_intents(tracker) if name in store.topics][: OFFER_CLOSEST.get(intent, 0)]
        reply = answers.fixed_reply(
            store, intent, lang, foreign=entity_value(tracker, FOREIGN_LANGUAGE), closest=closest
        )
        if intent == NLU_FALLBACK:
            reply = self.offer_to_share(store, tracker, reply, lang, closest)
        return reply, remember(lang) + ([SlotSet(LAST_REPLY_SLOT, intent)] if intent in SAID_AGAIN else [])


class ActionChangeLanguage(StoreAction):
    def name(self) -> str:
        return "action_change_language"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        text = tracker.latest_message.get("text") or ""
        asked = language.requested(text, store.languages)
        if asked is None:  # "another language please": offer the ones we have
            current = tracker.get_slot(LANGUAGE_SLOT) or DEFAULT_LANGUAGE
            choices = answers.message(store, "language_choices", current).format(names=answers.spoken_names(store))
            return Reply(text=choices), remember(current)
        fixed = tracker.get_slot(LAST_REPLY_SLOT)
        fixed = fixed if fixed in SAID_AGAIN else None
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        reply = answers.language_switched(store, asked, topic, fixed)
        return reply, remember(asked, topic if fixed is None and topic in store.topics else None)

    def phone(self, store: Store, tracker: Tracker, lang: str, reply: Reply) -> List[str] | None:
        # the last answer again, as a phone got it the first time
        return topic_phone_messages(store, reply, lang)


class ActionShareQuestion(StoreAction):
    """The yes to sharing the last question (a button's /share_question, or
    "yes, share it"): StoreAction.run passes it on; said with no question
    offered, it is the share_expired reply."""

    def name(self) -> str:
        return "action_share_question"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        # reached only when the message was not read as a yes (StoreAction.run)
        return answers.fixed_reply(store, NLU_FALLBACK, lang), remember(lang)
