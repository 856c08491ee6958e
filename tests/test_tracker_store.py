"""The tracker store keeps as little as it can for as short as it can: nothing
on disk, idle conversations forgotten (with or without other traffic), a cap on
conversations and on events per conversation, no full scan per message."""

import asyncio
import json
import zlib
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
            UserUttered(
                f"question {i}",
                {"name": "home_visits", "confidence": 1.0},
                parse_data={"text_tokens": [[0, 8], [9, 10]], "intent_ranking": [{"name": "home_visits"}]},
                message_id=str(i),  # tells the turns apart once kept, without their text
            ),
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
    bots = [e for e in kept.events if isinstance(e, BotUttered)]
    # what is kept is whole turns: it starts with a session and a user message
    users = [int(e.message_id) for e in kept.events if isinstance(e, UserUttered)]
    assert users[-1] == turns - 1 and users == list(range(turns - len(users), turns))
    assert len(users) == len(bots)
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
    assert all("text_tokens" not in e.parse_data and "intent_ranking" not in e.parse_data for e in users)
    import zlib

    assert b"question" not in zlib.decompress(store.kept["someone"])


def test_an_answer_is_not_kept_neither_its_text_nor_its_payload():
    # the payload (buttons, quotes, grounds) went to the channel; kept, it
    # would travel with every later turn (docs/results.md, issue 26). The
    # text is not kept either: an offer to share a question quotes it (issue 29)
    answer = BotUttered("In short: no.", {"custom": {"grounds": ["x" * 40_000]}, "buttons": [{"title": "More"}]})
    offer = BotUttered('Only this text would be kept: "my cousin […] was stopped on the way to work"')
    sent = tracker("someone")
    sent.update(answer)
    sent.update(offer)
    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(sent))
    bots = [e for e in asyncio.run(store.retrieve_full_tracker("someone")).events if isinstance(e, BotUttered)]
    assert [b.text for b in bots] == [None, None, None]
    assert b"stopped on the way" not in zlib.decompress(store.kept["someone"])
    assert all(not any(b.data.values()) for b in bots), [b.data for b in bots]
    assert len(store.kept["someone"]) < 2_000


def test_a_conversation_can_be_forgotten_at_once_through_rasas_wrappers():
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(tracker("someone")))
    asyncio.run(store.save(tracker("someone else")))
    wrapped = FailSafeTrackerStore(AwaitableTrackerStore(store))  # as Rasa's agent holds it
    assert tracker_store.forget_conversation(wrapped, "someone") is tracker_store.Forgot.FORGOTTEN
    assert asyncio.run(store.retrieve("someone")) is None
    assert asyncio.run(store.retrieve("someone else")) is not None


# ---------------------------------------------------------------- what people wrote: entities and slots
PLACE_WORDS = "Preston Highway"  # an entity value as the person typed it


def with_entities(sender: str) -> DialogueStateTracker:
    """A conversation whose messages carried entities, as the NLU gives them:
    the entity ruler's values are the person's words; the language gate's is
    an ISO code. Then a slot set from an entity, as a slot mapped from_entity would be."""
    place = {"entity": "local_place", "value": PLACE_WORDS, "start": 27, "end": 42, "extractor": "SpacyEntityExtractor"}
    language = {"entity": "foreign_language", "value": "fr", "start": 0, "end": 30, "extractor": "LanguageGate"}
    said = f"was stopped by police on {PLACE_WORDS}"
    events: list[Any] = [
        SlotSet("language", "es"),
        UserUttered(said, {"name": "traffic_stops", "confidence": 1.0}, [place], {"text": said, "entities": [place]}),
        ActionExecuted("action_answer_topic"),
        BotUttered("answer"),
        SlotSet("last_topic", "traffic_stops"),
        SlotSet("options", ["/home_visits", "/report_crime_safely"]),
        SlotSet("session_started_metadata", {"lang": "es", "note": PLACE_WORDS}),
        SlotSet("last_topic", PLACE_WORDS),  # not a topic id: not kept
        SlotSet("options", [f"/{PLACE_WORDS}"]),
        SlotSet("last_topic", "traffic_stops"),
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "unsupported_language", "confidence": 1.0}, [language]),
        ActionExecuted("action_fixed_reply"),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events(sender, events, slots=domain.slots)


def test_entity_values_and_slot_values_people_wrote_are_not_kept():
    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(with_entities("someone")))
    import zlib

    raw = zlib.decompress(store.kept["someone"]).decode()
    assert PLACE_WORDS not in raw, raw
    for event in json.loads(raw)["events"]:  # no entity keeps its offsets, which measure what was written
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            assert set(entity) <= {"entity", "value"}, entity
    kept = asyncio.run(store.retrieve_full_tracker("someone"))
    assert kept is not None
    users = [e for e in kept.events if isinstance(e, UserUttered)]
    # the names stay (the dialogue policies read them), and values from a fixed vocabulary
    assert users[0].entities == [{"entity": "local_place", "value": None}]
    assert users[1].entities == [{"entity": "foreign_language", "value": "fr"}]
    assert kept.get_slot("language") == "es" and kept.get_slot("last_topic") == "traffic_stops"
    slots = [(e.key, e.value) for e in kept.events if isinstance(e, SlotSet)]
    assert ("last_topic", PLACE_WORDS) not in slots and ("options", ["/home_visits", "/report_crime_safely"]) in slots
    assert ("session_started_metadata", None) in slots


def test_every_slot_of_the_domain_has_a_vocabulary_kept_in_stored_conversations():
    """A new slot must say which values a stored conversation may keep
    (tracker_store.KEPT_SLOT_VALUES); until it does, none are kept."""
    own = {slot.name for slot in domain.slots} - {"session_started_metadata"}  # Rasa's own, never kept
    assert own <= set(tracker_store.KEPT_SLOT_VALUES), own - set(tracker_store.KEPT_SLOT_VALUES)
    entities = set(domain.entities)
    assert set(tracker_store.KEPT_ENTITY_VALUES) <= entities


def test_forgetting_says_whether_there_was_anything_to_forget():
    store = ForgetfulTrackerStore(domain)
    asyncio.run(store.save(tracker("someone")))
    assert tracker_store.forget_conversation(store, "someone") is tracker_store.Forgot.FORGOTTEN
    assert tracker_store.forget_conversation(store, "someone") is tracker_store.Forgot.NOTHING
    assert tracker_store.forget_conversation(None, "someone") is tracker_store.Forgot.UNREACHABLE
