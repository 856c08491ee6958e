"""The console's configuration, from the environment. Every value has a default
that works on a fresh clone (`make run`)."""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
VAR = PROJECT / "var"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    content: Path  # the content repository; its work tree is the live answer store
    project_store: Path  # the project's answer_store/, merged in at start
    database: Path  # accounts, sign-in failures, drafts
    counts: Path  # the assistant's question counts (policy_assistant.question_counts)
    secret_key: str
    session_minutes: int  # a session ends after this long without a request
    self_publish: bool  # one person may write and publish the same change (small offices)
    behind_proxy: bool  # trust X-Forwarded-Proto/For from one proxy (nginx with TLS)
    session_max_hours: int = 12  # and this long after signing in, however active

    @classmethod
    def from_env(cls) -> Config:
        database = Path(os.environ.get("STAFF_DB") or VAR / "staff.sqlite3")
        return cls(
            host=os.environ.get("STAFF_CONSOLE_HOST", "127.0.0.1"),
            port=int(os.environ.get("STAFF_CONSOLE_PORT", "5002")),
            content=Path(os.environ.get("CONTENT_REPO") or VAR / "content"),
            project_store=Path(os.environ.get("PROJECT_ANSWER_STORE") or PROJECT / "answer_store"),
            database=database,
            counts=Path(os.environ.get("QUESTION_COUNTS_DB") or VAR / "question_counts.sqlite3"),
            secret_key=os.environ.get("STAFF_SECRET_KEY") or _kept_secret(database.parent / "staff_secret_key"),
            session_minutes=int(os.environ.get("STAFF_SESSION_MINUTES", "30")),
            self_publish=_flag("STAFF_SELF_PUBLISH"),
            behind_proxy=_flag("STAFF_BEHIND_PROXY"),
            session_max_hours=int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12")),
        )


def _kept_secret(path: Path) -> str:
    """The key that signs session cookies: made once, readable by this user only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def connect(path: Path) -> sqlite3.Connection:
    """The staff database (accounts, password hashes, drafts), readable by
    this user only: SQLite gives its -wal and -shm files the database's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _private(path)
    db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    return db


def _private(path: Path) -> None:
    """Create `path` with mode 0600, or take group and other access away from it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists() and stat.S_IMODE(file.stat().st_mode) & 0o077:
                file.chmod(0o600)
