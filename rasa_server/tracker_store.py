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
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections import OrderedDict
from typing import Any, Dict

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

SWEEP_SECONDS = 60.0


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

    def forget(self, sender_id: str) -> None:
        self._forget(sender_id)

    def health(self) -> Dict[str, Any]:
        return {"status": "ok", "conversations": "kept in this process's memory"}


def scrubbed_json(tracker: DialogueStateTracker) -> str:
    """The tracker as JSON, without the words people wrote: a user event keeps
    its intent, entities and metadata, not its text. The dialogue policies
    (MemoizationPolicy, RulePolicy) and the actions never read an earlier
    message's text; the current message's text lives only for its own turn.
    Every tracker store of the project keeps conversations in this form."""
    dialogue = tracker.as_dialogue().as_dict()
    for event in dialogue.get("events") or []:
        if event.get("event") == "user":
            event["text"] = None
            if isinstance(event.get("parse_data"), dict):
                event["parse_data"]["text"] = None
    return json.dumps(dialogue)


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


def forget_conversation(tracker_store: Any, sender_id: str) -> bool:
    """Forget one conversation at once (a person texted STOP). Rasa wraps the
    configured store (in a FailSafeTrackerStore, an AwaitableTrackerStore);
    this reaches the store inside. True when the store could forget it."""
    inner = configured_store(tracker_store)
    forget = getattr(inner, "forget", None)
    if callable(forget):  # the project's stores (this module, rasa_server.redis_stores)
        return forget(sender_id) is not False
    if isinstance(inner, InMemoryTrackerStore):
        inner.store.pop(sender_id, None)
        return True
    return False
