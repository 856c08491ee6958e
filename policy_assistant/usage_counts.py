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
reached, the counts wait (at most MAX_WAITING rows) and the call is tried
again every RETRY seconds; a restart loses what was not sent yet. Each call carries a batch id, and a
call that failed is sent again as it was, with its id: a call the console
kept but did not answer in time (a slow start) then counts once, not twice."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
import uuid
from collections import Counter
from typing import Callable, Dict, List, NamedTuple, Tuple

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
RETRY = 10.0  # seconds after a failed call before it is tried again


class Row(NamedTuple):
    day: str  # YYYY-MM-DD
    kind: str
    topic: str
    lang: str
    channel: str


class UsageCounts:
    def __init__(
        self,
        client: ConsoleClient,
        today: Callable[[], dt.date] = dt.date.today,
        interval: float = INTERVAL,
        retry: float = RETRY,
    ) -> None:
        self.client = client
        self.today = today
        self.interval, self.retry = interval, retry
        self._last_call = -interval
        self._waiting: Counter[Row] = Counter()
        self._unsent: Tuple[str, List[Tuple[Row, int]]] | None = None  # the batch a failed call left: its id, its rows
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
        """Send what waits, call after call (INTERVAL apart, RETRY after a
        failed one), until nothing does."""
        try:
            while True:
                time.sleep(max(0.0, self._last_call + self.interval - time.monotonic()))
                self._last_call = time.monotonic()
                sent = self.send_once()
                if sent is None:
                    break
                if not sent:
                    time.sleep(self.retry)
        finally:
            with self._lock:
                self._sending = False

    def send_once(self) -> bool | None:
        """One call: the batch a failed call left, as it was, or else up to
        MAX_ROWS waiting rows as a new batch; True when the console took it,
        None when nothing waits."""
        with self._lock:
            if self._unsent is None:
                rows = list(self._waiting.items())[:MAX_ROWS]
                for row, _ in rows:
                    del self._waiting[row]
                self._unsent = (uuid.uuid4().hex, rows) if rows else None
            batch = self._unsent
        if batch is None:
            return None
        batch_id, rows = batch
        if not self.client.post("usage", {"batch": batch_id, "counts": [{**r._asdict(), "n": n} for r, n in rows]}):
            return False
        with self._lock:
            self._unsent = None
        return True

    def waiting(self) -> Dict[Row, int]:
        """What is not sent yet, by row."""
        with self._lock:
            total = Counter(self._waiting)
            for row, n in self._unsent[1] if self._unsent else ():
                total[row] += n
            return dict(total)


@functools.cache
def shared_usage() -> UsageCounts:
    return UsageCounts(shared_client())
