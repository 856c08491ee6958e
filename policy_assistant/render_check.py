"""Render every answer of a store before it is served.

The store's own rules (policy_assistant.store and the models of
policy_assistant.schema, which also check every text's placeholders) refuse
what they know breaks answers, with the file and line. This is the catch-all
after them: every topic
in every language goes through every public way policy_assistant.answers
renders (the answer, the details, the payload, the follow-ups), and so do every
fixed reply of replies.yml, every message and the replies to a language not
spoken. Anything that raises is reported in plain words, naming what was
rendered, the language and the cause; a store that does not render is refused
like one that does not load (policy_assistant.live_store keeps the last good
one).

Also the validation stage's command (scripts/validate.sh):

    python -m policy_assistant.render_check [store_dir]

exits 1 and lists the problems when the store does not load or render, and
prints a one-line summary when it does.

A store that passed is remembered, in this process, by what its files hold
and the day it was checked (rendering depends on the date): the staff console
checks the same draft on every page that shows it, and again when it is
published. Only a store that passed is remembered; one that fails is checked
again every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from cachetools import LRUCache

from policy_assistant import answers, phone_messages
from policy_assistant.settings import AnswerSettings
from policy_assistant.store import DEFAULT_LANGUAGE, REQUIRED_LABELS, Store, StoreError, load_store, store_files

FOLLOW_UPS = ("who", "when", "more")
NO_SUCH_INTENT = "an_intent_with_no_reply"  # answered with the fallback reply
MAX_CAUSE = 200  # characters of an unexpected error's own words
REMEMBERED = 8  # stores that passed, by content and day: a few drafts and the live version


class RenderFailure(Exception):
    """Why a rendering failed, in plain words."""


def _sent(reply: answers.Reply) -> None:
    """What the channels do with a reply: send its text, buttons and payload as JSON."""
    json.dumps({"text": reply.text, "buttons": reply.buttons, "custom": reply.payload})


def _topic(store: Store, topic_id: str, lang: str, today: dt.date) -> None:
    # the answer's payload is the topic's (answers.topic_payload), and the
    # follow-up "more" is the details' text (answers.details_text): each is
    # rendered once, here
    _sent(answers.answer_topic(store, topic_id, lang, today))
    phone_messages.topic_messages(store, topic_id, lang)
    phone_messages.details_messages(store, topic_id, lang)
    for kind in FOLLOW_UPS:
        _sent(answers.follow_up(store, kind, topic_id, lang, today))
    topic = store.topics[topic_id]
    # and as it will read once staff review it, and once it changes after review
    for version in (topic.fingerprint(), "changed"):
        reviewed = topic.copy(update={"reviewed_by": "city staff", "reviewed_on": today, "reviewed_version": version})
        as_reviewed = store.variant(topics={**store.topics, topic_id: reviewed})
        _sent(answers.answer_topic(as_reviewed, topic_id, lang, today))
        _sent(answers.follow_up(as_reviewed, "when", topic_id, lang, today))
    # and as it will read once a native speaker checks the language, and once the English changes after that
    if lang != DEFAULT_LANGUAGE:
        for version in (store.texts_version(lang), "changed"):
            checked = store.language(lang).copy(
                update={"checked_by": "a native speaker", "checked_on": today, "checked_version": version}
            )
            as_checked = store.variant(languages={**store.languages, lang: checked})
            _sent(answers.answer_topic(as_checked, topic_id, lang, today))
            phone_messages.topic_messages(as_checked, topic_id, lang)


def _reply(store: Store, intent: str, lang: str) -> None:
    _sent(answers.fixed_reply(store, intent, lang))
    topics = list(store.topics)  # some replies offer the closest topics first
    for first, second in zip(topics, topics[1:] + topics[:1], strict=True):
        _sent(answers.fixed_reply(store, intent, lang, closest=[first, second]))
    for other in store.not_spoken.values():  # the reply to a language not spoken names it
        for code in (other.code, *other.detected_as):
            _sent(answers.fixed_reply(store, intent, lang, foreign=code))


def _no_topic_yet(store: Store, lang: str, today: dt.date) -> None:
    for kind in FOLLOW_UPS:
        _sent(answers.follow_up(store, kind, None, lang, today))


def _messages(store: Store, lang: str) -> None:
    keys = {key for language in store.languages.values() for key in language.messages}
    for key in sorted(keys):
        answers.message(store, key, lang)
    for key in REQUIRED_LABELS:  # every language has them, or falls back to the default's
        if not store.language(lang).label(key):
            raise RenderFailure(f"the label '{key}' is missing")


def _not_spoken(store: Store) -> None:
    answers.not_spoken_text(store, None)
    for other in store.not_spoken.values():
        for code in (other.code, *other.detected_as):
            answers.not_spoken_text(store, code)


Rendering = tuple[str, str, Callable[[], None]]  # what, in which language, how


def _renderings(store: Store, today: dt.date) -> Iterator[Rendering]:
    for lang in store.languages:
        for topic_id in store.topics:
            yield f"topic '{topic_id}'", lang, partial(_topic, store, topic_id, lang, today)
        for intent in store.replies:
            yield f"the reply '{intent}'", lang, partial(_reply, store, intent, lang)
        yield "the reply to an intent with no reply of its own", lang, partial(_reply, store, NO_SUCH_INTENT, lang)
        yield "the follow-ups with no topic yet", lang, partial(_no_topic_yet, store, lang, today)
        yield "the messages", lang, partial(_messages, store, lang)
    yield "the reply to a language not spoken", "every language", partial(_not_spoken, store)


def _cause(exc: Exception) -> str:
    if isinstance(exc, RenderFailure):
        return str(exc)
    words = f"{type(exc).__name__}: {exc}"
    return words if len(words) <= MAX_CAUSE else words[: MAX_CAUSE - 1] + "…"


def render_problems(store: Store, today: dt.date | None = None) -> tuple[list[str], int]:
    """Render everything; return the problems (one per cause, naming the first
    rendering it broke and how many more it broke) and how many renderings ran."""
    failed: dict[str, list[tuple[str, str]]] = {}
    count = 0
    for what, lang, render in _renderings(store, today or dt.date.today()):
        count += 1
        try:
            render()
        except Exception as exc:  # noqa: BLE001  the catch-all: whatever breaks an answer refuses the store
            failed.setdefault(_cause(exc), []).append((what, lang))
    problems = []
    for cause, where in failed.items():
        what, lang = where[0]
        more = f" (and {len(where) - 1} more renderings with the same cause)" if len(where) > 1 else ""
        problems.append(f"rendering {what} in '{lang}' failed: {cause}{more}")
    return problems, count


def check_rendering(store: Store, today: dt.date | None = None) -> Store:
    """The store, once every answer renders; else StoreError with the problems."""
    problems, _ = render_problems(store, today)
    if problems:
        raise StoreError(problems)
    return store


ContentKey = tuple[str, dt.date]
_passed: LRUCache[ContentKey, Store] = LRUCache(maxsize=REMEMBERED)
_passed_lock = threading.Lock()


def content_key(root: Path) -> ContentKey:
    """What the store's files hold (each file's path in the store and bytes), and today."""
    digest = hashlib.sha256()
    for path in store_files(root):
        name, data = path.relative_to(root).as_posix().encode(), path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)) + data)
    return digest.hexdigest(), dt.date.today()


def load_rendered_store(root: str | Path) -> Store:
    """load_store, then check_rendering: a store that is safe to serve. A store
    with the same files that passed today is not loaded and rendered again."""
    root = Path(root)
    key = content_key(root)
    with _passed_lock:
        store = _passed.get(key)
    if store is not None:
        return store
    store = check_rendering(load_store(root))
    # remembered only if the files did not change while they were read (git
    # replaces files one by one while a publish lands)
    if content_key(root) == key:
        with _passed_lock:
            _passed[key] = store
    return store


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m policy_assistant.render_check [store_dir]", file=sys.stderr)
        return 2
    root = Path(args[0]) if args else AnswerSettings().answer_store  # else the store the assistant serves
    try:
        store = load_store(root)
        problems, count = render_problems(store)
    except StoreError as error:
        problems, count = error.problems, 0
    if problems:
        print(f"answer store {root} is refused:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"answer store {root}: loads and renders ({count} renderings: {len(store.topics)} topics in "
        f"{len(store.languages)} languages ({', '.join(store.languages)}), {len(store.replies)} replies, "
        f"{len(store.not_spoken)} languages not spoken); {len(store.missing_translations)} warnings"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
