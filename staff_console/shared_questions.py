"""Questions people agreed to share with city staff (issue 29), kept in the
staff database for KEEP_DAYS days and then deleted by the console itself:
every request to the console first deletes what is older (the deletion
cannot wait for a person), and SQLite overwrites what it deletes
(secure_delete). A row is the scrubbed text the person saw and said yes to,
its language, the channel, the day (no finer), and the topics the assistant
thought closest; never a sender id, phone number or address.

Staff assign a question to a topic (it becomes a training example in the
content repository: accepted_file_text), mark it as needing a new answer, or
delete it; a publisher can delete them all at once."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Callable, List, Tuple

import yaml

from policy_assistant.scrub import REMOVED
from policy_assistant.shared_questions import MAX_TEXT  # the action servers offer no longer a text

KEEP_DAYS = 30
NEW, NEEDS_ANSWER = "new", "needs_answer"
# the file, in the content repository, of the examples accepted from shared
# questions: Rasa's NLU format, read by nlu_pipeline/accepted_examples.py
ACCEPTED_FILE = "training/shared_questions.yml"
ACCEPTED_HEADER = (
    "# Training examples accepted by staff from questions people agreed to share\n"
    "# (the staff console's review queue, issue 29). Each example records who\n"
    "# accepted it and when; the questions were scrubbed of names and numbers\n"
    "# before the person saw them and said yes. Read by `rasa train` through\n"
    "# nlu_pipeline/accepted_examples.py.\n"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS shared_questions (
    id         INTEGER PRIMARY KEY,
    text       TEXT NOT NULL,              -- scrubbed, exactly as the person saw it
    lang       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    day        TEXT NOT NULL,              -- YYYY-MM-DD, the day it was shared
    topics     TEXT NOT NULL DEFAULT '',   -- the closest topics, best first, comma separated
    status     TEXT NOT NULL DEFAULT 'new',
    handled_by TEXT
)
"""


@dataclass(frozen=True)
class KeptQuestion:
    """A shared question as the console keeps it (the action server's
    policy_assistant.shared_questions.SharedQuestion, with its row's id, day and status)."""

    id: int
    text: str
    lang: str
    channel: str
    day: dt.date
    topics: Tuple[str, ...]
    status: str
    handled_by: str | None

    @property
    def expires(self) -> dt.date:
        return self.day + dt.timedelta(days=KEEP_DAYS)


class SharedQuestions:
    """The shared questions of the staff database. `today` is the clock
    (a test passes a fake one)."""

    def __init__(self, db: sqlite3.Connection, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.db = db
        self.today = today
        db.execute("PRAGMA secure_delete=ON")  # a deleted question's bytes are overwritten, not left in free pages
        db.execute(SCHEMA)

    def add(self, text: str, lang: str, channel: str, topics: Tuple[str, ...]) -> int:
        cursor = self.db.execute(
            "INSERT INTO shared_questions (text, lang, channel, day, topics) VALUES (?, ?, ?, ?, ?)",
            (text[:MAX_TEXT], lang, channel, self.today().isoformat(), ",".join(topics)),
        )
        return int(cursor.lastrowid or 0)

    def purge_expired(self) -> int:
        """Delete every question shared KEEP_DAYS days ago or earlier; how many."""
        oldest_kept = (self.today() - dt.timedelta(days=KEEP_DAYS - 1)).isoformat()
        return self._deleted(self.db.execute("DELETE FROM shared_questions WHERE day < ?", (oldest_kept,)).rowcount)

    def purge_all(self) -> int:
        return self._deleted(self.db.execute("DELETE FROM shared_questions").rowcount)

    def _deleted(self, count: int) -> int:
        """After a deletion, the write-ahead log goes into the database and is
        emptied, so that no copy of a deleted question stays in the -wal file."""
        if count:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    def listing(self) -> List[KeptQuestion]:
        """Newest first."""
        rows = self.db.execute("SELECT * FROM shared_questions ORDER BY day DESC, id DESC").fetchall()
        return [_question(row) for row in rows]

    def get(self, question_id: int) -> KeptQuestion | None:
        row = self.db.execute("SELECT * FROM shared_questions WHERE id = ?", (question_id,)).fetchone()
        return _question(row) if row is not None else None

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM shared_questions").fetchone()[0])

    def delete(self, question_id: int) -> bool:
        deleted = self.db.execute("DELETE FROM shared_questions WHERE id = ?", (question_id,)).rowcount
        return self._deleted(deleted) == 1

    def mark_needs_answer(self, question_id: int, by: str) -> bool:
        cursor = self.db.execute(
            "UPDATE shared_questions SET status = ?, handled_by = ? WHERE id = ?", (NEEDS_ANSWER, by, question_id)
        )
        return cursor.rowcount == 1


def _question(row: sqlite3.Row) -> KeptQuestion:
    return KeptQuestion(
        id=row["id"],
        text=row["text"],
        lang=row["lang"],
        channel=row["channel"],
        day=dt.date.fromisoformat(row["day"]),
        topics=tuple(t for t in row["topics"].split(",") if t),
        status=row["status"],
        handled_by=row["handled_by"],
    )


def accepted_file_text(current: str | None, question: KeptQuestion, topic: str, by: str, on: dt.date) -> str:
    """The accepted examples' file with `question` added as an example of
    `topic` (and of no other), recording who accepted it, when, and its language."""
    data = yaml.safe_load(current or "") or {}
    intents = [i for i in data.get("nlu") or [] if isinstance(i, dict)]
    # "[…]" without its brackets: Rasa reads "[words](name)" as an entity
    example = question.text.replace(REMOVED, "…")
    for entry in intents:
        written = entry.get("examples") or []
        if isinstance(written, str):  # written by hand as a block ("examples: |"): one each
            written = [{"text": line.strip()[2:]} for line in written.splitlines() if line.strip().startswith("- ")]
        entry["examples"] = [e for e in written if isinstance(e, dict) and e.get("text") != example]
    found = [i for i in intents if i.get("intent") == topic]
    entry = found[0] if found else {"intent": topic, "examples": []}
    if not found:
        intents.append(entry)
    metadata = {"lang": question.lang, "accepted_by": by, "accepted_on": on.isoformat()}
    entry["examples"].append({"text": example, "metadata": metadata})
    body = yaml.safe_dump(
        {"version": "3.1", "nlu": sorted(intents, key=lambda i: str(i.get("intent")))},
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    return ACCEPTED_HEADER + body
