"""Render every answer of a store before it is served.

The store's own rules (policy_assistant.store) refuse what they know breaks
answers, with the file and line. This is the catch-all after them: every topic
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
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from functools import partial
from pathlib import Path

from policy_assistant import answers, phone_messages
from policy_assistant.store import PLACEHOLDERS, REQUIRED_LABELS, Language, Store, StoreError, load_store

FOLLOW_UPS = ("who", "when", "more")
NO_SUCH_INTENT = "an_intent_with_no_reply"  # answered with the fallback reply
MAX_CAUSE = 200  # characters of an unexpected error's own words


class RenderFailure(Exception):
    """Why a rendering failed, in plain words."""


class _Text(str):
    """A text of the store that says which one it is when it cannot be filled in."""

    what: str

    def __new__(cls, text: str, what: str) -> _Text:
        made = super().__new__(cls, text)
        made.what = what
        return made

    def format(self, *args: object, **kwargs: object) -> str:
        try:
            return str.format(self, *args, **kwargs)
        except KeyError as exc:
            raise RenderFailure(
                f"{self.what} has the placeholder {{{exc.args[0]}}}, which the answers do not fill in"
            ) from None
        except IndexError:
            raise RenderFailure(f"{self.what} has a numbered placeholder such as {{0}}: use a name") from None
        except (ValueError, TypeError, AttributeError) as exc:
            raise RenderFailure(f"{self.what} cannot be filled in: {exc}") from None


@dataclass(frozen=True)
class _Strict(Language):
    """A language whose required labels must be there, and whose texts name
    themselves when they cannot be filled in."""

    def label(self, key: str) -> str:
        text = super().label(key)
        if not text and key in REQUIRED_LABELS:
            raise RenderFailure(f"the label '{key}' is missing")
        return _Text(text, f"the label '{key}'")


def _strict(store: Store) -> Store:
    """A copy of the store whose languages are strict (the store itself is not changed)."""
    languages: dict[str, Language] = {}
    for code, language in store.languages.items():
        values = {f.name: getattr(language, f.name) for f in fields(language)}
        values["date_format"] = _Text(language.date_format, "the date_format")
        languages[code] = _Strict(**values)
    return replace(store, languages=languages)


def _sent(reply: answers.Reply) -> None:
    """What the channels do with a reply: send its text, buttons and payload as JSON."""
    json.dumps({"text": reply.text, "buttons": reply.buttons, "custom": reply.payload})


def _topic(store: Store, topic_id: str, lang: str, today: dt.date) -> None:
    _sent(answers.answer_topic(store, topic_id, lang, today))
    answers.details_text(store, topic_id, lang, today)
    phone_messages.topic_messages(store, topic_id, lang)
    phone_messages.details_messages(store, topic_id, lang)
    json.dumps(answers.topic_payload(store, store.topics[topic_id], lang, today))
    for kind in FOLLOW_UPS:
        _sent(answers.follow_up(store, kind, topic_id, lang, today))
    topic = store.topics[topic_id]
    if topic.reviewed_on is None:  # and as it will read once staff review it
        reviewed = replace(topic, reviewed_by="city staff", reviewed_on=today)
        as_reviewed = replace(store, topics={**store.topics, topic_id: reviewed})
        _sent(answers.answer_topic(as_reviewed, topic_id, lang, today))
        _sent(answers.follow_up(as_reviewed, "when", topic_id, lang, today))


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
        text = answers.message(store, key, lang)
        values = PLACEHOLDERS.get(f"messages.{key}")
        if values:  # filled in where it is used (actions/)
            _Text(text, f"the message '{key}'").format(**values)


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
    strict = _strict(store)
    failed: dict[str, list[tuple[str, str]]] = {}
    count = 0
    for what, lang, render in _renderings(strict, today or dt.date.today()):
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


def load_rendered_store(root: str | Path) -> Store:
    """load_store, then check_rendering: a store that is safe to serve."""
    return check_rendering(load_store(root))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m policy_assistant.render_check [store_dir]", file=sys.stderr)
        return 2
    if args:
        root = Path(args[0])
    else:
        from policy_assistant.live_store import store_path  # the store the assistant serves

        root = store_path()
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
