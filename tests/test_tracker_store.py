"""Conversations are forgotten once idle: the tracker store keeps nothing on
disk and drops a conversation after its idle time."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from devtools.paths import PROJECT
from rasa_server.tracker_store import ForgetfulTrackerStore


def test_idle_conversations_are_forgotten():
    domain = Domain.load(str(PROJECT / "domain.yml"))
    store = ForgetfulTrackerStore(domain, forget_after_minutes=30)
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello")])
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("someone")) is not None
    store.last_seen["someone"] -= 31 * 60
    assert asyncio.run(store.retrieve("someone")) is None
    assert "someone" not in store.store
