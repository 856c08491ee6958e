"""Signing in and out, and the checks every request makes. Flask's signed
cookie carries the user name, the account's session token and when they
signed in; it counts only while the token is the account's current one (a new
one at sign-out ends every copy) and for config.session_max_hours after
signing in. Flask ends it sooner, after config.session_minutes without a
request (PERMANENT_SESSION_LIFETIME)."""

from __future__ import annotations

import functools
import hmac
import time
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from staff_console import db, limits
from staff_console.accounts import User

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("auth", __name__, url_prefix="/staff")


def current_user() -> User:
    """The signed-in user (in a view behind `signed_in`)."""
    return g.user


def signed_in(view: F) -> F:
    """The view needs a signed-in user: a page asked for without one leads to
    the sign-in page, and back once signed in; a change is refused."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            if request.method == "GET":
                return redirect(url_for("sign_in", next=request.full_path.rstrip("?")))
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def publisher_only() -> None:
    if not current_user().publisher:
        abort(403, "Only a publisher can do this.")


@bp.before_app_request
def load_user() -> None:
    """g.user: the user the session cookie names, while it holds; else None,
    and the cookie is emptied."""
    g.user = None
    name = session.get("user")
    if isinstance(name, str):
        user = db.accounts().user(name)
        if user is not None and session_holds(session, user, db.console().config.session_max_hours):
            g.user = user
        else:
            session.clear()


def session_holds(cookie: Mapping[str, Any], user: User, max_hours: int) -> bool:
    """The cookie carries the account's current session token, and was
    signed in less than `max_hours` ago."""
    token, since = cookie.get("v"), cookie.get("at")
    if not isinstance(token, str) or not isinstance(since, int):
        return False
    if not 0 <= time.time() - since < max_hours * 3600:
        return False
    return hmac.compare_digest(token.encode(), user.session_token.encode())


def sign_in() -> Any:
    """The sign-in page and form (create_app routes it: it is the health path
    too). Tries are limited per address and per account (Accounts.attempt)."""
    target = request.args.get("next", "")
    if not target.startswith("/staff/") or urlsplit(target).netloc:
        target = url_for("home.index")
    if request.method == "GET":
        return render_template("sign_in.html", next=target)
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    address = request.remote_addr or "-"
    if len(username) > limits.USERNAME_MAX or len(password) > limits.PASSWORD_MAX:
        message = f"A user name has at most {limits.USERNAME_MAX} characters, a password {limits.PASSWORD_MAX:,}."
        return render_template("sign_in.html", next=target, error=message), 401
    wait = db.accounts().attempt(username, address)
    if wait:
        message = f"Too many failed sign-ins. Try again in {wait} seconds."
        return render_template("sign_in.html", next=target, error=message, username=username), 429
    found = db.accounts().sign_in(username, password, address)
    if found is None:
        message = "That user name and password do not match. Try again."
        return render_template("sign_in.html", next=target, error=message, username=username), 401
    session.clear()
    session.permanent = True
    session["user"], session["v"], session["at"] = found.username, found.session_token, int(time.time())
    return redirect(target)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Any:
    db.accounts().end_sessions(current_user().username)
    session.clear()
    return redirect(url_for("sign_in"))
