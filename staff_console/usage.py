"""The usage counts every action server sends (policy_assistant.usage_counts),
added up in the staff database: one row per day, kind, topic, language and
channel, with its count. No message text, sender, address or time finer than
the day is ever received or kept, so the rows are kept as long as the
database (the dashboard reads the last DASHBOARD_DAYS days)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import Any, Iterable, List, NamedTuple

from policy_assistant.usage_counts import KINDS, NOT_UNDERSTOOD

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_per_day (
    day     TEXT NOT NULL,   -- YYYY-MM-DD
    kind    TEXT NOT NULL,   -- asked, helped, not_helped
    topic   TEXT NOT NULL,   -- a topic id, or '(not understood)'
    lang    TEXT NOT NULL,
    channel TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, kind, topic, lang, channel)
);
-- the batches of counts already added: an action server sends a batch again,
-- with its id, when it had no answer to it (policy_assistant.usage_counts)
CREATE TABLE IF NOT EXISTS usage_batches (
    id  TEXT PRIMARY KEY,
    day TEXT NOT NULL    -- YYYY-MM-DD, when it arrived
)
"""
BATCH_ID = re.compile(r"[0-9a-f]{32}")
KEEP_BATCH_IDS_DAYS = 2  # a batch sent again comes back within seconds; its id is kept this long
MAX_COUNT = 1_000_000  # in one row of one call, at most
CHANNELS = {"rest", "webchat", "twilio", "cmdline", "socketio"}  # Rasa's input channels the assistant has
OLDEST_DAYS = 30  # a count may arrive this many days late (an action server out of reach), no more


class Count(NamedTuple):
    day: str
    kind: str
    topic: str
    lang: str
    channel: str
    n: int


def valid_count(item: Any, topics: Iterable[str], languages: Iterable[str], today: dt.date) -> Count | None:
    """`item` (one entry of an internal call) as a count, when every field is
    one the assistant sends: a recent day, a kind, a topic of the live store
    (or not understood), one of its languages, one of its channels, and a
    positive whole number; None otherwise."""
    if not isinstance(item, dict):
        return None
    texts, n = [item.get(name) for name in Count._fields[:5]], item.get("n")
    if not all(isinstance(value, str) for value in texts):
        return None
    day, kind, topic, lang, channel = (str(value) for value in texts)
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        return None
    if not today - dt.timedelta(days=OLDEST_DAYS) <= when <= today + dt.timedelta(days=1):
        return None
    if kind not in KINDS or channel not in CHANNELS or lang not in set(languages):
        return None
    if topic not in set(topics) and not (topic == NOT_UNDERSTOOD and kind == "asked"):
        return None
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COUNT:
        return None
    return Count(day, kind, topic, lang, channel, n)


class Usage:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)

    def add(self, batch: str, counts: Iterable[Count], today: dt.date) -> bool:
        """Add a batch of counts, once: False (and nothing added) when a batch
        with this id was added before."""
        rows = list(counts)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            new = self.db.execute(
                "INSERT OR IGNORE INTO usage_batches (id, day) VALUES (?, ?)", (batch, today.isoformat())
            ).rowcount
            if new:
                self.db.executemany(
                    "INSERT INTO usage_per_day (day, kind, topic, lang, channel, n) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (day, kind, topic, lang, channel) DO UPDATE SET n = n + excluded.n",
                    rows,
                )
            old = (today - dt.timedelta(days=KEEP_BATCH_IDS_DAYS)).isoformat()
            self.db.execute("DELETE FROM usage_batches WHERE day < ?", (old,))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return bool(new)

    def since(self, first: dt.date) -> List[Count]:
        rows = self.db.execute(
            "SELECT day, kind, topic, lang, channel, n FROM usage_per_day WHERE day >= ?", (first.isoformat(),)
        ).fetchall()
        return [Count(*tuple(row)) for row in rows]
