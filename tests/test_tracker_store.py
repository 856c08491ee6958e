"""The tracker store keeps as little as it can for as short as it can: nothing
on disk, idle conversations forgotten (with or without other traffic), a cap on
conversations and on events per conversation, no full scan per message."""

import asyncio
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from devtools.paths import PROJECT
from rasa_server import tracker_store
from rasa_server.tracker_store import ForgetfulTrackerStore

domain = Domain.load(str(PROJECT / "domain.yml"))


def tracker(sender: str, turns: int = 1) -> DialogueStateTracker:
    events: list[Any] = [SlotSet("language", "es")]
    for i in range(turns):
        events += [
            UserUttered(f"question {i}", {"name": "home_visits", "confidence": 1.0}),
            ActionExecuted("action_answer_topic"),
            BotUttered(f"answer {i}"),
            SlotSet("last_topic", "home_visits"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events(sender, events, slots=domain.slots)


def test_idle_conversations_are_forgotten():
    store = ForgetfulTrackerStore(domain, forget_after_minutes=30)
    asyncio.run(store.save(tracker("someone")))
    assert asyncio.run(store.retrieve("someone")) is not None
    store.last_seen["someone"] -= 31 * 60
    assert asyncio.run(store.retrieve("someone")) is None
    assert "someone" not in store.kept


def test_idle_conversations_are_forgotten_without_other_traffic(monkeypatch):
    monkeypatch.setattr(tracker_store, "SWEEP_SECONDS", 0.05)

    async def scenario() -> list[str]:
        store = ForgetfulTrackerStore(domain, forget_after_minutes=0.1 / 60)  # 0.1 s
        await store.save(tracker("someone"))
        await asyncio.sleep(0.4)  # no message arrives: only the sweep can forget it
        return list(store.kept)

    assert asyncio.run(scenario()) == []


def test_the_longest_idle_go_first_beyond_the_cap():
    store = ForgetfulTrackerStore(domain, max_conversations=3)
    for name in ("a", "b", "c", "d"):
        asyncio.run(store.save(tracker(name)))
    asyncio.run(store.save(tracker("b", turns=2)))  # b spoke again
    asyncio.run(store.save(tracker("e")))
    assert list(store.kept) == ["d", "b", "e"]


def test_saving_does_not_scan_every_conversation():
    store = ForgetfulTrackerStore(domain)

    class Counting(dict):
        reads = 0

        def __getitem__(self, key: str) -> float:
            Counting.reads += 1
            return super().__getitem__(key)

    store.last_seen = Counting()
    for i in range(20000):
        store.kept[f"s{i}"] = b""
        store.last_seen[f"s{i}"] = 1e12  # all fresh
    Counting.reads = 0
    asyncio.run(store.save(tracker("new")))
    assert Counting.reads <= 2


@pytest.mark.parametrize("turns,max_events", [(10, 60), (200, 60), (200, 12), (200, 13), (200, 14)])
def test_a_long_conversation_keeps_its_latest_events_and_its_slots(turns, max_events):
    store = ForgetfulTrackerStore(domain, max_events=max_events)
    asyncio.run(store.save(tracker("long", turns=turns)))
    kept = asyncio.run(store.retrieve_full_tracker("long"))
    assert kept is not None
    assert len(kept.events) <= max_events
    assert kept.get_slot("language") == "es" and kept.get_slot("last_topic") == "home_visits"
    bots = [e.text for e in kept.events if isinstance(e, BotUttered)]
    assert bots[-1] == f"answer {turns - 1}"
    # what is kept is whole turns: it starts with a session and a user message
    users = [e for e in kept.events if isinstance(e, UserUttered)]
    assert len(users) == len(bots) and bots[0] == f"answer {turns - len(users)}"
    assert kept.latest_message is not None and kept.latest_message.intent["name"] == "home_visits"


def test_what_is_kept_is_compressed():
    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(tracker("someone")))
    assert b"question" not in store.kept["someone"]


def test_what_people_wrote_is_not_kept_only_what_it_meant():
    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(tracker("someone", turns=3)))
    kept = asyncio.run(store.retrieve_full_tracker("someone"))
    users = [e for e in kept.events if isinstance(e, UserUttered)]
    assert len(users) == 3 and all(not e.text and e.intent["name"] == "home_visits" for e in users)
    import zlib

    assert b"question" not in zlib.decompress(store.kept["someone"])


def test_a_conversation_can_be_forgotten_at_once_through_rasas_wrappers():
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(tracker("someone")))
    asyncio.run(store.save(tracker("someone else")))
    wrapped = FailSafeTrackerStore(AwaitableTrackerStore(store))  # as Rasa's agent holds it
    assert tracker_store.forget_conversation(wrapped, "someone")
    assert asyncio.run(store.retrieve("someone")) is None
    assert asyncio.run(store.retrieve("someone else")) is not None
