"""Usage counts (issue 29): how many questions each topic got, how many the
assistant did not understand, and how many answers people said helped or did
not, per day, language and channel. A count is only that: no message text, no
sender id, no address, no time finer than the day.

The action servers do not keep them: each sends its counts to the staff
console's internal endpoint (policy_assistant.console_client), which adds
them up in its database, so that every replica's counts add up and survive
restarts. Counts wait in memory until sent: at most one call is on its way
from a process at a time, calls are at least INTERVAL apart, and what comes
meanwhile goes with the next one, so a busy server sends one call a second
however many people it answers. When the console cannot be
reached, the counts wait for the next call (at most MAX_WAITING rows); a
restart loses what was not sent yet."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections import Counter
from typing import Callable, Dict, NamedTuple

from policy_assistant.console_client import ConsoleClient, shared_client

logger = logging.getLogger(__name__)

# the kinds of count
ASKED = "asked"  # a question answered with a topic, or not understood (topic NOT_UNDERSTOOD)
HELPED = "helped"  # "did this help?": yes
NOT_HELPED = "not_helped"  # "did this help?": no
KINDS = (ASKED, HELPED, NOT_HELPED)
NOT_UNDERSTOOD = "(not understood)"  # the topic of a question the assistant did not understand
MAX_WAITING = 5_000  # rows waiting while the console cannot be reached; past that, new counts are dropped
MAX_ROWS = 1_000  # rows in one call (the console refuses more)
INTERVAL = 1.0  # seconds from one call to the next, at least


class Row(NamedTuple):
    day: str  # YYYY-MM-DD
    kind: str
    topic: str
    lang: str
    channel: str


class UsageCounts:
    def __init__(
        self, client: ConsoleClient, today: Callable[[], dt.date] = dt.date.today, interval: float = INTERVAL
    ) -> None:
        self.client = client
        self.today = today
        self.interval = interval
        self._last_call = -interval
        self._waiting: Counter[Row] = Counter()
        self._lock = threading.Lock()
        self._sending = False

    def count(self, kind: str, topic: str, lang: str, channel: str | None) -> None:
        """Add one, and send what waits unless a call is on its way already."""
        if not self.client.enabled:
            return
        row = Row(self.today().isoformat(), kind, topic, lang, channel or "rest")
        with self._lock:
            if row not in self._waiting and len(self._waiting) >= MAX_WAITING:
                return  # the console has been out of reach for long: this count is lost
            self._waiting[row] += 1
            if self._sending:
                return
            self._sending = True
        threading.Thread(target=self._send_waiting, name="usage-counts", daemon=True).start()

    def _send_waiting(self) -> None:
        """Send what waits, call after call (INTERVAL apart), until nothing
        does or a call fails."""
        try:
            while True:
                time.sleep(max(0.0, self._last_call + self.interval - time.monotonic()))
                self._last_call = time.monotonic()
                if not self.send_once():
                    break
        finally:
            with self._lock:
                self._sending = False

    def send_once(self) -> bool:
        """One call with up to MAX_ROWS waiting rows; True when some were sent
        (on failure they wait again)."""
        with self._lock:
            rows = list(self._waiting.items())[:MAX_ROWS]
            for row, _ in rows:
                del self._waiting[row]
        if not rows:
            return False
        if self.client.post("usage", {"counts": [{**row._asdict(), "n": n} for row, n in rows]}):
            return True
        with self._lock:
            for row, n in rows:
                self._waiting[row] += n
        return False

    def waiting(self) -> Dict[Row, int]:
        with self._lock:
            return dict(self._waiting)


@functools.cache
def shared_usage() -> UsageCounts:
    return UsageCounts(shared_client())
