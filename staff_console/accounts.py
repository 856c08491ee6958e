"""Staff accounts: argon2id password hashes (argon2-cffi), two roles, a random
session token each, an optional display name, and sign-in tries limited per
address and per account.

`make staff-user` runs this module: it creates or updates the account
$STAFF_USER with role $STAFF_ROLE (editor or publisher) and password
$STAFF_PASSWORD, asking for the password when it is not set, and the display
name $STAFF_DISPLAY_NAME: the reviewer's name the public reads (empty: the
role's words; not set: unchanged). Passwords are never printed, logged or
stored; only their hash is. Saving an account signs it out everywhere."""

from __future__ import annotations

import getpass
import math
import re
import secrets
import sqlite3
import sys
import time
from dataclasses import dataclass
from typing import Sequence, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseSettings

from staff_console.config import Config, connect

ROLES = ("editor", "publisher")
# What the public reads as the reviewer of an account without a display name
# ("Reviewed by city staff (publisher) on ..."): never the user name, which signs in.
ROLE_WORDS = {"editor": "liaison", "publisher": "publisher"}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 12
MAX_DISPLAY_NAME = 60
FREE_FAILURES = 3  # failures from one address before its sign-ins are slowed down
MAX_WAIT = 15 * 60  # seconds
ACCOUNT_TRIES = 10  # sign-in tries per account per ACCOUNT_WINDOW, from all addresses together
ACCOUNT_WINDOW = 60  # seconds
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    session_token TEXT,          -- random; a new one ends every session of the account
    display_name TEXT            -- the reviewer's name the public reads; ROLE_WORDS when NULL
);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    key TEXT PRIMARY KEY,        -- 'address:<ip>'
    failures INTEGER NOT NULL,
    last REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS account_tries (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL
);
"""
hasher = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    role: str
    session_token: str  # random; a session cookie counts only while it carries this
    display_name: str | None = None

    @property
    def publisher(self) -> bool:
        return self.role == "publisher"

    @property
    def public_name(self) -> str:
        """The name written into what the public reads: the display name, or the role."""
        return self.display_name or ROLE_WORDS[self.role]


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def check_display_name(username: str, display_name: str) -> None:
    if not 2 <= len(display_name) <= MAX_DISPLAY_NAME or not display_name.isprintable():
        raise AccountError(f"a display name is 2-{MAX_DISPLAY_NAME} characters on one line")
    if display_name.casefold() == username.casefold():
        raise AccountError("the display name is published, so it cannot be the user name, which signs in")


class Accounts:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        db.executescript(SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        """Bring a database made before session tokens and display names up to date."""
        columns = {row["name"] for row in self.db.execute("PRAGMA table_info(users)")}
        for column in ("session_token", "display_name"):
            if column not in columns:
                self.db.execute(f"ALTER TABLE users ADD COLUMN {column} TEXT")
        for (username,) in self.db.execute("SELECT username FROM users WHERE session_token IS NULL").fetchall():
            self.db.execute("UPDATE users SET session_token = ? WHERE username = ?", (new_session_token(), username))

    def save(self, username: str, role: str, password: str, display_name: str | None = None) -> bool:
        """Create or update an account; True when it was created. A display
        name of None keeps the one the account has; "" removes it."""
        if not USERNAME.fullmatch(username):
            raise AccountError("a user name is 2-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
        if role not in ROLES:
            raise AccountError(f"the role is one of: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
        if display_name:
            check_display_name(username, display_name)
        existing = self.user(username)
        if display_name is None and existing is not None:
            display_name = existing.display_name
        self.db.execute(
            "INSERT INTO users (username, role, password_hash, session_token, display_name) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
            "session_token = excluded.session_token, display_name = excluded.display_name",
            (username, role, hasher.hash(password), new_session_token(), display_name or None),
        )
        return existing is None

    def user(self, username: str) -> User | None:
        row = self.db.execute(
            "SELECT username, role, session_token, display_name FROM users WHERE username = ?", (username,)
        ).fetchone()
        return User(row["username"], row["role"], row["session_token"], row["display_name"]) if row else None

    def any_user(self) -> bool:
        return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def end_sessions(self, username: str) -> None:
        """Sign the user out everywhere: every cookie signed before now stops working."""
        self.db.execute("UPDATE users SET session_token = ? WHERE username = ?", (new_session_token(), username))

    # ---------------------------------------------------------------- signing in
    def attempt(self, username: str, address: str, now: float | None = None) -> int:
        """Start a sign-in: the seconds to wait first (nothing else happens), or
        0, and the attempt is counted as a failure until sign_in succeeds. The
        check and the count are one transaction, so parallel tries cannot slip
        past the limit.

        An address that failed FREE_FAILURES times waits longer after each
        further failure; its failures are forgotten MAX_WAIT after the last.
        An account takes ACCOUNT_TRIES tries per ACCOUNT_WINDOW from all
        addresses together; beyond that, addresses that have failed wait, and an
        address that has not failed is still let through, so guesses from
        elsewhere never lock the right person out."""
        now = time.time() if now is None else now
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM sign_in_failures WHERE last < ?", (now - MAX_WAIT,))
            self.db.execute("DELETE FROM account_tries WHERE at <= ?", (now - ACCOUNT_WINDOW,))
            failures, last = self._address_failures(address)
            wait = last + min(MAX_WAIT, 2 ** (failures - FREE_FAILURES + 1)) - now if failures >= FREE_FAILURES else 0
            if failures:
                wait = max(wait, self._account_wait(username, now))
            if wait <= 0:
                self._count_try(username, address, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return max(0, math.ceil(wait))

    def _address_failures(self, address: str) -> Tuple[int, float]:
        """How often `address` failed (since MAX_WAIT before its last failure), and when last."""
        row = self.db.execute(
            "SELECT failures, last FROM sign_in_failures WHERE key = ?", (f"address:{address}",)
        ).fetchone()
        return (row["failures"], row["last"]) if row else (0, 0.0)

    def _account_wait(self, username: str, now: float) -> float:
        row = self.db.execute(
            "SELECT COUNT(*) AS tries, MIN(at) AS first FROM account_tries WHERE username = ?", (username,)
        ).fetchone()
        return row["first"] + ACCOUNT_WINDOW - now if row["tries"] >= ACCOUNT_TRIES else 0.0

    def _count_try(self, username: str, address: str, now: float) -> None:
        self.db.execute(
            "INSERT INTO sign_in_failures (key, failures, last) VALUES (?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last = excluded.last",
            (f"address:{address}", now),
        )
        self.db.execute("INSERT INTO account_tries (username, address, at) VALUES (?, ?, ?)", (username, address, now))

    def sign_in(self, username: str, password: str, address: str) -> User | None:
        """The user, if the password is right (call after attempt() returned 0);
        a success forgets the address's failures and its tries of the account."""
        row = self.db.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
        try:
            if row is None:
                hasher.hash(password)  # as slow as a real check, so names cannot be told apart by time
                raise VerificationError
            hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        self.db.execute("DELETE FROM sign_in_failures WHERE key = ?", (f"address:{address}",))
        self.db.execute("DELETE FROM account_tries WHERE username = ? AND address = ?", (username, address))
        if hasher.check_needs_rehash(row["password_hash"]):
            self.db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hasher.hash(password), username))
        return self.user(username)


class StaffUserEnvironment(BaseSettings):
    """What `make staff-user` is given: STAFF_USER, STAFF_ROLE, and
    STAFF_PASSWORD and STAFF_DISPLAY_NAME when set (None when not)."""

    staff_user: str = ""
    staff_role: str = ""
    staff_password: str | None = None
    staff_display_name: str | None = None


def main(argv: Sequence[str] | None = None) -> int:
    env = StaffUserEnvironment()
    username, role = env.staff_user.strip(), env.staff_role.strip()
    if not username or not role:
        print(
            "Set STAFF_USER and STAFF_ROLE (editor or publisher), for example:\n"
            "  make staff-user STAFF_USER=maria STAFF_ROLE=publisher",
            file=sys.stderr,
        )
        return 2
    password = env.staff_password
    if password is None:
        password = getpass.getpass(f"Password for {username} (at least {MIN_PASSWORD} characters): ")
        if getpass.getpass("The same password again: ") != password:
            print("The two passwords differ; nothing was changed.", file=sys.stderr)
            return 1
    config = Config.from_env()
    display_name = env.staff_display_name
    try:
        created = Accounts(connect(config.database)).save(
            username, role, password, None if display_name is None else display_name.strip()
        )
    except AccountError as error:
        print(f"Not saved: {error}.", file=sys.stderr)
        return 1
    print(f"{'Created' if created else 'Updated'} the {role} account '{username}' in {config.database}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
