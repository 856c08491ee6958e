"""The console's configuration, from the environment (one settings class,
ConsoleEnvironment). Every value has a default that works on a fresh clone
(`make run`)."""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseSettings, validator
from pydantic.fields import ModelField

from policy_assistant.settings import ServerTextSettings

PROJECT = Path(__file__).resolve().parent.parent
VAR = PROJECT / "var"


class ConsoleEnvironment(BaseSettings):
    """The console's settings as the environment gives them (each field's name
    in capitals: STAFF_DB, STAFF_CONSOLE_PORT, ...); an empty value is unset."""

    staff_console_host: str = "127.0.0.1"
    staff_console_port: int = 5002
    content_repo: Path = VAR / "content"
    project_answer_store: Path = PROJECT / "answer_store"
    staff_db: Path = VAR / "staff.sqlite3"
    staff_secret_key: str = ""  # else one made once and kept beside the database
    staff_session_minutes: int = 30
    staff_session_max_hours: int = 12
    staff_self_publish: bool = False
    staff_behind_proxy: bool = False
    # the Rasa servers a retraining's new model is loaded on (base URLs, comma
    # separated); set, publishers can start a retraining from the console
    # (devtools/retrain.py, which needs Rasa beside the console: make run, make run-scaled)
    retrain_servers: str = ""
    # or: the Rasa servers follow this console's serving model (their MODEL_ORIGIN,
    # rasa_server/model_follower.py), as in the deployments, where pods come and go;
    # publishers can retrain here (Rasa beside the console: the deployments run it from the Rasa image)
    retrain_followed: bool = False
    retrain_log: Path = VAR / "retraining.log"  # the last retraining's output: steps and figures only

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    content: Path  # the content repository; its work tree is the live answer store
    project_store: Path  # the project's answer_store/, merged in at start
    database: Path  # accounts, sign-in failures, drafts
    secret_key: str
    session_minutes: int  # a session ends after this long without a request
    self_publish: bool  # one person may write and publish the same change (small offices)
    behind_proxy: bool  # trust X-Forwarded-Proto/For from one proxy (nginx with TLS)
    session_max_hours: int = 12  # and this long after signing in, however active
    server_texts: Path | None = None  # the Rasa server's texts, written at each publish (None: not written)
    retrain_servers: tuple[str, ...] = ()  # the servers told to load a new model (devtools/retrain.py reads them too)
    retrain_followed: bool = False  # the servers follow this console's model instead
    retrain_log: Path = VAR / "retraining.log"

    @property
    def retrains(self) -> bool:
        """Publishers can start a retraining here: its new model reaches the servers one way or the other."""
        return bool(self.retrain_servers) or self.retrain_followed

    @classmethod
    def from_env(cls) -> Config:
        env = ConsoleEnvironment()
        return cls(
            host=env.staff_console_host,
            port=env.staff_console_port,
            content=env.content_repo,
            project_store=env.project_answer_store,
            database=env.staff_db,
            secret_key=env.staff_secret_key or _kept_secret(env.staff_db.parent / "staff_secret_key"),
            session_minutes=env.staff_session_minutes,
            self_publish=env.staff_self_publish,
            behind_proxy=env.staff_behind_proxy,
            session_max_hours=env.staff_session_max_hours,
            server_texts=ServerTextSettings().server_texts,  # the Rasa server's own setting: the file it reads
            retrain_servers=tuple(url for url in env.retrain_servers.split(",") if url),
            retrain_followed=env.retrain_followed,
            retrain_log=env.retrain_log,
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
