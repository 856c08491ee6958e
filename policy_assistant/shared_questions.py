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
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any, Callable, Tuple

from cachetools import TTLCache

from policy_assistant.names import PHONE_CHANNEL
from policy_assistant.scrub import REMOVED
from policy_assistant.secret_check import strong
from policy_assistant.settings import SharingSettings

logger = logging.getLogger(__name__)

PENDING_SECONDS = 600  # how long an offer waits for the person's yes
MAX_PENDING = 10_000  # offers waiting at once, at most; past that, the oldest go
MIN_WORDS = 3  # a shorter message ("asdf", "??") is not worth offering to share
MAX_TEXT = 1_000  # characters of a shared question, at most (the console refuses more)
# on a phone the offer, its options and the quote must fit one message
# (phone_messages.MESSAGE_LIMIT, 1,600), so that nothing of the quote is cut
MAX_PHONE_TEXT = 600
SEND_TIMEOUT = 5.0


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


class PendingShares:
    """Offers waiting for a yes, by conversation (sender id), in memory only."""

    def __init__(
        self, seconds: float = PENDING_SECONDS, size: int = MAX_PENDING, timer: Callable[[], float] | None = None
    ) -> None:
        self._offers: TTLCache[str, SharedQuestion] = (
            TTLCache(maxsize=size, ttl=seconds, timer=timer) if timer else TTLCache(maxsize=size, ttl=seconds)
        )
        self._lock = threading.Lock()

    # Each call first drops what has expired: cachetools does so only when
    # an item is set, and an offer must not outlive its 10 minutes in memory.
    def offer(self, sender: str, question: SharedQuestion) -> None:
        with self._lock:
            self._offers.expire()
            self._offers[sender] = question

    def take(self, sender: str) -> SharedQuestion | None:
        """The offer waiting for `sender`, removed; None if there is none (or it expired)."""
        with self._lock:
            self._offers.expire()
            return self._offers.pop(sender, None)

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
        return strong(self.token) and self.url.startswith(("http://", "https://"))

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
            with DIRECT.open(request, timeout=SEND_TIMEOUT) as response:
                return 200 <= response.status < 300
        except Exception as error:  # noqa: BLE001 (any failure: nothing kept, the person is told)
            status = getattr(error, "code", None) or error.__class__.__name__
            logger.warning("Could not pass a shared question to the staff console: %s", status)
            return False

    async def send_async(self, question: SharedQuestion) -> bool:
        return await asyncio.to_thread(self.send, question)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a failure: the token and the text go to the URL given, nowhere else


# straight to the console: no proxy of the environment (HTTP_PROXY), no redirect
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@functools.cache
def shared_pending() -> PendingShares:
    return PendingShares()


@functools.cache
def shared_inbox() -> ConsoleInbox:
    settings = SharingSettings()
    return ConsoleInbox(settings.shared_questions_url, settings.internal_token)
