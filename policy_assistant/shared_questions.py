"""A question the person agreed to share with city staff (issue 29), on the
action server's side: the offer waits here, scrubbed, until the person says
yes, then goes to the staff console, which keeps it for 30 days. The offer
follows a question the assistant did not understand, or an answer the person
said did not help: for that, the question of each answer waits here too,
scrubbed, for one turn (with sharing on).

Until the yes, the scrubbed text waits only in this process's memory (a TTL
cache of cachetools, at most PENDING_SECONDS): never in the tracker store,
Redis, a file or a log. Any other message in the conversation discards it;
a restart loses it. With several action servers (make run-scaled), the yes may
reach another one than the offer: that one has nothing, and the person is
asked to send the question again (share_expired).

After the yes, the console receives the text, its language, the channel, and
the topics the assistant thought closest; never the sender id
(policy_assistant.console_client makes the call)."""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import asdict, dataclass
from typing import Callable, NamedTuple, Tuple

from cachetools import TTLCache

from policy_assistant.console_client import ConsoleClient, shared_client
from policy_assistant.names import PHONE_CHANNEL
from policy_assistant.scrub import REMOVED

PENDING_SECONDS = 600  # how long an offer waits for the person's yes
MAX_PENDING = 10_000  # offers waiting at once, at most; past that, the oldest go
MIN_WORDS = 3  # a shorter message ("asdf", "??") is not worth offering to share
MAX_TEXT = 1_000  # characters of a shared question, at most (the console refuses more)
# on a phone the offer, its options and the quote must fit one message
# (phone_messages.MESSAGE_LIMIT, 1,600), so that nothing of the quote is cut
MAX_PHONE_TEXT = 600


@dataclass(frozen=True)
class SharedQuestion:
    text: str  # scrubbed (policy_assistant.scrub): exactly what the person saw
    lang: str
    channel: str
    topics: Tuple[str, ...]  # the topics the assistant thought closest, best first


def worth_offering(scrubbed: str, channel: str | None = None) -> bool:
    """A question with words left after scrubbing, enough to read, and short
    enough to be shown whole (and kept whole)."""
    longest = MAX_PHONE_TEXT if channel == PHONE_CHANNEL else MAX_TEXT
    return len(scrubbed.replace(REMOVED, " ").split()) >= MIN_WORDS and len(scrubbed) <= longest


class Pending(NamedTuple):
    question: SharedQuestion
    # True: offered to the person, waiting for the yes. False: the question
    # just answered, held in case the person says the answer did not help
    # (then it is offered).
    offered: bool


class PendingShares:
    """Questions waiting by conversation (sender id), in memory only: one
    offered to share, or the one just answered."""

    def __init__(
        self, seconds: float = PENDING_SECONDS, size: int = MAX_PENDING, timer: Callable[[], float] | None = None
    ) -> None:
        self._offers: TTLCache[str, Pending] = (
            TTLCache(maxsize=size, ttl=seconds, timer=timer) if timer else TTLCache(maxsize=size, ttl=seconds)
        )
        self._lock = threading.Lock()

    # Each call first drops what has expired: cachetools does so only when
    # an item is set, and an offer must not outlive its 10 minutes in memory.
    def offer(self, sender: str, question: SharedQuestion) -> None:
        self._put(sender, Pending(question, offered=True))

    def hold(self, sender: str, question: SharedQuestion) -> None:
        self._put(sender, Pending(question, offered=False))

    def _put(self, sender: str, pending: Pending) -> None:
        with self._lock:
            self._offers.expire()
            self._offers[sender] = pending

    def take(self, sender: str) -> Pending | None:
        """What waits for `sender`, removed; None if nothing does (or it expired)."""
        with self._lock:
            self._offers.expire()
            return self._offers.pop(sender, None)

    def __len__(self) -> int:
        with self._lock:
            self._offers.expire()
            return len(self._offers)


class ConsoleInbox:
    """The staff console's internal endpoint for shared questions."""

    def __init__(self, client: ConsoleClient) -> None:
        self.client = client

    @property
    def enabled(self) -> bool:
        return self.client.enabled

    def send(self, question: SharedQuestion) -> bool:
        """True when the console kept it."""
        return self.client.post("shared-questions", {**asdict(question), "topics": list(question.topics)})

    async def send_async(self, question: SharedQuestion) -> bool:
        return await asyncio.to_thread(self.send, question)


@functools.cache
def shared_pending() -> PendingShares:
    return PendingShares()


@functools.cache
def shared_inbox() -> ConsoleInbox:
    return ConsoleInbox(shared_client())
