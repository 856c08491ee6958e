"""Staff accounts: argon2id password hashes (argon2-cffi), two roles, and sign-in
attempts slowed down after repeated failures.

`make staff-user` runs this module: it creates or updates the account
$STAFF_USER with role $STAFF_ROLE (editor or publisher) and password
$STAFF_PASSWORD, asking for the password when it is not set. Passwords are
never printed, logged or stored; only their hash is."""

from __future__ import annotations

import getpass
import os
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from typing import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from staff_console.config import Config, connect

ROLES = ("editor", "publisher")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 12
FREE_FAILURES = 3  # failures before sign-in is slowed down
MAX_WAIT = 15 * 60  # seconds
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    key TEXT PRIMARY KEY,        -- 'user:<name>' or 'address:<ip>'
    failures INTEGER NOT NULL,
    last REAL NOT NULL
);
"""
hasher = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    role: str
    session_version: int

    @property
    def publisher(self) -> bool:
        return self.role == "publisher"


class Accounts:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        db.executescript(SCHEMA)

    def save(self, username: str, role: str, password: str) -> bool:
        """Create or update an account; True when it was created."""
        if not USERNAME.fullmatch(username):
            raise AccountError("a user name is 2-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
        if role not in ROLES:
            raise AccountError(f"the role is one of: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
        existed = self.user(username) is not None
        self.db.execute(
            "INSERT INTO users (username, role, password_hash) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
            "session_version = session_version + 1",
            (username, role, hasher.hash(password)),
        )
        return not existed

    def user(self, username: str) -> User | None:
        row = self.db.execute(
            "SELECT username, role, session_version FROM users WHERE username = ?", (username,)
        ).fetchone()
        return User(row["username"], row["role"], row["session_version"]) if row else None

    def any_user(self) -> bool:
        return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def end_sessions(self, username: str) -> None:
        """Sign the user out everywhere: every cookie signed before now stops working."""
        self.db.execute("UPDATE users SET session_version = session_version + 1 WHERE username = ?", (username,))

    # ---------------------------------------------------------------- signing in
    def attempt(self, username: str, address: str, now: float | None = None) -> int:
        """Start a sign-in: the seconds to wait first (nothing else happens), or
        0, and the attempt is counted as a failure until sign_in succeeds. The
        check and the count are one transaction, so parallel tries cannot slip
        past the limit. Failures are forgotten MAX_WAIT after the last one, so
        a name cannot be locked for good by someone else."""
        now = time.time() if now is None else now
        keys = (f"user:{username}", f"address:{address}")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM sign_in_failures WHERE last < ?", (now - MAX_WAIT,))
            wait = 0.0
            for key in keys:
                row = self.db.execute("SELECT failures, last FROM sign_in_failures WHERE key = ?", (key,)).fetchone()
                if row and row["failures"] >= FREE_FAILURES:
                    delay = min(MAX_WAIT, 2 ** (row["failures"] - FREE_FAILURES + 1))
                    wait = max(wait, row["last"] + delay - now)
            if wait <= 0:
                for key in keys:
                    self.db.execute(
                        "INSERT INTO sign_in_failures (key, failures, last) VALUES (?, 1, ?) "
                        "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last = excluded.last",
                        (key, now),
                    )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return max(0, int(wait + 0.999))

    def sign_in(self, username: str, password: str, address: str) -> User | None:
        """The user, if the password is right (call after attempt() returned 0);
        a success clears the failures counted for the name and the address."""
        row = self.db.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
        try:
            if row is None:
                hasher.hash(password)  # as slow as a real check, so names cannot be told apart by time
                raise VerificationError
            hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        self.db.execute("DELETE FROM sign_in_failures WHERE key IN (?, ?)", (f"user:{username}", f"address:{address}"))
        if hasher.check_needs_rehash(row["password_hash"]):
            self.db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hasher.hash(password), username))
        return self.user(username)


def main(argv: Sequence[str] | None = None) -> int:
    username = os.environ.get("STAFF_USER", "").strip()
    role = os.environ.get("STAFF_ROLE", "").strip()
    if not username or not role:
        print(
            "Set STAFF_USER and STAFF_ROLE (editor or publisher), for example:\n"
            "  make staff-user STAFF_USER=maria STAFF_ROLE=publisher",
            file=sys.stderr,
        )
        return 2
    password = os.environ.get("STAFF_PASSWORD")
    if password is None:
        password = getpass.getpass(f"Password for {username} (at least {MIN_PASSWORD} characters): ")
        if getpass.getpass("The same password again: ") != password:
            print("The two passwords differ; nothing was changed.", file=sys.stderr)
            return 1
    config = Config.from_env()
    try:
        created = Accounts(connect(config.database)).save(username, role, password)
    except AccountError as error:
        print(f"Not saved: {error}.", file=sys.stderr)
        return 1
    print(f"{'Created' if created else 'Updated'} the {role} account '{username}' in {config.database}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
