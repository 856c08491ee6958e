"""A question the person agreed to share with city staff (issue 29), on the
action server's side: the offer waits here, scrubbed, until the person says
yes, then goes to the staff console, which keeps it for 30 days.

Until the yes, the scrubbed text waits only in this process's memory (a TTL
cache of cachetools, at most PENDING_SECONDS): never in the tracker store,
Redis, a file or a log. Any other message in the conversation discards it;
a restart loses it. With several action servers (make run-scaled), the yes may
reach another one than the offer: that one has nothing, and the person is
asked to send the question again (share_expired).

After the yes, the console receives the text, its language, the channel, and
the topics the assistant thought closest; never the sender id. The call is
authenticated with $INTERNAL_TOKEN (policy_assistant.settings)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Callable, Tuple

from cachetools import TTLCache

from policy_assistant.scrub import REMOVED
from policy_assistant.settings import SharingSettings

logger = logging.getLogger(__name__)

PENDING_SECONDS = 600  # how long an offer waits for the person's yes
MAX_PENDING = 10_000  # offers waiting at once, at most; past that, the oldest go
MIN_WORDS = 3  # a shorter message ("asdf", "??") is not worth offering to share
SEND_TIMEOUT = 5.0


@dataclass(frozen=True)
class SharedQuestion:
    text: str  # scrubbed (policy_assistant.scrub): exactly what the person saw
    lang: str
    channel: str
    topics: Tuple[str, ...]  # the topics the assistant thought closest, best first


def worth_offering(scrubbed: str) -> bool:
    """A question with words left after scrubbing, enough to read."""
    return len(scrubbed.replace(REMOVED, " ").split()) >= MIN_WORDS


class PendingShares:
    """Offers waiting for a yes, by conversation (sender id), in memory only."""

    def __init__(
        self, seconds: float = PENDING_SECONDS, size: int = MAX_PENDING, timer: Callable[[], float] | None = None
    ) -> None:
        self._offers: TTLCache[str, SharedQuestion] = (
            TTLCache(maxsize=size, ttl=seconds, timer=timer) if timer else TTLCache(maxsize=size, ttl=seconds)
        )
        self._lock = threading.Lock()

    def offer(self, sender: str, question: SharedQuestion) -> None:
        with self._lock:
            self._offers[sender] = question

    def take(self, sender: str) -> SharedQuestion | None:
        """The offer waiting for `sender`, removed; None if there is none (or it expired)."""
        with self._lock:
            return self._offers.pop(sender, None)

    def discard(self, sender: str) -> None:
        with self._lock:
            self._offers.pop(sender, None)

    def __len__(self) -> int:
        with self._lock:
            self._offers.expire()
            return len(self._offers)


class ConsoleInbox:
    """The staff console's internal endpoint for shared questions."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    @property
    def enabled(self) -> bool:
        return bool(self.token) and self.url.startswith(("http://", "https://"))

    def send(self, question: SharedQuestion) -> bool:
        """True when the console kept it. A failure is logged without the text."""
        body = json.dumps({**asdict(question), "topics": list(question.topics)}).encode()
        if not self.enabled:
            return False
        request = urllib.request.Request(  # noqa: S310 (enabled: an http(s) URL of the settings)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:  # noqa: S310 (our own URL)
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError) as error:
            status = getattr(error, "code", None) or getattr(error, "reason", error.__class__.__name__)
            logger.warning("Could not pass a shared question to the staff console: %s", status)
            return False

    async def send_async(self, question: SharedQuestion) -> bool:
        return await asyncio.to_thread(self.send, question)


@functools.cache
def shared_pending() -> PendingShares:
    return PendingShares()


@functools.cache
def shared_inbox() -> ConsoleInbox:
    settings = SharingSettings()
    return ConsoleInbox(settings.shared_questions_url, settings.internal_token)
