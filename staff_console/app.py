"""The staff console: a Flask application, on its own port and under /staff/,
never on the community page's origin.

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
import difflib
import functools
import hmac
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from werkzeug.middleware.proxy_fix import ProxyFix

from policy_assistant import answers, phone_messages
from policy_assistant.live_store import LiveStore
from policy_assistant.question_counts import NOT_UNDERSTOOD, QuestionCounts
from policy_assistant.secret_check import check_secret
from policy_assistant.store import SOURCE_TEXTS, Store, StoreError
from staff_console import fields, limits
from staff_console.accounts import Accounts, User
from staff_console.config import Config, connect
from staff_console.content_repo import Changes, ContentRepo, InvalidContent, Person, PublishError
from staff_console.drafts import IN_REVIEW, Draft, Drafts

WEBCHAT = Path(__file__).resolve().parent.parent / "rasa_server" / "webchat"
WEB_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
}
STALE_AFTER_DAYS = 180
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # Flask-WTF checks the Referer over TLS
    "Cache-Control": "no-store",
    "X-Frame-Options": "SAMEORIGIN",
}
F = TypeVar("F", bound=Callable[..., Any])


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
    CSRFProtect(app)
    repo = ContentRepo(config.content)
    live = LiveStore(config.content)
    Accounts(connect(config.database))  # creates the tables
    Drafts(connect(config.database))

    def database() -> sqlite3.Connection:
        if "db" not in g:
            g.db = connect(config.database)
        return g.db

    def accounts() -> Accounts:
        return Accounts(database())

    def drafts() -> Drafts:
        return Drafts(database())

    @app.teardown_appcontext
    def close(_: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.before_request
    def who() -> None:
        g.user = None
        name = session.get("user")
        if isinstance(name, str):
            user = accounts().user(name)
            if user is not None and session_holds(user):
                g.user = user
            else:
                session.clear()

    def session_holds(user: User) -> bool:
        """The cookie carries the account's current session token, and was
        signed in less than session_max_hours ago."""
        token, since = session.get("v"), session.get("at")
        if not isinstance(token, str) or not isinstance(since, int):
            return False
        if not 0 <= time.time() - since < config.session_max_hours * 3600:
            return False
        return hmac.compare_digest(token.encode(), user.session_token.encode())

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    def signed_in(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user is None:
                if request.method == "GET":
                    return redirect(url_for("sign_in", next=request.full_path.rstrip("?")))
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def publisher_only() -> None:
        if not g.user.publisher:
            abort(403, "Only a publisher can do this.")

    def user() -> User:
        return g.user

    # ------------------------------------------------------------ helpers
    def live_store() -> Store | None:
        try:
            return live.get()
        except StoreError:
            return None

    def language_names() -> Dict[str, str]:
        store = live_store()
        return {code: lang.name for code, lang in store.languages.items()} if store else {}

    def my_draft() -> Draft | None:
        return drafts().current(user().username)

    def draft_text(draft: Draft | None, path: str) -> str | None:
        if draft is not None and path in draft.files:
            return draft.files[path]
        return repo.read(path)

    def keep_in_draft(path: str, text: str) -> Draft:
        """Put a file's new text in the signed-in user's draft."""
        return drafts().save_file(user().username, repo.head(), path, text, repo.read(path))

    def draft_problems(changes: Changes) -> List[str]:
        try:
            repo.load(changes)
        except StoreError as error:
            return error.problems
        except PublishError as error:
            return [str(error)]
        return []

    def viewable(draft_id: int) -> Draft:
        draft = drafts().get(draft_id)
        if draft is None or (draft.author != user().username and not user().publisher):
            abort(404)
        return draft

    def editable_file(path: str) -> None:
        if not path.endswith(".yml") or path not in repo.files():
            abort(404)

    def diffs(draft: Draft) -> List[Tuple[str, str]]:
        """Each file's diff from the live text; a file the draft removes
        shows as all removed lines."""
        result = []
        for path, text in sorted(draft.files.items()):
            old = repo.read(path) or ""
            lines = difflib.unified_diff(
                old.splitlines(keepends=True),
                (text or "").splitlines(keepends=True),
                f"live/{path}",
                f"draft/{path}" if text is not None else "(removed)",
            )
            result.append((path, limits.capped_diff("".join(lines))))
        return result

    def form_note(label: str) -> str:
        """The form's note, refused when longer than a note takes."""
        note = request.form.get("note", "")
        problem = limits.too_long(label, note, limits.NOTE_MAX)
        if problem:
            abort(422, f"Not done. {problem} Go back (your text is kept there), shorten it and try again.")
        return clean_note(note)

    # ------------------------------------------------------------ signing in and out
    @app.route("/staff/sign-in", methods=["GET", "POST"])
    def sign_in() -> Any:
        target = request.args.get("next", "")
        if not target.startswith("/staff/") or urlsplit(target).netloc:
            target = url_for("home")
        if request.method == "GET":
            return render_template("sign_in.html", next=target)
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        if len(username) > limits.USERNAME_MAX or len(password) > limits.PASSWORD_MAX:
            message = f"A user name has at most {limits.USERNAME_MAX} characters, a password {limits.PASSWORD_MAX:,}."
            return render_template("sign_in.html", next=target, error=message), 401
        wait = accounts().attempt(username, address)
        if wait:
            message = f"Too many failed sign-ins. Try again in {wait} seconds."
            return render_template("sign_in.html", next=target, error=message, username=username), 429
        found = accounts().sign_in(username, password, address)
        if found is None:
            message = "That user name and password do not match. Try again."
            return render_template("sign_in.html", next=target, error=message, username=username), 401
        session.clear()
        session.permanent = True
        session["user"], session["v"], session["at"] = found.username, found.session_token, int(time.time())
        return redirect(target)

    @app.route("/staff/sign-out", methods=["POST"])
    @signed_in
    def sign_out() -> Any:
        accounts().end_sessions(user().username)
        session.clear()
        return redirect(url_for("sign_in"))

    # ------------------------------------------------------------ the first page
    @app.route("/staff/")
    @signed_in
    def home() -> Any:
        store = live_store()
        today = dt.date.today()
        stale, untranslated, unverified = [], [], []
        if store is not None:
            for topic in sorted(store.topics.values(), key=lambda t: t.id):
                if topic.reviewed_on is None:
                    stale.append((topic, "never reviewed"))
                elif (today - topic.reviewed_on).days > STALE_AFTER_DAYS:
                    stale.append((topic, f"last reviewed {topic.reviewed_on.isoformat()}"))
            untranslated = store.missing_translations
            unverified = [s for s in store.sources.values() if s.url is None or s.url_scope != "document"]
        days, per_topic = QuestionCounts(config.counts).per_day(14)
        rows = sorted(((t, per_topic.get(t, {})) for t in (store.topics if store else per_topic)), key=lambda r: r[0])
        return render_template(
            "home.html",
            store=store,
            live_error=live.last_error,
            stale=stale,
            untranslated=untranslated,
            unverified=unverified,
            days=days,
            rows=rows,
            not_understood=per_topic.get(NOT_UNDERSTOOD, {}),
            waiting=drafts().waiting(),
            mine=my_draft(),
            files=repo.files(),
        )

    # ------------------------------------------------------------ editing
    @app.route("/staff/edit/<path:path>", methods=["GET", "POST"])
    @signed_in
    def edit(path: str) -> Any:
        editable_file(path)
        draft = my_draft()
        text = draft_text(draft, path) or ""
        doc = fields.load(text)
        status, saved, other_problems = 200, False, []
        if request.method == "POST":
            found = fields.groups(doc, language_names(), title=path)
            too_long = fields.too_long(found, request.form)
            if too_long:  # nothing is saved; each box keeps what was typed
                fields.keep_typed(found, request.form)
                return edit_page(path, found, draft, refused=too_long), 422
            fields.apply(doc, request.form)
            text = fields.dump(doc, text)
            draft = keep_in_draft(path, text)
            saved = True
            doc = fields.load(text)
        found = fields.groups(doc, language_names(), title=path)
        if draft is not None and draft.files:
            other_problems = fields.place(draft_problems(draft.files), path, found)
            if any(f.problems for grp in found for f in grp.fields) or other_problems:
                status = 422 if saved else 200
        return edit_page(path, found, draft, saved=saved, other_problems=other_problems), status

    def edit_page(path: str, found: List[fields.Group], draft: Draft | None, **shown: Any) -> str:
        topic = path[len("topics/") : -len(".yml")] if path.startswith("topics/") else None
        return render_template("edit.html", path=path, groups=found, draft=draft, topic=topic, **shown)

    @app.route("/staff/topics/<topic_id>/reviewed", methods=["POST"])
    @signed_in
    def mark_reviewed(topic_id: str) -> Any:
        path = f"topics/{topic_id}.yml"
        editable_file(path)
        text = draft_text(my_draft(), path) or ""
        doc = fields.load(text)
        doc["reviewed_by"] = user().public_name  # published: never the user name
        doc["reviewed_on"] = dt.date.today()
        keep_in_draft(path, fields.dump(doc, text))
        flash(f"Marked '{topic_id}' reviewed by '{user().public_name}' today, in your draft. It shows once published.")
        return redirect(url_for("edit", path=path))

    @app.route("/staff/quotes/new", methods=["GET", "POST"])
    @signed_in
    def new_quote() -> Any:
        store = live_store()
        if store is None:
            abort(503)
        form: Dict[str, Any] = dict(request.form.items()) if request.method == "POST" else {}
        problems: List[str] = []
        if request.method == "POST":
            problems = limits.too_long_boxes(request.form, quote_boxes())
            if not problems:
                changes, problems = _new_quote_changes(form, request.form.getlist("topics"))
            if not problems:
                draft = my_draft()
                all_changes = {**(draft.files if draft else {}), **changes}
                problems = [p.split(": ", 1)[-1] for p in draft_problems(all_changes)]
            if not problems:
                for path, text in changes.items():
                    keep_in_draft(path, text)
                flash(f"Added the quote '{form['id']}' to your draft.")
                return redirect(url_for("draft_page", draft_id=my_draft().id))  # type: ignore[union-attr]
        source_texts = {s: repo.read(f"{SOURCE_TEXTS}/{s}.txt") is not None for s in store.sources}
        return render_template(
            "new_quote.html",
            store=store,
            form=form,
            chosen=request.form.getlist("topics"),
            problems=problems,
            source_texts=source_texts,
        ), (422 if problems else 200)

    def quote_boxes() -> Dict[str, Tuple[str, int]]:
        """The new quote form's boxes: form name -> (label, limit)."""
        names = language_names()
        boxes = {
            "id": ("The id", limits.ID_MAX),
            "speaker": ("The speaker", limits.ID_MAX),
            "occasion": ("The occasion", limits.ID_MAX),
            "source": ("The source", limits.ID_MAX),
            "said_on": ("Said on", limits.FIELD_MAX["date"]),
            "text": ("The quote", limits.FIELD_MAX["long"]),
            "source_text": ("The source document's full text", limits.SOURCE_TEXT_MAX),
        }
        for code, name in names.items():
            boxes[f"context.{code}"] = (f"Context in {name}", limits.FIELD_MAX["long"])
            boxes[f"translation.{code}"] = (f"Translation into {name}", limits.FIELD_MAX["long"])
        return boxes

    def _new_quote_changes(form: Dict[str, Any], topics: List[str]) -> Tuple[Dict[str, str], List[str]]:
        """The files a new quote changes: quotes.yml, its source's text when
        given, and the topics that list it."""
        draft = my_draft()
        quote_id = str(form.get("id", "")).strip()
        source = str(form.get("source", "")).strip()
        text = str(form.get("text", "")).replace("\r\n", "\n").strip()
        if not quote_id or not source or not text:
            return {}, ["A quote needs an id, a source and its text."]
        store = live_store()
        if store is None or source not in store.sources:
            return {}, ["Choose one of the sources listed; add a new source on the sources page first."]
        quotes_text = draft_text(draft, "quotes.yml") or ""
        doc = fields.load(quotes_text)
        quote = CommentedMap()
        quote["id"] = quote_id
        for key in ("speaker", "occasion"):
            quote[key] = str(form.get(key, "")).strip()
        said_on = str(form.get("said_on", "")).strip()
        try:
            quote["said_on"] = dt.date.fromisoformat(said_on)
        except ValueError:
            quote["said_on"] = said_on
        quote["source"] = source
        context = {c: str(form.get(f"context.{c}", "")).strip() for c in language_names()}
        if any(context.values()):
            quote["context"] = CommentedMap((c, v) for c, v in context.items() if v)
        quote["text"] = DoubleQuotedScalarString(text)
        translations = {c: str(form.get(f"translation.{c}", "")).strip() for c in language_names() if c != "en"}
        quote["translations"] = CommentedMap((c, v) for c, v in translations.items() if v)
        doc["quotes"].append(quote)
        changes = {"quotes.yml": fields.dump(doc, quotes_text)}
        document = str(form.get("source_text", "")).replace("\r\n", "\n")
        if document.strip():
            changes[f"{SOURCE_TEXTS}/{source}.txt"] = document if document.endswith("\n") else document + "\n"
        for topic_id in topics:
            path = f"topics/{topic_id}.yml"
            topic_text = draft_text(draft, path)
            if topic_text is None:
                continue
            topic_doc = fields.load(topic_text)
            if not isinstance(topic_doc.get("quotes"), CommentedSeq):
                topic_doc["quotes"] = CommentedSeq()
            topic_doc["quotes"].append(quote_id)
            changes[path] = fields.dump(topic_doc, topic_text)
        return changes, []

    # ------------------------------------------------------------ drafts, review, publishing
    def publish_refusal(draft: Draft) -> Tuple[int, str] | None:
        """Why the signed-in user may not publish `draft` (status, words), or None."""
        if not user().publisher:
            return 403, "Only a publisher can do this."
        if draft.status != IN_REVIEW:
            return 409, "Only a draft whose author asked for review can be published."
        if draft.author == user().username and not config.self_publish:
            return 403, "You wrote this change, so another publisher must publish it."
        return None

    def draft_view(draft: Draft, problems: List[str], status: int = 200) -> Any:
        store = live_store()
        refusal = publish_refusal(draft)
        return render_template(
            "draft.html",
            draft=draft,
            diffs=diffs(draft),
            problems=problems,
            topics=sorted(store.topics) if store else [],
            languages=language_names(),
            can_publish=refusal is None,
            refusal=refusal[1] if refusal else "",
        ), status

    @app.route("/staff/drafts/<int:draft_id>")
    @signed_in
    def draft_page(draft_id: int) -> Any:
        draft = viewable(draft_id)
        return draft_view(draft, draft_problems(draft.files) if draft.editable else [])

    @app.route("/staff/drafts/<int:draft_id>/review", methods=["POST"])
    @signed_in
    def ask_review(draft_id: int) -> Any:
        draft = viewable(draft_id)
        if draft.author != user().username or not draft.editable:
            abort(403)
        drafts().ask_review(draft, form_note("The note for the publisher"))
        flash("Your draft is waiting for a publisher.")
        return redirect(url_for("draft_page", draft_id=draft_id))

    @app.route("/staff/drafts/<int:draft_id>/discard", methods=["POST"])
    @signed_in
    def discard(draft_id: int) -> Any:
        draft = viewable(draft_id)
        if not draft.editable:
            abort(409)
        drafts().discard(draft)
        flash("The draft was discarded. The live answers did not change.")
        return redirect(url_for("home"))

    @app.route("/staff/drafts/<int:draft_id>/publish", methods=["POST"])
    @signed_in
    def publish(draft_id: int) -> Any:
        publisher_only()
        draft = viewable(draft_id)
        refusal = publish_refusal(draft)
        if refusal is not None:
            abort(*refusal)
        if request.form.get("version") != draft.version:
            abort(409, "The draft changed after you opened it. Open it again and read the changes before publishing.")
        # the history keeps the author's note and the publisher's
        publisher_note = form_note("Your note as publisher")
        note = (
            draft.note if publisher_note in ("", draft.note) else f"{draft.note}\n\n{user().username}: {publisher_note}"
        )
        subject = draft.subject or "Edit " + ", ".join(sorted(draft.files))
        try:
            sha = repo.publish(draft.files, Person(draft.author), Person(user().username), note, subject, draft.base)
        except InvalidContent as error:
            flash(str(error))
            return draft_view(draft, error.problems, 422)
        except PublishError as error:
            flash(str(error))
            return redirect(url_for("draft_page", draft_id=draft_id)), 303
        drafts().published(draft, user().username, sha)
        flash("Published. The assistant answers with it now.")
        return redirect(url_for("history"))

    # ------------------------------------------------------------ previews
    def preview_store(draft_id: int) -> Store:
        changes = viewable(draft_id).files if draft_id else {}
        try:
            return repo.load(changes)
        except StoreError:
            abort(422, "This draft has problems to fix before it can be previewed.")

    @app.route("/staff/drafts/<int:draft_id>/preview/<topic_id>/<lang>/")
    @signed_in
    def preview(draft_id: int, topic_id: str, lang: str) -> Any:
        store = preview_store(draft_id)
        if topic_id not in store.topics or lang not in store.languages:
            abort(404)
        reply = answers.answer_topic(store, topic_id, lang)
        texts = phone_messages.topic_messages(store, topic_id, lang)
        said: List[Tuple[str, List[Dict[str, str]]]] = [(t, []) for t in texts[:-1]]
        said.append((texts[-1], reply.buttons))
        return render_template(
            "preview.html",
            draft_id=draft_id,
            topic=topic_id,
            lang=lang,
            language=store.languages[lang].name,
            phone=phone_messages.outgoing(said),
        )

    @app.route("/staff/drafts/<int:draft_id>/preview/<topic_id>/<lang>/web/", defaults={"name": ""})
    @app.route("/staff/drafts/<int:draft_id>/preview/<topic_id>/<lang>/web/<name>")
    @signed_in
    def preview_web(draft_id: int, topic_id: str, lang: str, name: str) -> Any:
        """The community page itself (rasa_server/webchat/), showing the draft's answer."""
        if name in WEB_FILES:
            filename, content_type = WEB_FILES[name]
            return Response((WEBCHAT / filename).read_bytes(), content_type=content_type)
        store = preview_store(draft_id)
        if name == "strings.json":
            return answers.page_strings(store)
        if name == "preview.json" and topic_id in store.topics and lang in store.languages:
            reply = answers.answer_topic(store, topic_id, lang)
            return {"language": lang, "messages": [{"custom": answers.web_message(reply)}]}
        abort(404)

    # ------------------------------------------------------------ history
    @app.route("/staff/history")
    @signed_in
    def history() -> Any:
        publishes = [replace(p, diff=limits.capped_diff(p.diff)) for p in repo.history()]
        return render_template("history.html", publishes=publishes)

    @app.route("/staff/history/<sha>/revert", methods=["POST"])
    @signed_in
    def revert(sha: str) -> Any:
        """Undo a publish through review: the undo becomes the publisher's
        draft, waiting for another publisher (or for them, in a small office)."""
        publisher_only()
        note = form_note("Why undo it")
        mine = my_draft()
        if mine is not None and mine.files:
            message = f"Your draft {mine.id} is still open: ask for its review or discard it first, then undo."
            return render_template("message.html", title="Finish your draft first", message=message), 409
        try:
            undo = repo.undo(sha)
        except PublishError as error:
            flash(str(error))
            return redirect(url_for("history"))
        draft = drafts().propose(user().username, undo.base, undo.changes, note or undo.subject, undo.subject)
        who = "You can publish it yourself" if config.self_publish else "Another publisher must publish it"
        flash(f"The undo is draft {draft.id}, waiting for review. {who}; until then the answers stay as they are.")
        return redirect(url_for("draft_page", draft_id=draft.id))

    # ------------------------------------------------------------ errors
    @app.errorhandler(CSRFError)
    def no_csrf(error: CSRFError) -> Any:
        message = "This form has expired or did not come from the console. Go back, reload the page and try again."
        return render_template("message.html", title="Not saved", message=message), 400

    for code, title in ((403, "Not allowed"), (404, "Not found"), (409, "Already done"), (422, "Not saved")):
        app.register_error_handler(code, _error_page(code, title))

    @app.errorhandler(413)
    def too_large(_: Any) -> Any:
        message = (
            f"Not saved: a form sends at most {limits.MAX_REQUEST_WORDS}. Go back to keep your text, and shorten "
            f"the longest box (a source document's text takes at most {limits.SOURCE_TEXT_MAX:,} characters)."
        )
        return render_template("message.html", title="Too large", message=message), 413

    @app.context_processor
    def everywhere() -> Dict[str, Any]:
        return {"user": g.get("user")}

    return app


def clean_note(text: str) -> str:
    """A note as it goes into the history: no control characters but new lines."""
    return "".join(ch for ch in text.replace("\r\n", "\n") if ch in "\n\t" or ch >= " ").strip()


def _error_page(code: int, title: str) -> Callable[[Any], Any]:
    def page(error: Any) -> Any:
        description = getattr(error, "description", "") or title
        return render_template("message.html", title=title, message=description), code

    return page
