"""Shared questions (issue 29): the review queue staff read (the action
servers pass a question on through views/internal.py).

Assigning a question to a topic is a publisher's (it is committed to the
live content at once). The queue needs a signed-in user; deleting every
shared question at once needs a publisher."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from staff_console import db
from staff_console.content_repo import Person, PublishError
from staff_console.shared_questions import ACCEPTED_FILE, SharedQuestions, accepted_file_text
from staff_console.views.auth import current_user, publisher_only, signed_in

bp = Blueprint("questions", __name__, url_prefix="/staff")


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
