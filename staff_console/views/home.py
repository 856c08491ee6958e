"""The first page: what needs attention (drafts, topics not reviewed lately,
missing translations, sources without a document's address), the questions
per topic of the last 14 days (counts only), and the files to edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template

from policy_assistant.question_counts import NOT_UNDERSTOOD, QuestionCounts
from staff_console import db, editing
from staff_console.views import questions
from staff_console.views.auth import signed_in
from staff_console.views.drafts import my_draft

bp = Blueprint("home", __name__, url_prefix="/staff")


@bp.route("/")
@signed_in
def index() -> Any:
    console = db.console()
    store = db.live_store()
    stale, untranslated, unverified = editing.needs_attention(store, dt.date.today()) if store else ([], [], [])
    days, per_topic = QuestionCounts(console.config.counts).per_day(14)
    rows = sorted(((t, per_topic.get(t, {})) for t in (store.topics if store else per_topic)), key=lambda r: r[0])
    return render_template(
        "home.html",
        store=store,
        live_error=console.live.last_error,
        stale_after=editing.STALE_AFTER_DAYS,
        stale=stale,
        untranslated=untranslated,
        unverified=unverified,
        days=days,
        rows=rows,
        not_understood=per_topic.get(NOT_UNDERSTOOD, {}),
        waiting=db.drafts().waiting(),
        mine=my_draft(),
        files=console.repo.files(),
        shared_count=questions.kept_count(),
    )
