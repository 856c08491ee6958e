"""The staff console: a Flask application, on its own port and under /staff/,
never on the community page's origin. create_app() lays it out as Flask's
tutorial does:

  db.py             what a request works with: the staff database, the content repository
  views/auth.py     signing in and out, and the session checks of every request
  views/home.py     the first page
  views/drafts.py   editing, previews, review and publishing
  views/history.py  what was published, and undoing it
  views/questions.py  questions people agreed to share: the review queue
  views/internal.py   the action servers' calls: a shared question, usage counts
  editing.py        the editing rules the views apply, as plain functions

Kept libraries do the parts others solve well: Flask's signed session cookie
(itsdangerous; its age is checked on every request, so a session ends after
$STAFF_SESSION_MINUTES without activity), Flask-WTF's CSRF protection on
every form, argon2-cffi for passwords (staff_console.accounts). The cookie
counts only while it carries the account's random session token (a new one at
sign-out ends every copy) and for $STAFF_SESSION_MAX_HOURS after signing in.
The console refuses to start with a guessable key. The answers' rules stay in
one place: the store's own loader and render check validate every edit, and
policy_assistant.answers renders every preview. Every box has a maximum
(staff_console.limits)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict

from flask import Flask, Response, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from policy_assistant.secret_check import check_secret
from staff_console import db, limits
from staff_console.config import Config
from staff_console.views import auth, drafts, history, home, internal, questions, retraining

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # Flask-WTF checks the Referer over TLS
    "Cache-Control": "no-store",
    "X-Frame-Options": "SAMEORIGIN",
}


class CookiesSecureOverTls(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the console is reached over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure)


def create_app(config: Config) -> Flask:
    check_secret("STAFF_SECRET_KEY", config.secret_key)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="staff_session",
        SESSION_COOKIE_PATH="/staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=config.session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=limits.MAX_REQUEST_BYTES,
    )
    app.session_interface = CookiesSecureOverTls()
    if config.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    csrf = CSRFProtect(app)  # first: a form's token is checked before anything else is done
    csrf.exempt(internal.bp)  # the action servers' calls: no form, a bearer token instead
    db.init_app(app, config)
    for blueprint in (auth.bp, home.bp, drafts.bp, history.bp, questions.bp, retraining.bp, internal.bp):
        app.register_blueprint(blueprint)

    # The sign-in page is also the health path Compose and Kubernetes probe
    # (deploy/check_consistency.py looks for this route in this file).
    @app.route("/staff/sign-in", methods=["GET", "POST"])
    def sign_in() -> Any:
        return auth.sign_in()

    app.after_request(security_headers)
    app.context_processor(signed_in_user)
    app.register_error_handler(CSRFError, no_csrf)
    app.register_error_handler(413, too_large)
    for code, title in ((403, "Not allowed"), (404, "Not found"), (409, "Already done"), (422, "Not saved")):
        app.register_error_handler(code, error_page(code, title))
    return app


def security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def signed_in_user() -> Dict[str, Any]:
    """Every template knows the signed-in user (None on the sign-in page)."""
    return {"user": g.get("user")}


def no_csrf(_: CSRFError) -> Any:
    message = "This form has expired or did not come from the console. Go back, reload the page and try again."
    return render_template("message.html", title="Not saved", message=message), 400


def too_large(_: Any) -> Any:
    message = (
        f"Not saved: a form sends at most {limits.MAX_REQUEST_WORDS}. Go back to keep your text, and shorten "
        f"the longest box (a source document's text takes at most {limits.SOURCE_TEXT_MAX:,} characters)."
    )
    return render_template("message.html", title="Too large", message=message), 413


def error_page(code: int, title: str) -> Callable[[Any], Any]:
    def page(error: Any) -> Any:
        description = getattr(error, "description", "") or title
        return render_template("message.html", title=title, message=description), code

    return page
