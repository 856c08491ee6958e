"""Drafts: a staff member's changes to store files that nobody else sees yet.

A draft holds the new text of each file it changes and the content commit it
started from. Each staff member has at most one open draft; their edits add to
it. An author asks for review; a publisher (not the author, unless the console
allows it) publishes it, which makes it a commit of the content repository.
An undo of a publish is a draft too, proposed for review at once."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Dict, List, Mapping

OPEN, IN_REVIEW, PUBLISHED, DISCARDED = "open", "in review", "published", "discarded"
SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author TEXT NOT NULL,
    base TEXT NOT NULL,           -- the content commit the draft started from
    files TEXT NOT NULL,          -- JSON: path in the store -> new text, or null to remove the file
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    updated REAL NOT NULL,
    publisher TEXT,
    commit_sha TEXT,
    subject TEXT NOT NULL DEFAULT ''  -- the commit's subject; empty: "Edit <files>"
);
"""


@dataclass
class Draft:
    id: int
    author: str
    base: str
    files: Dict[str, str | None]
    note: str
    status: str
    updated: float
    publisher: str | None
    commit_sha: str | None
    subject: str = ""

    @property
    def editable(self) -> bool:
        return self.status in (OPEN, IN_REVIEW)

    @property
    def version(self) -> str:
        """Names exactly what the draft holds: a publish names the version the
        publisher read, and an edit after that makes it another version."""
        return hashlib.sha256(json.dumps(self.files, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


class Drafts:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        db.executescript(SCHEMA)
        if "subject" not in {row["name"] for row in db.execute("PRAGMA table_info(drafts)")}:
            db.execute("ALTER TABLE drafts ADD COLUMN subject TEXT NOT NULL DEFAULT ''")

    def _draft(self, row: sqlite3.Row | None) -> Draft | None:
        if row is None:
            return None
        return Draft(
            row["id"],
            row["author"],
            row["base"],
            json.loads(row["files"]),
            row["note"],
            row["status"],
            row["updated"],
            row["publisher"],
            row["commit_sha"],
            row["subject"],
        )

    def get(self, draft_id: int) -> Draft | None:
        return self._draft(self.db.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone())

    def current(self, author: str) -> Draft | None:
        """The author's draft still being written or reviewed."""
        row = self.db.execute(
            "SELECT * FROM drafts WHERE author = ? AND status IN (?, ?) ORDER BY id DESC LIMIT 1",
            (author, OPEN, IN_REVIEW),
        ).fetchone()
        return self._draft(row)

    def save_file(self, author: str, base: str, path: str, text: str, live_text: str | None) -> Draft:
        """Put a file's new text in the author's draft (a new draft if none).
        A file edited back to its live text leaves the draft. The draft is then
        more than what its subject says, so it takes the subject of an edit."""
        draft = self.current(author)
        if draft is None:
            cursor = self.db.execute(
                "INSERT INTO drafts (author, base, files, status, updated) VALUES (?, ?, '{}', ?, ?)",
                (author, base, OPEN, time.time()),
            )
            draft = self.get(int(cursor.lastrowid or 0))
            assert draft is not None
        if text == live_text:
            draft.files.pop(path, None)
        else:
            draft.files[path] = text
        self.db.execute(
            "UPDATE drafts SET files = ?, status = ?, updated = ?, subject = '' WHERE id = ?",
            (json.dumps(draft.files, ensure_ascii=False), OPEN, time.time(), draft.id),
        )
        return self.get(draft.id) or draft

    def propose(self, author: str, base: str, files: Mapping[str, str | None], note: str, subject: str) -> Draft:
        """A draft of whole changes (an undo), in review at once; it takes the
        place of the author's empty draft, if any (call only when the author has
        no draft with changes)."""
        self.db.execute(
            "UPDATE drafts SET status = ?, updated = ? WHERE author = ? AND status IN (?, ?) AND files = '{}'",
            (DISCARDED, time.time(), author, OPEN, IN_REVIEW),
        )
        cursor = self.db.execute(
            "INSERT INTO drafts (author, base, files, note, status, updated, subject) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (author, base, json.dumps(dict(files), ensure_ascii=False), note, IN_REVIEW, time.time(), subject),
        )
        draft = self.get(int(cursor.lastrowid or 0))
        assert draft is not None
        return draft

    def ask_review(self, draft: Draft, note: str) -> None:
        self.db.execute(
            "UPDATE drafts SET note = ?, status = ?, updated = ? WHERE id = ?",
            (note.strip(), IN_REVIEW, time.time(), draft.id),
        )

    def published(self, draft: Draft, publisher: str, sha: str) -> None:
        """Mark the draft published, unless its author changed it meanwhile (then
        it stays open with that change, which was not published)."""
        self.db.execute(
            "UPDATE drafts SET status = ?, publisher = ?, commit_sha = ?, updated = ? WHERE id = ? AND files = ?",
            (PUBLISHED, publisher, sha, time.time(), draft.id, json.dumps(draft.files, ensure_ascii=False)),
        )

    def discard(self, draft: Draft) -> None:
        self.db.execute("UPDATE drafts SET status = ?, updated = ? WHERE id = ?", (DISCARDED, time.time(), draft.id))

    def waiting(self) -> List[Draft]:
        rows = self.db.execute("SELECT * FROM drafts WHERE status IN (?, ?) ORDER BY updated", (OPEN, IN_REVIEW))
        return [d for d in (self._draft(r) for r in rows) if d is not None and d.files]
