"""Shared questions (issue 29): the internal endpoint the action servers pass
a question to once the person said yes, and the review queue staff read.

Assigning a question to a topic is a publisher's (it is committed to the
live content at once). The internal endpoint needs $INTERNAL_TOKEN (policy_assistant.settings) as a
bearer token, has no session and no CSRF token (it is not a form), answers
no request that came through a proxy (the Ingress or a TLS proxy in front of
the console: the outside), and scrubs the text again before keeping it: what
arrives is never trusted to be scrubbed. The queue needs a signed-in user; deleting every shared question
at once needs a publisher."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from policy_assistant.scrub import scrub
from policy_assistant.secret_check import strong
from policy_assistant.settings import SharingSettings
from staff_console import db
from staff_console.content_repo import Person, PublishError
from staff_console.shared_questions import ACCEPTED_FILE, MAX_TEXT, SharedQuestions, accepted_file_text
from staff_console.views.auth import current_user, publisher_only, signed_in

bp = Blueprint("questions", __name__, url_prefix="/staff")
CHANNELS = {"rest", "webchat", "twilio", "cmdline", "socketio"}


def shared() -> SharedQuestions:
    if "shared_questions" not in g:
        g.shared_questions = SharedQuestions(db.get_db(), db.console().today)
    return g.shared_questions


@bp.before_app_request
def forget_expired() -> None:
    """Every request first deletes the questions kept past their 30 days."""
    if request.path.startswith("/staff/static/"):
        return
    shared().purge_expired()


@bp.route("/internal/shared-questions", methods=["POST"])
def receive() -> Any:
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        # through a proxy (the Ingress, a TLS proxy): from outside, where this is not served
        abort(404)
    token = SharingSettings().internal_token
    given = request.headers.get("Authorization", "")
    if not strong(token) or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    store = db.live_store()
    text, lang, channel, topics = body.get("text"), body.get("lang"), body.get("channel"), body.get("topics")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        abort(400)
    if not isinstance(lang, str) or (store is not None and lang not in store.languages):
        abort(400)
    if not isinstance(channel, str) or channel not in CHANNELS:
        abort(400)
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        abort(400)
    known = store.capitalised_words if store is not None else frozenset()
    kept_topics = tuple(t for t in topics if store is None or t in store.topics)[:3]
    shared().add(scrub(text, known=known), lang, channel, kept_topics)
    return {"kept": True}, 201


@bp.route("/questions")
@signed_in
def queue() -> Any:
    store = db.live_store()
    topics = sorted(store.topics) if store else []
    return render_template("questions.html", questions=shared().listing(), topics=topics, store=store)


def _question_or_404(question_id: int) -> Any:
    question = shared().get(question_id)
    if question is None:
        abort(404, "That shared question is no longer kept: it was handled or it expired.")
    return question


@bp.route("/questions/<int:question_id>/assign", methods=["POST"])
@signed_in
def assign(question_id: int) -> Any:
    """The question becomes a training example of a topic, in the content
    repository, committed with the staff member as its author; the queue
    then forgets it."""
    publisher_only()  # it changes what the next model learns: a publisher's decision, as a publish is
    question = _question_or_404(question_id)
    store = db.live_store()
    topic = request.form.get("topic", "")
    if store is None or topic not in store.topics:
        abort(422, "Choose one of the topics.")
    user = current_user().username
    repo = db.console().repo
    base = repo.head()  # the file as read: a publish made meanwhile is refused, not lost
    text = accepted_file_text(repo.read(ACCEPTED_FILE, base), question, topic, user, db.console().today())
    try:
        repo.publish(
            {ACCEPTED_FILE: text},
            Person(user),
            Person(user),
            f"A question shared on {question.day.isoformat()}, in {question.lang}, accepted by {user}.",
            f"A shared question becomes a training example of {topic}",
            base,
        )
    except PublishError as error:
        flash(str(error))
        return redirect(url_for("questions.queue"))
    shared().delete(question_id)
    flash(f"Added as a training example of {topic}. It is used from the next retraining.")
    return redirect(url_for("questions.queue"))


@bp.route("/questions/<int:question_id>/needs-answer", methods=["POST"])
@signed_in
def needs_answer(question_id: int) -> Any:
    _question_or_404(question_id)
    shared().mark_needs_answer(question_id, current_user().username)
    flash("Marked: it needs a new answer. It stays listed for the team until it is deleted or expires.")
    return redirect(url_for("questions.queue"))


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
@signed_in
def delete(question_id: int) -> Any:
    _question_or_404(question_id)
    shared().delete(question_id)
    flash("Deleted.")
    return redirect(url_for("questions.queue"))


@bp.route("/questions/delete-all", methods=["POST"])
@signed_in
def delete_all() -> Any:
    publisher_only()
    flash(f"Deleted every shared question ({shared().purge_all()}).")
    return redirect(url_for("questions.queue"))


def kept_count() -> int:
    return shared().count()
