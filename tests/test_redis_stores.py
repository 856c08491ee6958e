"""The Redis tracker store and lock store (rasa_server/redis_stores.py) against
a real redis-server on loopback (make test-scaled installs it), stopped and
started again where a test needs Redis to go away."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from devtools.paths import PROJECT
from devtools.servers import free_port
from rasa_server import redis_stores, tracker_store
from rasa_server.redis_stores import ForgetfulRedisTrackerStore, ResilientRedisLockStore

pytestmark = pytest.mark.scaled

DOMAIN = Domain.load(str(PROJECT / "domain.yml"))
WORDS = "my cousin was stopped on Preston Highway"


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    found = RedisServer(tmp_path)
    found.start()
    yield found
    found.stop()
    redis_stores._states.clear()  # one RedisState per process and server: forget this test's


def store(server: RedisServer, **settings: object) -> ForgetfulRedisTrackerStore:
    return ForgetfulRedisTrackerStore(DOMAIN, host="127.0.0.1", port=server.port, key_prefix="test", **settings)


def conversation(sender: str = "someone", turns: int = 1) -> DialogueStateTracker:
    events = []
    for n in range(turns):
        events += [
            UserUttered(WORDS, {"name": "home_visits", "confidence": 0.9}, parse_data={"text": WORDS}),
            ActionExecuted("action_answer_topic"),
            SlotSet("last_topic", "home_visits"),
            BotUttered(f"answer {n}"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


def test_kept_without_words_for_30_minutes_under_its_prefix(server: RedisServer) -> None:
    kept = store(server)
    asyncio.run(kept.save(conversation()))
    client = redis.Redis(port=server.port, decode_responses=True)
    assert client.keys("*") == ["test:tracker:someone"]
    raw = client.get("test:tracker:someone")
    assert WORDS not in raw and "home_visits" in raw
    assert 1790 <= client.ttl("test:tracker:someone") <= 1800
    back = asyncio.run(kept.retrieve("someone"))
    assert back is not None and back.latest_message.intent["name"] == "home_visits"
    assert back.get_slot("last_topic") == "home_visits"


def test_a_long_conversation_keeps_its_last_events_and_slots(server: RedisServer) -> None:
    kept = store(server, max_events=20)
    asyncio.run(kept.save(conversation(turns=30)))
    back = asyncio.run(kept.retrieve_full_tracker("someone"))
    assert back is not None and len(back.events) <= 20 and back.get_slot("last_topic") == "home_visits"


def test_stop_forgets_at_once_and_says_whether_there_was_anything_to_forget(server: RedisServer) -> None:
    kept = store(server)
    asyncio.run(kept.save(conversation()))
    assert tracker_store.forget_conversation(kept, "someone") is tracker_store.Forgot.FORGOTTEN
    assert asyncio.run(kept.retrieve("someone")) is None
    assert tracker_store.forget_conversation(kept, "someone") is tracker_store.Forgot.NOTHING
    server.stop()  # then it cannot be forgotten now: it expires on its own
    assert tracker_store.forget_conversation(kept, "someone") is tracker_store.Forgot.UNREACHABLE


def test_entity_values_people_wrote_are_not_kept(server: RedisServer) -> None:
    place = {"entity": "local_place", "value": "Preston Highway", "start": 25, "end": 40}
    language = {"entity": "foreign_language", "value": "fr", "start": 0, "end": 30}
    events = [
        UserUttered(WORDS, {"name": "traffic_stops", "confidence": 0.9}, [place], {"text": WORDS, "entities": [place]}),
        ActionExecuted("action_answer_topic"),
        SlotSet("last_topic", "Preston Highway"),  # not a topic id: not kept
        SlotSet("last_topic", "traffic_stops"),
        BotUttered("answer"),
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "unsupported_language", "confidence": 1.0}, [language]),
        ActionExecuted("action_listen"),
    ]
    kept = store(server)
    asyncio.run(kept.save(DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)))
    raw = redis.Redis(port=server.port, decode_responses=True).get("test:tracker:someone")
    assert "Preston" not in raw and '"start"' not in raw
    back = asyncio.run(kept.retrieve("someone"))
    assert back is not None and back.get_slot("last_topic") == "traffic_stops"
    users = [e for e in back.events if isinstance(e, UserUttered)]
    assert users[0].entities == [{"entity": "local_place", "value": None}]
    assert users[1].entities == [{"entity": "foreign_language", "value": "fr"}]


def test_something_seen_once_is_seen_by_every_server_and_only_as_long_as_asked(server: RedisServer) -> None:
    one, other = store(server), store(server)  # two servers, a connection each
    assert one.first_time("twilio:answered:abc", 86400) is True
    assert other.first_time("twilio:answered:abc", 86400) is False
    client = redis.Redis(port=server.port, decode_responses=True)
    assert 86390 <= client.ttl("test:twilio:answered:abc") <= 86400
    server.stop()
    assert one.first_time("twilio:answered:def", 86400) is None  # cannot tell: the caller decides


def test_without_redis_it_answers_as_new_says_so_once_and_carries_on_when_back(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    kept = store(server)
    asyncio.run(kept.save(conversation()))
    server.stop()
    caplog.set_level(logging.WARNING, logger="rasa_server.redis_stores")
    started = time.monotonic()
    for _ in range(5):
        assert asyncio.run(kept.retrieve("someone")) is None  # a new conversation, not an error
        asyncio.run(kept.save(conversation("other")))  # nothing kept, nothing raised
    assert time.monotonic() - started < 2  # refused at once, then not tried again for a second
    report = tracker_store.health(kept)
    assert report["status"] == "degraded" and report["redis"] == "down"
    assert sum("cannot be reached" in r.message for r in caplog.records) == 1
    server.start()  # the same port; no persistence, so what it held is gone
    asyncio.run(kept.save(conversation("again")))
    time.sleep(redis_stores.RETRY_SECONDS)
    assert tracker_store.health(kept)["status"] == "ok"
    asyncio.run(kept.save(conversation("again")))
    assert asyncio.run(kept.retrieve("again")) is not None
    assert sum("is back after" in r.message for r in caplog.records) == 1
    assert all(WORDS not in r.message for r in caplog.records)


def lock_store(server: RedisServer, cls: type = ResilientRedisLockStore) -> RedisLockStore:
    config = EndpointConfig(url="127.0.0.1", port=server.port, key_prefix="test")
    return cls(endpoint_config=config) if cls is ResilientRedisLockStore else cls(host="127.0.0.1", port=server.port)


def tickets_from_many_servers(server: RedisServer, cls: type) -> list[int]:
    """Twenty "servers" (a store and a connection each) take a ticket for one
    conversation at the same moment."""
    stores = [lock_store(server, cls) for _ in range(20)]
    tickets: list[int] = []
    ready = threading.Barrier(len(stores))

    def take(one: RedisLockStore) -> None:
        ready.wait()
        tickets.append(one.issue_ticket("one-conversation"))

    threads = [threading.Thread(target=take, args=(one,)) for one in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_servers_taking_tickets_at_once_never_get_the_same_one(server: RedisServer) -> None:
    tickets = tickets_from_many_servers(server, ResilientRedisLockStore)
    assert sorted(tickets) == list(range(20))


def test_the_lock_store_of_rasa_itself_hands_out_one_ticket_twice(server: RedisServer) -> None:
    """Why the project has its own: the same race with Rasa's RedisLockStore
    (RasaHQ/rasa#9213). If Rasa ever fixes it, this test says so."""
    duplicates = []
    for _ in range(5):
        redis.Redis(port=server.port).flushall()
        tickets = tickets_from_many_servers(server, RedisLockStore)
        duplicates.append(len(tickets) - len(set(tickets)))
    assert any(duplicates)


def test_a_turn_takes_the_lock_in_order_and_leaves_no_key(server: RedisServer) -> None:
    locks = lock_store(server)
    order: list[str] = []

    async def turn(name: str, seconds: float) -> None:
        async with locks.lock("someone", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    async def both() -> None:
        first = asyncio.ensure_future(turn("first", 0.3))
        await asyncio.sleep(0.05)
        await asyncio.gather(first, turn("second", 0))

    asyncio.run(both())
    assert order == ["first in", "first out", "second in", "second out"]
    assert redis.Redis(port=server.port, db=1).keys("*") == []


def test_a_lock_left_by_a_dead_server_lasts_one_turn_and_locks_work_without_redis(server: RedisServer) -> None:
    locks = lock_store(server)
    locks.issue_ticket("someone")  # a server took it, then died
    assert 0 < redis.Redis(port=server.port, db=1).ttl("test:lock:someone") <= 60
    lock = locks.get_lock("someone")
    assert lock is not None and lock.tickets[0].expires - time.time() <= locks.lock_lifetime
    server.stop()

    async def turn() -> None:
        async with locks.lock("elsewhere", wait_time_in_seconds=0.05):
            pass

    asyncio.run(turn())  # this process's own lock while Redis is away
