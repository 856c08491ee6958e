"""How many questions each topic got per day, and how many were not
understood: counts only. A row is (day, topic, count); no message text, no
sender id, no IP address, no time finer than the day is ever written.

The counts live in one SQLite file, $QUESTION_COUNTS_DB (default
var/question_counts.sqlite3 in the project), which needs no set-up. The staff
console reads it. Several action servers on one machine may share the file
(SQLite locks it); replicas on other machines keep files of their own."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Dict, List, Tuple

from policy_assistant.settings import AnswerSettings

logger = logging.getLogger(__name__)

NOT_UNDERSTOOD = "(not understood)"  # the row for messages the assistant did not understand
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions_per_day (
    day   TEXT NOT NULL,     -- YYYY-MM-DD
    topic TEXT NOT NULL,     -- a topic id, or '(not understood)'
    asked INTEGER NOT NULL,
    PRIMARY KEY (day, topic)
)
"""


def counts_path() -> Path:
    return AnswerSettings().question_counts_db


class QuestionCounts:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=2, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            self._db = db
        return self._db

    def count(self, topic: str, day: dt.date | None = None) -> None:
        """Add one to today's count for `topic`. A failure is logged (without
        anything the person wrote) and never stops an answer."""
        day = day or dt.date.today()
        try:
            with self._lock:
                self._connection().execute(
                    "INSERT INTO questions_per_day (day, topic, asked) VALUES (?, ?, 1) "
                    "ON CONFLICT (day, topic) DO UPDATE SET asked = asked + 1",
                    (day.isoformat(), topic),
                )
        except sqlite3.Error as error:
            logger.warning("Could not count a question in %s: %s", self.path, error)

    def per_day(self, days: int = 14, today: dt.date | None = None) -> Tuple[List[str], Dict[str, Dict[str, int]]]:
        """The last `days` days (newest first) and, per topic, the count per day."""
        today = today or dt.date.today()
        dates = [(today - dt.timedelta(days=i)).isoformat() for i in range(days)]
        table: Dict[str, Dict[str, int]] = {}
        if not self.path.exists():
            return dates, table
        with self._lock:
            rows = (
                self._connection()
                .execute("SELECT day, topic, asked FROM questions_per_day WHERE day >= ?", (dates[-1],))
                .fetchall()
            )
        for day, topic, asked in rows:
            table.setdefault(topic, {})[day] = asked
        return dates, table


@functools.cache
def shared_counts() -> QuestionCounts:
    return QuestionCounts(counts_path())
