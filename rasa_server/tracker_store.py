"""An in-memory tracker store that keeps as little as it can for as short as it
can. Nothing is written to disk; the people asking may be undocumented and
afraid.

* A conversation is forgotten `forget_after_minutes` after its last message,
  whether or not other traffic arrives (a sweep runs every minute). Expired
  conversations are found in order of last use, so no message scans them all.
* At most `max_conversations` are kept: past that, the longest idle go first.
* A conversation keeps its last `max_events` events (from a user message on),
  with its slots carried over; older events are dropped.
* What is kept is compressed.
* What people wrote is never kept: not their words, not the values of the
  entities found in them, not a slot value outside its fixed vocabulary
  (scrubbed_json, which every tracker store of the project uses). Nor is what
  the assistant answered, its text or its payload (an offer to share a
  question quotes the question).
"""

from __future__ import annotations

import asyncio
import enum
import json
import re
import time
import zlib
from collections import OrderedDict
from typing import Any, Callable, Dict

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from policy_assistant.names import (
    FOREIGN_LANGUAGE,
    LANGUAGE_SLOT,
    LAST_REPLY_SLOT,
    LAST_TOPIC_SLOT,
    OPTIONS_SLOT,
    RATED_TOPIC_SLOT,
)

SWEEP_SECONDS = 60.0


class Forgot(enum.Enum):
    """What asking a store to forget one conversation did."""

    FORGOTTEN = "forgotten"  # it was kept, and is gone now
    NOTHING = "nothing"  # nothing was kept for it
    UNREACHABLE = "unreachable"  # the store could not be reached (or cannot forget): it expires on its own


# What a stored conversation may keep of the values people's messages led to.
# A language code (ISO 639-1, or 639-2 "und"), a topic id or intent name, and
# the buttons' intent payloads are a fixed vocabulary, set by the assistant's
# actions and the NLU's language gate, never copied from a message.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")
INTENT_PAYLOAD = re.compile(r"/[a-z][a-z0-9_]{0,63}")


def _options(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and INTENT_PAYLOAD.fullmatch(v) for v in value)


def _matches(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


# Each slot of the domain with the vocabulary its values come from. A value
# outside it is stored as no value, and so is any slot not named here (Rasa's
# session_started_metadata, or a slot added later and filled from an entity,
# which would be the person's words): tests/test_tracker_store.py fails when
# domain.yml gains a slot this table does not name.
KEPT_SLOT_VALUES: Dict[str, Callable[[Any], bool]] = {
    LANGUAGE_SLOT: _matches(LANGUAGE_CODE),  # set by the actions, from the answer store's languages
    LAST_TOPIC_SLOT: _matches(IDENTIFIER),  # a topic id, set by the actions
    LAST_REPLY_SLOT: _matches(IDENTIFIER),  # an intent name, set by the actions
    OPTIONS_SLOT: _options,  # the numbered options last offered by text message: "/topic_id" payloads
    RATED_TOPIC_SLOT: _matches(IDENTIFIER),  # a topic id: the answer just asked "did this help?" about
}
# Entities keep their name (the dialogue policies read only names) and, for
# these, their value when it is in the entity's vocabulary. The entity ruler's
# entities (speaker, agency, place, ...) carry the words as the person typed
# them, so their values are dropped, as are every entity's character offsets.
KEPT_ENTITY_VALUES: Dict[str, Callable[[Any], bool]] = {
    FOREIGN_LANGUAGE: _matches(LANGUAGE_CODE),  # nlu_pipeline/gates.py: the language's ISO code
}


class ForgetfulTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        forget_after_minutes: float = 30,
        max_conversations: int = 20000,
        max_events: int = 200,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)
        super().__init__(domain, event_broker, **kwargs)
        self.forget_after_seconds = float(forget_after_minutes) * 60
        self.max_conversations = int(max_conversations)
        self.max_events = int(max_events)
        # sender id -> compressed tracker, least recently saved first
        self.kept: OrderedDict[str, bytes] = OrderedDict()
        self.last_seen: Dict[str, float] = {}
        self._sweeper: asyncio.TimerHandle | None = None

    def forget_idle(self, now: float | None = None) -> None:
        """Forget every conversation idle longer than the limit, oldest first,
        and the longest idle beyond max_conversations."""
        now = time.monotonic() if now is None else now
        while self.kept:
            oldest = next(iter(self.kept))
            if now - self.last_seen[oldest] <= self.forget_after_seconds and len(self.kept) <= self.max_conversations:
                break
            self._forget(oldest)

    def _forget(self, sender_id: str) -> None:
        self.kept.pop(sender_id, None)
        self.last_seen.pop(sender_id, None)

    def _sweep(self) -> None:
        self.forget_idle()
        self._sweeper = asyncio.get_running_loop().call_later(SWEEP_SECONDS, self._sweep)

    def _start_sweeping(self) -> None:
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(SWEEP_SECONDS, self._sweep)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._start_sweeping()
        await self.stream_events(tracker)
        tracker = bounded(tracker, self.max_events)
        sender_id = tracker.sender_id
        self.kept[sender_id] = zlib.compress(self.serialise_tracker(tracker).encode(), 1)
        self.kept.move_to_end(sender_id)
        self.last_seen[sender_id] = time.monotonic()
        self.forget_idle()

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> str:
        return scrubbed_json(tracker)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> DialogueStateTracker | None:
        seen = self.last_seen.get(sender_id)
        if seen is None:
            return None
        if time.monotonic() - seen > self.forget_after_seconds:
            self._forget(sender_id)
            return None
        tracker = self.deserialise_tracker(sender_id, zlib.decompress(self.kept[sender_id]).decode())
        return last_session(tracker, fetch_all_sessions)

    async def keys(self) -> Any:
        return list(self.kept.keys())

    def forget(self, sender_id: str) -> bool:
        """Forget one conversation now; whether one was kept."""
        kept = sender_id in self.kept
        self._forget(sender_id)
        return kept

    def health(self) -> Dict[str, Any]:
        return {"status": "ok", "conversations": "kept in this process's memory"}


def scrubbed_json(tracker: DialogueStateTracker) -> str:
    """The tracker as JSON, without what people wrote: a user event keeps its
    intent, its entities' names (and values from a fixed vocabulary) and its
    metadata, not its text; a slot keeps only values from its vocabulary. The
    dialogue policies (MemoizationPolicy, RulePolicy) and the actions never
    read an earlier message's text or entity values; the current message lives
    whole only for its own turn. Every tracker store of the project keeps
    conversations in this form."""
    dialogue = tracker.as_dialogue().as_dict()
    for event in dialogue.get("events") or []:
        if event.get("event") == "user":
            event["text"] = None
            if isinstance(event.get("parse_data"), dict):
                event["parse_data"]["text"] = None
                event["parse_data"]["entities"] = scrubbed_entities(event["parse_data"].get("entities"))
                # the offsets of each word (the shape of what was written), and
                # the ranking of every intent, which only the turn itself reads
                for key in ("text_tokens", "intent_ranking", "response_selector"):
                    event["parse_data"].pop(key, None)
        if "entities" in event:  # the user event's own list, and Rasa's EntitiesAdded event
            event["entities"] = scrubbed_entities(event["entities"])
        if event.get("event") == "slot":
            event["value"] = kept_slot_value(event.get("name"), event.get("value"))
        if event.get("event") == "bot":
            # Nor what the assistant said: an offer to share a question quotes
            # the question (policy_assistant.shared_questions), and nothing
            # reads a past answer's text again.
            event["text"] = None
            # An answer's payload (its buttons, quotes and the grounds of every
            # sentence: about 40 KB) went to the channel when it was sent; nothing
            # reads it again (the actions read slots and the latest message), and
            # kept, it would be decoded, copied, sent to the action server and
            # encoded again on every later turn of the conversation.
            event["data"] = {}
    return json.dumps(dialogue)


def scrubbed_entities(entities: Any) -> list[Dict[str, Any]]:
    """Each entity's name, and its value only when it is in the entity's
    vocabulary (else None: Rasa's own code reads an entity's "value" key)."""
    kept = []
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict) or not isinstance(entity.get("entity"), str):
            continue
        value_ok = KEPT_ENTITY_VALUES.get(entity["entity"])
        value = entity.get("value") if value_ok is not None and value_ok(entity.get("value")) else None
        scrubbed = {"entity": entity["entity"], "value": value}
        # a role or group is a label of the domain's, which the policies read with the name
        scrubbed.update({key: entity[key] for key in ("role", "group") if isinstance(entity.get(key), str)})
        kept.append(scrubbed)
    return kept


def kept_slot_value(name: Any, value: Any) -> Any:
    """A slot's value if it is in the slot's vocabulary, else None (no value)."""
    value_ok = KEPT_SLOT_VALUES.get(name) if isinstance(name, str) else None
    return value if value is not None and value_ok is not None and value_ok(value) else None


def bounded(tracker: DialogueStateTracker, max_events: int) -> DialogueStateTracker:
    """The tracker with at most `max_events` events: the latest ones from a
    user message on, after a session start carrying the slots over."""
    events = list(tracker.events)
    if len(events) <= max_events:
        return tracker
    slots = {name: value for name, value in tracker.current_slot_values().items() if value}
    cut = len(events) - max_events + 3 + len(slots)  # room for the session start
    while cut < len(events) and not isinstance(events[cut], UserUttered):
        cut += 1
    first = events[cut].timestamp if cut < len(events) else time.time()
    start: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=first),
        SessionStarted(timestamp=first),
        *(SlotSet(name, value, timestamp=first) for name, value in slots.items()),
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=first),
    ]
    return DialogueStateTracker.from_events(tracker.sender_id, start + events[cut:], slots=list(tracker.slots.values()))


def last_session(tracker: DialogueStateTracker | None, fetch_all_sessions: bool) -> DialogueStateTracker | None:
    """What a tracker store's retrieve gives: the conversation's last session,
    or all of it for retrieve_full_tracker."""
    if tracker is None or fetch_all_sessions:
        return tracker
    sessions = get_trackers_for_conversation_sessions(tracker)
    return sessions[-1] if len(sessions) > 1 else tracker


def configured_store(tracker_store: Any) -> Any:
    """The store endpoints.yml names, inside the wrappers Rasa puts around it
    (a FailSafeTrackerStore, an AwaitableTrackerStore)."""
    inner = tracker_store
    while getattr(inner, "_tracker_store", None) is not None:
        inner = inner._tracker_store
    return inner


def health(tracker_store: Any) -> Dict[str, Any]:
    """Where conversations are kept, for the health check: the store's own
    report (rasa_server.redis_stores) or, for a store in memory, that."""
    inner = configured_store(tracker_store)
    report = getattr(inner, "health", None)
    if callable(report):
        return report()
    return {"status": "ok", "conversations": "not loaded yet" if inner is None else type(inner).__name__}


def forget_conversation(tracker_store: Any, sender_id: str) -> Forgot:
    """Forget one conversation at once (a person texted STOP), and say what
    that did. Rasa wraps the configured store (in a FailSafeTrackerStore, an
    AwaitableTrackerStore); this reaches the store inside."""
    inner = configured_store(tracker_store)
    forget = getattr(inner, "forget", None)
    if callable(forget):  # the project's stores (this module, rasa_server.redis_stores)
        # True: it was kept and is gone; False: nothing was kept; None: the store could not be reached
        done = forget(sender_id)
        return Forgot.UNREACHABLE if done is None else Forgot.FORGOTTEN if done else Forgot.NOTHING
    if isinstance(inner, InMemoryTrackerStore):
        return Forgot.NOTHING if inner.store.pop(sender_id, None) is None else Forgot.FORGOTTEN
    return Forgot.UNREACHABLE


async def conversation(agent: Any, sender_id: str) -> DialogueStateTracker | None:
    """The conversation as Rasa keeps it, or None (a new conversation)."""
    store = getattr(agent, "tracker_store", None)
    return await store.retrieve(sender_id) if store is not None else None
