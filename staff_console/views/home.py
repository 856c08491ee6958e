"""The first page: what needs attention (drafts, topics not reviewed lately,
missing translations, sources without a document's address), the dashboard
of the last 30 days (counts only: staff_console.dashboard), and the files to edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template

from staff_console import db, editing
from staff_console.dashboard import dashboard, figures, first_day
from staff_console.usage import Usage
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
    today = console.today()
    board = dashboard(Usage(db.get_db()).since(first_day(today)), store, today)
    return render_template(
        "home.html",
        store=store,
        live_error=console.live.last_error,
        stale_after=editing.STALE_AFTER_DAYS,
        stale=stale,
        untranslated=untranslated,
        unverified=unverified,
        board=board,
        figures=figures(board),
        waiting=db.drafts().waiting(),
        mine=my_draft(),
        files=console.repo.files(),
        shared_count=questions.kept_count(),
    )
