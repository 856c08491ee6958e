"""Conversations and their locks in Redis, for several Rasa processes behind a
load balancer (`make run-scaled`, deploy/). Rasa's own Redis stores, through
its hooks (a custom tracker store and lock store named in
endpoints-scaled.yml), with what this project needs on top:

* A conversation is kept exactly as the in-memory store keeps it: without the
  words people wrote (rasa_server.tracker_store.scrubbed_json), at most
  `max_events` events, and forgotten by Redis itself `record_exp` seconds
  (30 minutes) after its last message. Earlier sessions are not merged back
  in, as Rasa's store does: what is forgotten stays forgotten.
* Redis is run without persistence (scripts/run_scaled.sh, deploy/): nothing
  people wrote survives its restart.
* When Redis cannot be reached, the assistant keeps answering, each message as
  the first of its conversation: nothing is kept anywhere, so no process holds
  a private copy that would split a conversation between processes (which is
  what Rasa's FailSafeTrackerStore would do). The log says so once when Redis
  goes and once when it is back, and the health check says so meanwhile. Redis
  is tried again at most every RETRY_SECONDS, so a missing Redis costs a turn
  nothing but a refused connection; every call has a short timeout.
* Every change of a conversation's lock is one Redis transaction, so two
  messages of one conversation that reach two servers at once take turns
  (Rasa's own store lets both run). Locks fall back to this process's memory
  while Redis is away, when there is no conversation to keep in order.
* The Twilio channel remembers the messages it answered here too (a hash of
  each MessageSid, `first_time`), so that a retry reaching another server is
  not answered twice.
* A lock lives at most `lock_lifetime` seconds, a turn's limit by default
  (TURN_SECONDS, rasa_server/settings.py): no turn holds it longer
  (rasa_server/turns.py cancels it), and a lock left in Redis by a server that
  died stops its conversation for that long, not for Rasa's 60 s.

Nothing here logs what anyone wrote or who they are."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Dict, TypeVar

import redis
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import DEFAULT_REDIS_TRACKER_STORE_KEY_PREFIX, RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_server.settings import TurnSettings
from rasa_server.tracker_store import bounded, last_session, scrubbed_json

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # while Redis is away, try it again at most this often
SOCKET_SECONDS = 0.5  # connecting to, and each answer from, Redis
T = TypeVar("T")


class RedisState:
    """Whether this process can reach one Redis server. Shared by the tracker
    store and the lock store; logs only when that changes."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.down_since: float | None = None  # time.time() when it went away
        self.retry_at = 0.0
        self._lock = threading.Lock()

    def worth_trying(self) -> bool:
        return self.down_since is None or time.monotonic() >= self.retry_at

    def failed(self, error: Exception) -> None:
        with self._lock:
            self.retry_at = time.monotonic() + RETRY_SECONDS
            if self.down_since is None:
                self.down_since = time.time()
                logger.warning(
                    "Redis at %s cannot be reached (%s): answering every message without its conversation "
                    "until Redis is back",
                    self.where,
                    type(error).__name__,
                )

    def worked(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is not None:
                logger.warning(
                    "Redis at %s is back after %.0f s: conversations are kept again", self.where, self.gone_for()
                )
                self.down_since = None

    def gone_for(self) -> float:
        return 0.0 if self.down_since is None else time.time() - self.down_since

    def call(self, use: Callable[[], T], otherwise: Callable[[], T]) -> T:
        """`use()` (a call to Redis) if Redis is worth trying and answers, else `otherwise()`."""
        if self.worth_trying():
            try:
                result = use()
            except redis.RedisError as error:
                self.failed(error)
            else:
                self.worked()
                return result
        return otherwise()

    def ping(self, client: redis.Redis) -> bool:
        """Ask Redis now (the health check), whatever the retry interval."""
        try:
            client.ping()
        except redis.RedisError as error:
            self.failed(error)
            return False
        self.worked()
        return True


_states: Dict[str, RedisState] = {}


def redis_state(client: redis.Redis) -> RedisState:
    """The one RedisState of this process for the server `client` talks to."""
    kwargs = client.connection_pool.connection_kwargs
    where = f"{kwargs.get('host')}:{kwargs.get('port')}"
    return _states.setdefault(where, RedisState(where))


def with_short_timeouts(client: redis.Redis, seconds: float) -> None:
    """Rasa makes the clients; every connection they open from now on gives up after `seconds`."""
    client.connection_pool.connection_kwargs.update(socket_timeout=seconds, socket_connect_timeout=seconds)


class ForgetfulRedisTrackerStore(RedisTrackerStore):
    def __init__(
        self,
        domain: Domain,
        host: str | None = None,
        port: int | str = 6379,
        db: int | str = 0,
        password: str | None = None,
        event_broker: EventBroker | None = None,
        record_exp: float | str = 1800,
        key_prefix: str | None = None,
        max_events: int | str = 60,
        socket_timeout: float | str = SOCKET_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain,
            host=host or "localhost",
            port=int(port),
            db=int(db),
            password=password or None,
            event_broker=event_broker,
            record_exp=int(float(record_exp)),
            key_prefix=key_prefix or None,
            **kwargs,
        )
        with_short_timeouts(self.red, float(socket_timeout))
        self.max_events = int(max_events)
        self.redis = redis_state(self.red)
        # "<key_prefix>:" (or nothing): Rasa's own prefix for trackers is this plus "tracker:"
        self.prefix = self.key_prefix[: -len(DEFAULT_REDIS_TRACKER_STORE_KEY_PREFIX)]

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> str:
        return scrubbed_json(tracker)

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        await self.stream_events(tracker)
        text = self.serialise_tracker(bounded(tracker, self.max_events))
        key = self.key_prefix + tracker.sender_id
        self.redis.call(lambda: self.red.set(key, text, ex=self.record_exp), lambda: None)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> DialogueStateTracker | None:
        stored = self.redis.call(lambda: self.red.get(self.key_prefix + sender_id), lambda: None)
        if stored is None:
            return None
        return last_session(self.deserialise_tracker(sender_id, stored), fetch_all_sessions)

    async def keys(self) -> Any:
        return self.redis.call(lambda: self.red.keys(self.key_prefix + "*"), list)

    def forget(self, sender_id: str) -> bool | None:
        """Forget one conversation now (STOP): True when one was kept, False when
        none was, None when Redis cannot be reached (then it expires on its own)."""
        return self.redis.call(lambda: self.red.delete(self.key_prefix + sender_id) > 0, lambda: None)

    def first_time(self, name: str, seconds: int) -> bool | None:
        """Mark `name` as seen, under this store's prefix, for `seconds`, in one
        Redis command (SET NX EX, so two servers cannot both see it first):
        True the first time, False after that, None when Redis cannot be reached."""
        key = f"{self.prefix}{name}"
        return self.redis.call(lambda: bool(self.red.set(key, "1", nx=True, ex=seconds)), lambda: None)

    def health(self) -> Dict[str, Any]:
        if self.redis.ping(self.red):
            return {"status": "ok", "conversations": "kept in Redis", "redis": "up"}
        return {
            "status": "degraded",
            "conversations": "not kept: Redis cannot be reached, every message is answered as a new conversation",
            "redis": "down",
            "redis_down_seconds": round(self.redis.gone_for()),
        }


class ResilientRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, made safe between servers, and this process's
    own locks while Redis is away.

    Rasa's store changes a lock by reading it and writing it back, so two
    servers that take a ticket for one conversation at the same moment can
    both get the first one and run two turns at once: measured, 20 of 50
    conversations that sent two messages at once to two servers lost a turn
    (RasaHQ/rasa#9213; its fix was reverted in #11428). Here every change of a
    lock is one Redis transaction (WATCH, then MULTI/EXEC, retried when another
    server changed the lock in between), and a lock key that nobody touches
    disappears after a while. `make bench-scaled` measures the race both ways."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **settings: Any) -> None:
        if endpoint_config is not None:
            settings = {"host": endpoint_config.url, **endpoint_config.kwargs, **settings}
        super().__init__(
            host=settings.get("host") or "localhost",
            port=int(settings.get("port", 6379)),
            db=int(settings.get("db", 1)),
            password=settings.get("password") or None,
            key_prefix=settings.get("key_prefix") or None,
            socket_timeout=float(settings.get("socket_timeout", SOCKET_SECONDS)),
        )
        with_short_timeouts(self.red, float(settings.get("socket_timeout", SOCKET_SECONDS)))
        self.redis = redis_state(self.red)
        self.local = InMemoryLockStore()
        self.lock_lifetime = float(settings.get("lock_lifetime", TurnSettings().turn_seconds))

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """`change` the conversation's lock (a new, empty one if there is none)
        in one transaction; then save it, or delete it once it holds no ticket
        (no one is served or waiting)."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> T:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps(), ex=int(max(60, 4 * self.lock_lifetime)))  # then forgotten
            elif stored:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        lifetime = min(lock_lifetime, self.lock_lifetime)
        return self.redis.call(
            lambda: self._change(conversation_id, lambda lock: lock.issue_ticket(lifetime)),
            lambda: self.local.issue_ticket(conversation_id, lifetime),
        )

    def update_lock(self, conversation_id: str) -> None:
        self.redis.call(
            lambda: self._change(conversation_id, TicketLock.remove_expired_tickets),
            lambda: self.local.update_lock(conversation_id),
        )

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """The turn is over: its ticket goes, and the lock with it if no one waits."""
        self.redis.call(
            lambda: self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number)),
            lambda: self.local.cleanup(conversation_id, ticket_number),
        )

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.redis.call(
            lambda: super(ResilientRedisLockStore, self).get_lock(conversation_id),
            lambda: self.local.get_lock(conversation_id),
        )

    # Rasa's agent changes locks only through the three methods above; these
    # two are kept for any other caller, with the same fallback.
    def save_lock(self, lock: TicketLock) -> None:
        self.redis.call(
            lambda: super(ResilientRedisLockStore, self).save_lock(lock), lambda: self.local.save_lock(lock)
        )

    def delete_lock(self, conversation_id: str) -> None:
        self.redis.call(
            lambda: super(ResilientRedisLockStore, self).delete_lock(conversation_id),
            lambda: self.local.delete_lock(conversation_id),
        )
