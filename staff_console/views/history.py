"""What was published, newest first with each diff, and undoing a publish.
An undo goes through review like any change: it becomes the publisher's
draft, waiting for another publisher (or for them, in a small office)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from staff_console import db, limits
from staff_console.content_repo import PublishError
from staff_console.views.auth import current_user, publisher_only, signed_in
from staff_console.views.drafts import form_note, my_draft

bp = Blueprint("history", __name__, url_prefix="/staff")


@bp.route("/history")
@signed_in
def index() -> Any:
    publishes = [replace(p, diff=limits.capped_diff(p.diff)) for p in db.console().repo.history()]
    return render_template("history.html", publishes=publishes)


@bp.route("/history/<sha>/revert", methods=["POST"])
@signed_in
def revert(sha: str) -> Any:
    publisher_only()
    note = form_note("Why undo it")
    mine = my_draft()
    if mine is not None and mine.files:
        message = f"Your draft {mine.id} is still open: ask for its review or discard it first, then undo."
        return render_template("message.html", title="Finish your draft first", message=message), 409
    if any(p.sha == sha and p.retraining for p in db.console().repo.history()):
        flash("That is a retraining's record, not a change of the answers: there is nothing to undo.")
        return redirect(url_for("history.index"))
    try:
        undo = db.console().repo.undo(sha)
    except PublishError as error:
        flash(str(error))
        return redirect(url_for("history.index"))
    draft = db.drafts().propose(current_user().username, undo.base, undo.changes, note or undo.subject, undo.subject)
    if db.console().config.self_publish:
        who = "You can publish it yourself"
    else:
        who = "Another publisher must publish it"
    flash(f"The undo is draft {draft.id}, waiting for review. {who}; until then the answers stay as they are.")
    return redirect(url_for("drafts.draft_page", draft_id=draft.id))
