"""An exact replay of a text message already answered is not answered again
(rasa_server/phone_channel.py), on any server: with conversations in Redis
(the scaled setup), the answered MessageSids are kept there, as hashes, for as
long as a replay is refused; without Redis, or while it cannot be reached, in
each process's memory. Against a real redis-server on loopback, as
tests/test_redis_stores.py starts it."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import redis
from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

from rasa_server.phone_channel import REPLAY_SECONDS, PhoneInput, PhoneSettings
from rasa_server.redis_stores import ForgetfulRedisTrackerStore
from rasa_server.tracker_store import ForgetfulTrackerStore
from tests.test_redis_stores import DOMAIN, RedisServer, server  # noqa: F401  server: the shared fixture

pytestmark = pytest.mark.scaled  # needs redis-server (make test-scaled installs it)

SETTINGS = PhoneSettings("AC" + "0" * 32, "test-auth-token-0123456789abcdef", "+15025550100", b"s" * 16)


def rasa_server(server: RedisServer) -> tuple[PhoneInput, FailSafeTrackerStore]:
    """One Rasa server's Twilio channel, and its tracker store as Rasa's agent holds it."""
    store = ForgetfulRedisTrackerStore(DOMAIN, host="127.0.0.1", port=server.port, key_prefix="test")
    return PhoneInput(SETTINGS), FailSafeTrackerStore(AwaitableTrackerStore(store))


def message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def test_a_message_answered_by_one_server_is_not_answered_again_by_another(server: RedisServer) -> None:
    (first, first_store), (second, second_store) = rasa_server(server), rasa_server(server)
    sid = message_sid()
    assert not first.replayed(sid, first_store)  # answered here
    assert second.replayed(sid, second_store)  # Twilio's retry, reaching the other server
    assert first.replayed(sid, first_store)
    assert not second.replayed(message_sid(), second_store)  # another message is answered
    # Redis keeps a hash of the MessageSid, never the MessageSid, for a day
    client = redis.Redis(port=server.port, decode_responses=True)
    key = f"test:twilio:answered:{hashlib.sha256(sid.encode()).hexdigest()}"
    assert key in client.keys("test:twilio:*") and not any(sid in k for k in client.keys("*"))
    assert REPLAY_SECONDS >= 24 * 60 * 60
    assert REPLAY_SECONDS - 10 <= client.ttl(key) <= REPLAY_SECONDS


def test_while_redis_is_away_each_server_remembers_what_it_answered(server: RedisServer) -> None:
    channel, store = rasa_server(server)
    before = message_sid()
    assert not channel.replayed(before, store)
    server.stop()
    assert channel.replayed(before, store)  # remembered here too
    during = message_sid()
    assert not channel.replayed(during, store)
    assert channel.replayed(during, store)


def test_without_redis_this_process_remembers_for_a_day_at_most_so_many() -> None:
    channel = PhoneInput(SETTINGS)
    store = ForgetfulTrackerStore(DOMAIN)
    sid = message_sid()
    assert not channel.replayed(sid, store) and channel.replayed(sid, store)
    assert not channel.replayed("", store) and not channel.replayed("", store)  # no MessageSid: nothing to tell
    assert sid not in channel.answered.here and channel.answered.seconds == REPLAY_SECONDS
    channel.answered.most = 3
    later = [message_sid() for _ in range(3)]
    for one in later:
        assert not channel.replayed(one, store)
    assert not channel.replayed(sid, store)  # the oldest went first
    assert len(channel.answered.here) == 3
