"""An in-memory tracker store that forgets a conversation once it has been idle
for a while. Nothing is written to disk; the people asking may be undocumented
and afraid, so we keep as little as we can for as short as we can."""

import time
from typing import Any, Dict

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker


class ForgetfulTrackerStore(InMemoryTrackerStore):
    def __init__(
        self, domain: Domain, event_broker: EventBroker | None = None, forget_after_minutes: float = 30, **kwargs: Any
    ) -> None:
        kwargs.pop("host", None)
        super().__init__(domain, event_broker, **kwargs)
        self.forget_after_seconds = float(forget_after_minutes) * 60
        self.last_seen: Dict[str, float] = {}

    def forget_idle(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for sender_id, seen in list(self.last_seen.items()):
            if now - seen > self.forget_after_seconds:
                self.store.pop(sender_id, None)
                self.last_seen.pop(sender_id, None)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self.last_seen[tracker.sender_id] = time.monotonic()
        self.forget_idle()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self.forget_idle()
        return await super().retrieve(sender_id)
