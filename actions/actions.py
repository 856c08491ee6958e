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
    asks_a_question,
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
    topic_in_context,
)
from policy_assistant import answers, language, phone_messages
from policy_assistant.answers import SHARE_PAYLOAD, Reply
from policy_assistant.live_store import LiveStore, shared_store
from policy_assistant.names import (
    ANSWER_HELPED,
    ANSWER_NOT_HELPED,
    ASK_MORE,
    ASK_WHEN_SAID,
    ASK_WHO_SAID,
    CHOOSE_OPTION,
    EMERGENCY,
    FOREIGN_LANGUAGE,
    LANGUAGE_SLOT,
    LAST_REPLY_SLOT,
    LAST_TOPIC_SLOT,
    LEGAL_ADVICE,
    NLU_FALLBACK,
    OTHER_PLACE,
    RATED_TOPIC_SLOT,
    SHARE_QUESTION,
)
from policy_assistant.scrub import scrub
from policy_assistant.shared_questions import (
    ConsoleInbox,
    Pending,
    PendingShares,
    SharedQuestion,
    shared_inbox,
    shared_pending,
    worth_offering,
)
from policy_assistant.store import DEFAULT_LANGUAGE, Store, StoreError
from policy_assistant.usage_counts import ASKED, HELPED, NOT_HELPED, NOT_UNDERSTOOD, UsageCounts, shared_usage

logger = logging.getLogger(__name__)

FOLLOW_UPS = {ASK_WHO_SAID: "who", ASK_WHEN_SAID: "when", ASK_MORE: "more"}
# fixed replies that "say that in Spanish" says again (the last answer that
# matters); after small talk it is the last topic's answer that is meant
SAID_AGAIN = {EMERGENCY, OTHER_PLACE, LEGAL_ADVICE}
# the intents of the message before a yes to sharing, when the offer was made
# just before it: not understood, a yes re-offered, an answer that did not
# help (on a phone, its number)
OFFERED_AFTER = {NLU_FALLBACK, SHARE_QUESTION, ANSWER_NOT_HELPED, CHOOSE_OPTION}
RATINGS = {ANSWER_HELPED: True, ANSWER_NOT_HELPED: False}
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
    (and the usage counts, the questions waiting and the console's inbox)
    through the constructor (the process's shared ones by default), the way
    rasa_sdk's knowledge-base action takes its knowledge base."""

    def __init__(
        self,
        store: LiveStore | None = None,
        usage: UsageCounts | None = None,
        pending: PendingShares | None = None,
        inbox: ConsoleInbox | None = None,
    ) -> None:
        self.store = store or shared_store()
        self.usage = usage or shared_usage()
        self.pending = pending if pending is not None else shared_pending()  # an empty one is falsy
        self.inbox = inbox if inbox is not None else shared_inbox()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> Events:
        # what waits for this conversation (an offer to share a question, or
        # the question just answered) lasts one turn: any other message discards it
        waiting = self.pending.take(tracker.sender_id)
        offered_question = waiting.question if waiting is not None and waiting.offered else None
        try:
            store = self.store.get()
        except StoreError:
            slot = tracker.get_slot(LANGUAGE_SLOT)
            dispatcher.utter_message(text=NO_STORE.get(slot, NO_STORE[DEFAULT_LANGUAGE]))
            return []
        lang = conversation_language(tracker, store)
        button = self.button(tracker, store)
        rating = (button or "").lstrip("/") if button in answers.RATING_BUTTONS else latest_intent(tracker)
        if button == SHARE_PAYLOAD:
            # right after the offer, or the offer is void (another message came
            # between, or the conversation was forgotten: STOP, /restart)
            offered_last = previous_intent(tracker) in OFFERED_AFTER
            question = offered_question if offered_last else None
            reply, events = await self.share(store, question, lang), remember(lang)
        elif offered_question is not None and latest_intent(tracker) == SHARE_QUESTION:
            # words that read like a yes, but not the button's own ("no, don't
            # share it" may read so too): the question waits, and the offer is made again
            self.pending.offer(tracker.sender_id, offered_question)
            reply, events = answers.share_offer(store, offered_question.text, lang), remember(lang)
        elif rating in RATINGS:
            reply, events = self.rate(store, tracker, lang, RATINGS[rating], waiting), remember(lang)
        else:
            reply, events = self.answer(store, tracker, lang)
        send(dispatcher, tracker, reply, lang, self.phone(store, tracker, lang, reply))
        # "did this help?" is about the answer just sent, and only until the next message
        return [SlotSet(RATED_TOPIC_SLOT, None), *events, *offered(tracker, reply)]

    @abstractmethod
    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        """The reply and the events to return."""

    def button(self, tracker: Tracker, store: Store) -> str | None:
        """The payload of the share or rating button the message is: the
        payload itself, the button's words typed (in any language), or on a
        phone its number. For the yes to sharing, other words that the NLU
        reads as a yes are not enough."""
        text = (tracker.latest_message.get("text") or "").strip()
        if text in answers.TYPED_BUTTONS:
            return text
        chosen = chosen_option(tracker)
        return chosen if chosen in answers.TYPED_BUTTONS else answers.typed_button(store, text)

    def rate(self, store: Store, tracker: Tracker, lang: str, helped: bool, waiting: Pending | None) -> Reply:
        """ "Did this help?" answered: counted for the answer just sent (once,
        and only for that one); after a no, the question that got it is
        offered to share with city staff, when it waits here."""
        topic = tracker.get_slot(RATED_TOPIC_SLOT)
        reply = answers.rating_reply(store, helped, lang)
        if topic not in store.topics:  # asked about an older answer, or said twice
            return reply
        self.usage.count(HELPED if helped else NOT_HELPED, topic, lang, tracker.get_latest_input_channel())
        if helped or waiting is None or waiting.offered:
            return reply
        self.pending.offer(tracker.sender_id, waiting.question)
        return answers.with_share_offer(store, reply, waiting.question.text, lang)

    def ask_if_helped(
        self, store: Store, tracker: Tracker, reply: Reply, topic: str, lang: str
    ) -> Tuple[Reply, Events]:
        """A topic answer with "did this help?"; with sharing on, the question
        that got it waits in this process's memory for one turn, scrubbed, in
        case the person says no (then it is offered)."""
        text = tracker.latest_message.get("text") or ""
        channel = tracker.get_latest_input_channel() or "rest"
        if self.inbox.enabled and not text.lstrip().startswith("/") and latest_intent(tracker) != CHOOSE_OPTION:
            scrubbed = scrub(text, known=store.capitalised_words)
            if worth_offering(scrubbed, channel):
                self.pending.hold(tracker.sender_id, SharedQuestion(scrubbed, lang, channel, (topic,)))
        return answers.with_rating(store, reply, lang), [SlotSet(RATED_TOPIC_SLOT, topic)]

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
    """A topic answer made for a phone's small screen (None for another
    reply), asking last whether it helped when the reply does (its numbered
    options follow)."""
    payload = reply.payload or {}
    if payload.get("topic") not in store.topics:
        return None
    texts = phone_messages.topic_messages(store, payload["topic"], lang)
    if "rating" in payload:
        texts[-1] = f"{texts[-1]}\n\n{payload['rating']['question']}"
    return texts


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
        self.usage.count(ASKED, topic, lang, tracker.get_latest_input_channel())
        reply, asked = self.ask_if_helped(store, tracker, answers.answer_topic(store, topic, lang), topic, lang)
        return reply, remember(lang, topic) + asked

    def topic(self, tracker: Tracker) -> str | None:
        """The topic asked about: the intent is the topic id (domain.yml), or
        for "what about my wife?" the topic last answered (actions.conversation)."""
        return topic_in_context(tracker)

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


class ActionFixedReply(ActionAnswerTopic):
    """A fixed reply (domain.yml's rules); for a message the NLU was unsure
    of that goes on with the topic just answered, that topic's answer
    (policy_assistant.context.topic_asked), or the follow-up it asks about
    that answer (policy_assistant.context.follow_up_meant)."""

    def name(self) -> str:
        return "action_fixed_reply"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        intent = latest_intent(tracker) or NLU_FALLBACK
        if intent == NLU_FALLBACK:
            # unsure, but it goes on with the topic just answered, or asks about that answer
            if self.topic(tracker) in store.topics or self.follow_up(tracker) is not None:
                return super().answer(store, tracker, lang)
            self.usage.count(ASKED, NOT_UNDERSTOOD, lang, tracker.get_latest_input_channel())
        closest = answers.closest_topics(intent, ranked_intents(tracker), store.topics)
        reply = answers.fixed_reply(
            store, intent, lang, foreign=entity_value(tracker, FOREIGN_LANGUAGE), closest=closest
        )
        if intent == NLU_FALLBACK:
            reply = self.offer_to_share(store, tracker, reply, lang, closest)
        return reply, remember(lang) + ([SlotSet(LAST_REPLY_SLOT, intent)] if intent in SAID_AGAIN else [])

    def phone(self, store: Store, tracker: Tracker, lang: str, reply: Reply) -> List[str] | None:
        # the topic went on, or its answer was asked about: as action_answer_topic and action_follow_up send them
        if self.follow_up(tracker) is not None or (reply.payload or {}).get("topic") in store.topics:
            return super().phone(store, tracker, lang, reply)
        return StoreAction.phone(self, store, tracker, lang, reply)


class ActionChangeLanguage(StoreAction):
    def name(self) -> str:
        return "action_change_language"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        text = tracker.latest_message.get("text") or ""
        asked = language.requested(text, store.languages, asks_a_question(tracker, store))
        if asked is None:
            # "another language please", "no hablo inglés": the languages we
            # have, in the one the message is written in if that can be told
            # at all (one word of it is enough here: it is what the person reads)
            written = language.detect(text, store.languages) or lang
            choices = answers.message(store, "language_choices", written).format(names=answers.spoken_names(store))
            return Reply(text=choices), remember(written)
        fixed = tracker.get_slot(LAST_REPLY_SLOT)
        fixed = fixed if fixed in SAID_AGAIN else None
        topic = tracker.get_slot(LAST_TOPIC_SLOT)
        reply = answers.language_switched(store, asked, topic, fixed)
        if fixed is not None or topic not in store.topics:
            return reply, remember(asked)
        return answers.with_rating(store, reply, asked), [*remember(asked, topic), SlotSet(RATED_TOPIC_SLOT, topic)]

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


class ActionRateAnswer(StoreAction):
    """ "Did this help?" answered (its buttons' /answer_helped and
    /answer_not_helped): StoreAction.run counts it and replies."""

    def name(self) -> str:
        return "action_rate_answer"

    def answer(self, store: Store, tracker: Tracker, lang: str) -> Tuple[Reply, Events]:
        # reached only when the message was not a rating (StoreAction.run)
        return answers.fixed_reply(store, NLU_FALLBACK, lang), remember(lang)
