"""The internal endpoints the other servers call (issue 29): from the action
servers, a question a person agreed to share, and the usage counts; from the
Rasa servers that follow the console's serving model
(rasa_server/model_follower.py), which model serves, its file, and the turn
to load it (one server at a time). Not for people: each needs
$INTERNAL_TOKEN (policy_assistant.settings) as a bearer token, has no session
and no CSRF token (it is not a form: the blueprint is exempt), and answers no
request that came through a proxy (the Ingress or a TLS proxy in front of the
console: the outside). What arrives is checked, never trusted: a shared text is
scrubbed again before it is kept, and a count must name what the live store has."""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, abort, current_app, request, send_file

from policy_assistant.internal_calls import bearer_matches, through_proxy
from policy_assistant.model_files import fingerprint
from policy_assistant.scrub import scrub
from policy_assistant.settings import ConsoleSettings
from policy_assistant.usage_counts import MAX_ROWS
from staff_console import db
from staff_console.shared_questions import MAX_TEXT
from staff_console.usage import BATCH_ID, CHANNELS, Usage, valid_count
from staff_console.views.questions import shared

bp = Blueprint("internal", __name__, url_prefix="/staff/internal")
logger = logging.getLogger(__name__)


def internal_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if through_proxy(request.headers):
            abort(404)  # from outside, where this is not served
        if not bearer_matches(request.headers, ConsoleSettings().internal_token):
            abort(401)
        return view(*args, **kwargs)

    return checked


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


@bp.route("/shared-questions", methods=["POST"])
@internal_only
def receive() -> Any:
    body = json_object()
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


@bp.route("/usage", methods=["POST"])
@internal_only
def usage() -> Any:
    """Counts from an action server: {"batch": id, "counts": [{day, kind,
    topic, lang, channel, n}, ...]}; a batch id seen before adds nothing. A
    count the live store cannot place is refused alone (and logged by number
    only), so that one bad row never holds back the rest: the sender would
    send it again and again."""
    body = json_object()
    items, batch = body.get("counts"), body.get("batch")
    if not isinstance(items, list) or len(items) > MAX_ROWS:
        abort(400)
    if not isinstance(batch, str) or not BATCH_ID.fullmatch(batch):
        abort(400)
    # the topics and languages as last loaded: every action server calls this
    # a few times a second, and must not make the console load and render the
    # whole store again after each publish (it does so when staff next look)
    store = db.console().live.loaded() or db.live_store()
    if store is None:
        abort(503)  # nothing to check the counts against yet: the sender keeps them and tries again
    today = db.console().today()
    counts = [valid_count(item, store.topics, store.languages, today) for item in items]
    kept = [count for count in counts if count is not None]
    if not Usage(db.get_db()).add(batch, kept, today):
        return {"kept": 0, "refused": 0, "again": True}, 200  # sent again after a call it had no answer to
    if len(kept) < len(items):
        logger.warning(
            "Refused %d of %d usage counts that name nothing the live store has", len(items) - len(kept), len(items)
        )
    return {"kept": len(kept), "refused": len(items) - len(kept)}, 200


SHA256 = re.compile(r"[0-9a-f]{64}")
HOLDER = re.compile(r"[\w.:-]{1,200}")  # a Rasa server's host name and process id


def serving_model() -> Path:
    """The file devtools/retrain.py installs a model that passed the gate into (RETRAIN_MODEL)."""
    from devtools.retrain import RetrainSettings

    return RetrainSettings().retrain_model


def installed_model() -> Path:
    """The serving model's file; 404 while there is none (the followers keep theirs)."""
    path = serving_model()
    if not path.is_file():
        abort(404)
    return path


@dataclass
class Turn:
    """Which Rasa server loads the serving model now: one at a time, so the
    others keep answering. A turn not given back ends by itself after
    `seconds` (a server that died while loading holds no one back longer)."""

    seconds: float
    holder: str = ""
    until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, holder: str) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.holder not in ("", holder) and now < self.until:
                return False
            self.holder, self.until = holder, now + self.seconds
            return True

    def give_back(self, holder: str) -> None:
        with self.lock:
            if self.holder == holder:
                self.holder, self.until = "", 0.0


def turn() -> Turn:
    # as long as devtools/retrain.py waits for a server's load
    from devtools.retrain import LOAD_SECONDS

    turns: Turn = current_app.extensions.setdefault("model_turn", Turn(LOAD_SECONDS))
    return turns


@bp.route("/model", methods=["GET"])
@internal_only
def model() -> Any:
    """Which model serves: the sha-256 of its file (what the followers compare)."""
    path = installed_model()
    return {"sha256": fingerprint(path), "size": path.stat().st_size}


@bp.route("/model/file", methods=["GET"])
@internal_only
def model_file() -> Any:
    path = installed_model()
    # opened once: a model installed meanwhile does not mix into this download
    return send_file(path, mimetype="application/gzip", download_name=path.name, conditional=False, etag=False)


@bp.route("/model/turn", methods=["POST", "DELETE"])
@internal_only
def model_turn() -> Any:
    body = json_object()
    holder = body.get("holder")
    if not isinstance(holder, str) or not HOLDER.fullmatch(holder):
        abort(400)
    if request.method == "DELETE":
        turn().give_back(holder)
        return {"turn": False}, 200
    wanted, path = body.get("sha256"), serving_model()
    if not isinstance(wanted, str) or not SHA256.fullmatch(wanted):
        abort(400)
    if not path.is_file() or fingerprint(path) != wanted:
        return {"turn": False, "error": "another_model"}, 409  # installed meanwhile: ask again
    if not turn().take(holder):
        return {"turn": False, "error": "another_server_is_loading"}, 409
    return {"turn": True}, 200
