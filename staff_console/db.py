"""What a request works with, as in Flask's tutorial: the staff database
(accounts, drafts), one connection per request, opened when first needed and
closed when the request ends (config.connect keeps the files readable by this
user only); and the content repository and its live store, one of each per
application."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, g

from policy_assistant.live_store import LiveStore
from policy_assistant.store import Store, StoreError
from staff_console.accounts import Accounts
from staff_console.config import Config, connect
from staff_console.content_repo import ContentRepo
from staff_console.drafts import Drafts
from staff_console.shared_questions import SharedQuestions
from staff_console.usage import Usage


@dataclass(frozen=True)
class Console:
    """What create_app makes once and every request shares."""

    config: Config
    repo: ContentRepo  # a publish is a commit here; its work tree is the live store
    live: LiveStore  # that work tree's answer store, reloaded when it changes
    today: Callable[[], dt.date] = dt.date.today  # the clock of what expires (a test sets a fake one)


def init_app(app: Flask, config: Config) -> None:
    with closing(connect(config.database)) as db:  # the constructors create the tables
        Accounts(db)
        Drafts(db)
        SharedQuestions(db).purge_expired()
        Usage(db)
    app.extensions["staff_console"] = Console(
        config, ContentRepo(config.content, config.server_texts), LiveStore(config.content)
    )
    app.teardown_appcontext(close_db)


def console() -> Console:
    return current_app.extensions["staff_console"]


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(console().config.database)
    return g.db


def close_db(_: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def accounts() -> Accounts:
    return Accounts(get_db())


def drafts() -> Drafts:
    return Drafts(get_db())


def live_store() -> Store | None:
    """The live answers; None while no good version of them was ever loaded."""
    try:
        return console().live.get()
    except StoreError:
        return None
