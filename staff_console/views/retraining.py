"""Retraining from the console (issue 29): a publisher starts
devtools/retrain.py, which trains a new model with the accepted examples and
lets it serve only when it passes the benchmark gate. It runs beside the
console, in a process of its own (a training takes long); the page shows
whether one is running, the last one's output (steps and figures, nothing
people wrote) and every retraining's outcome from the content repository.

On only where Rasa is installed beside the console and the new model reaches
the Rasa servers: RETRAIN_SERVERS names them (make run and make run-scaled),
or RETRAIN_FOLLOWED says they follow this console's model (the deployments,
rasa_server/model_follower.py); elsewhere the page says how to retrain."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, List

import yaml
from flask import Blueprint, flash, redirect, render_template, url_for

from staff_console import db
from staff_console.config import PROJECT
from staff_console.content_repo import RETRAINING_HISTORY
from staff_console.views.auth import current_user, publisher_only, signed_in

bp = Blueprint("retraining", __name__, url_prefix="/staff")
LOG_TAIL = 20_000  # characters of the last retraining's output shown


# the retraining this console started last: running from the press of the
# button, before its process has taken the lock
_started: List[subprocess.Popen] = []


def _running() -> bool:
    """A retraining runs: the one started here, or any that holds the lock (make retrain)."""
    from devtools.retrain import RetrainSettings, running

    return any(proc.poll() is None for proc in _started) or running(RetrainSettings().retrain_model.parent)


def _history() -> List[dict[str, Any]]:
    text = db.console().repo.read(RETRAINING_HISTORY)
    entries = yaml.safe_load(text or "[]") or []
    return list(reversed(entries))


@bp.route("/retraining")
@signed_in
def page() -> Any:
    config = db.console().config
    enabled = config.retrains
    log = (
        config.retrain_log.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL:]
        if config.retrain_log.exists()
        else ""
    )
    return render_template(
        "retraining.html",
        enabled=enabled,
        running=enabled and _running(),
        log=log,
        history=_history() if enabled else [],
    )


@bp.route("/retraining", methods=["POST"])
@signed_in
def start() -> Any:
    publisher_only()  # what the assistant understands changes: a publisher's decision
    config = db.console().config
    if not config.retrains:
        flash("Retraining is not available from this console: run `make retrain` where the model is built.")
        return redirect(url_for("retraining.page"))
    if _running():
        flash("A retraining is already running.")
        return redirect(url_for("retraining.page"))
    # the servers, the serving model and INTERNAL_TOKEN come from the console's environment (RetrainSettings)
    command = [sys.executable, "-m", "devtools.retrain", "--content", str(config.content)]
    command += ["--by", current_user().username]
    config.retrain_log.parent.mkdir(parents=True, exist_ok=True)
    with open(config.retrain_log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            command, cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT, env=os.environ, start_new_session=True
        )
    _started[:] = [proc]  # poll() reaps it once it has ended
    flash("Retraining started. It takes a while (training the model is most of it); this page shows how it went.")
    return redirect(url_for("retraining.page"))
