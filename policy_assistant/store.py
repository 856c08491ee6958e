"""Load and validate the answer store: the curated folder of YAML files that
liaison staff edit (sources, verbatim quotes, dated updates, topics, resources,
replies, languages).

Three steps: read each file with ruamel.yaml (keeping every line number, and
dates as text); check every record against its model in policy_assistant.schema;
then one short pass over what refers to what. Every problem is reported in plain
words as `file:line: message`, so that staff can fix an edit without a developer.
Plain Python, no Rasa.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Formatter
from typing import Any, Mapping, Sequence, TypeVar

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from policy_assistant.schema import (
    DEFAULT_LANGUAGE,
    LISTS,
    OPTIONAL,
    LanguageIn,
    Localized,
    NotSpokenIn,
    OccasionIn,
    QuoteIn,
    Record,
    ReplyIn,
    ResourceIn,
    SourceIn,
    SpeakerIn,
    TopicIn,
    UpdateIn,
)
from policy_assistant.text import fold

__all__ = [
    "DEFAULT_LANGUAGE",
    "FixedReply",
    "Language",
    "Localized",
    "Quote",
    "Resource",
    "Source",
    "Speaker",
    "Store",
    "StoreError",
    "Topic",
    "Update",
    "fold",
    "load_store",
    "store_files",
]

MAX_FILE_BYTES = 2_000_000
Loc = tuple[int | str, ...]
R = TypeVar("R", bound=Record)

# pydantic's error types, in the plain words staff read ('{field}' is the field's name).
PLAIN = {
    "value_error.store": "{message}",  # our own validators' words (policy_assistant.schema.Problem)
    "value_error.missing": "missing field '{field}'",
    "value_error.extra": "unknown field '{field}'",
    "type_error.none.not_allowed": "field '{field}' has no value",
    "type_error.list": "field '{field}' must be a list",
    "type_error.dict": "field '{field}' must be a mapping",
    "value_error.const": "field '{field}' must be {permitted}, not {given!r}",
    "value_error.strictbool": "field '{field}' must be true or false",
    "value_error.list.min_items": "field '{field}' has too few entries",
    "value_error.list.max_items": "field '{field}' has too many entries",
}


class StoreError(Exception):
    """The store could not be loaded; `problems` lists every reason found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("answer store is invalid:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: dt.date
    url: str | None
    note: Localized | None = None
    url_scope: str = "document"  # 'section' when url is a section's page, not the document
    date_inferred: bool = False  # the date is inferred, not printed on the source


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    role: Localized


@dataclass(frozen=True)
class Quote:
    id: str
    speaker: Speaker
    occasion: str
    occasion_label: Localized
    said_on: dt.date
    source: Source
    text: str
    translations: dict[str, str]  # unofficial; no English fallback: the English is `text`
    context: Localized | None = None


@dataclass(frozen=True)
class Update:
    id: str
    date: dt.date
    sources: tuple[Source, ...]
    text: Localized
    kind: str = "change"  # or 'record': a finding of the public record, not a change
    qualifies: tuple[str, ...] = ()  # ids of earlier quotes or updates it changes or limits


@dataclass(frozen=True)
class Resource:
    id: str
    name: Localized
    description: Localized
    source: Source
    url: str | None
    phone: str | None
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    title: Localized
    short: Localized
    summary: Localized
    quotes: tuple[Quote, ...]
    updates: tuple[Update, ...]
    related: tuple[str, ...]
    reviewed_by: str | None
    reviewed_on: dt.date | None
    file: str


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    detection_words: frozenset[str]
    switch_words: frozenset[str]
    months: tuple[str, ...]
    date_format: str
    direction: str
    messages: dict[str, str]
    labels: dict[str, str]
    ui: dict[str, str]
    # the default language's labels, for a label this language lacks
    fallback_labels: dict[str, str] = field(default_factory=dict)
    # the words people reply with on a phone, by kind (more, sources, stop), in capitals
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key) or self.fallback_labels.get(key, "")


@dataclass(frozen=True)
class FixedReply:
    intent: str
    buttons: tuple[str, ...]


@dataclass(frozen=True)
class NotSpoken:
    """A language the assistant does not speak, with one sentence in it."""

    code: str
    name: str
    detected_as: tuple[str, ...]
    sentence: str
    reviewed: bool


@dataclass
class Store:
    sources: dict[str, Source]
    quotes: dict[str, Quote]
    updates: dict[str, Update]
    topics: dict[str, Topic]
    resources: dict[str, Resource]
    languages: dict[str, Language]
    replies: dict[str, FixedReply]
    missing_translations: list[str] = field(default_factory=list)
    not_spoken: dict[str, NotSpoken] = field(default_factory=dict)

    def language(self, code: str | None) -> Language:
        return self.languages.get(code or DEFAULT_LANGUAGE) or self.languages[DEFAULT_LANGUAGE]

    def not_spoken_language(self, code: str | None) -> NotSpoken | None:
        """The language not spoken that an identified code stands for, if the store has it."""
        for language in self.not_spoken.values():
            if code == language.code or code in language.detected_as:
                return language
        return None

    def qualifiers(self, item_id: str) -> list[Update]:
        """The updates that declare they qualify a quote or an update, oldest first."""
        return sorted((u for u in self.updates.values() if item_id in u.qualifies), key=lambda u: u.date)


def store_files(root: Path) -> list[Path]:
    """Every file the store is made of, in a stable order (used to notice edits)."""
    root = Path(root)
    files = [p for p in root.rglob("*.yml") if p.is_file()]
    return sorted(files + [p for p in (root / SOURCE_TEXTS).glob("*.txt") if p.is_file()])


# The full text of each source document that quotes are taken from, one file per
# source id: source_texts/<source id>.txt. Every quote must be found in its
# source's text character for character.
SOURCE_TEXTS = "source_texts"


def source_text_path(root: str | Path, source_id: str) -> Path:
    return Path(root) / SOURCE_TEXTS / f"{source_id}.txt"


# ---------------------------------------------------------------- reading and the schema


class _TextDates(RoundTripConstructor):
    """Keeps dates as text, so that a bad date is reported with its line by our validation."""


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _line(doc: Any, loc: Loc) -> int | None:
    """The line of the innermost mapping on the path `loc` (a record, or a text
    per language), or of the list item that is not a mapping."""
    line = doc.lc.line + 1 if isinstance(doc, CommentedMap) else None
    node = doc
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line, node = node.lc.item(key)[0] + 1, node[key]
        else:
            break
        if isinstance(node, CommentedMap):
            line = node.lc.line + 1
    return line


def _plain(error: Mapping[str, Any], model: type[Record]) -> str:
    """One pydantic error in the plain words of PLAIN, with the field's hint if it has one."""
    names = [str(k) for k in error["loc"] if isinstance(k, str) and k != "__root__"]
    name = ".".join(names)
    ctx = dict(error.get("ctx") or {})
    if "permitted" in ctx:
        ctx["permitted"] = " or ".join(repr(p) for p in ctx["permitted"])
    template = PLAIN.get(error["type"], "field '{field}': {msg}")
    message = template.format(**ctx, field=name, msg=error["msg"])
    message = message.replace("{field}", name).replace("{noun}", model.noun)
    declared = model.__fields__.get(name) if len(error["loc"]) == 1 else None
    hint = declared.field_info.description if declared else None
    return f"{message} ({hint})" if hint else message


class _Loader:
    """Reads the files and collects every problem with its file and line."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.docs: dict[Path, Any] = {}  # the YAML documents, for their line numbers
        self.records: list[tuple[Path, Loc, Record]] = []
        self.broken: set[str] = set()  # ids of records that failed the schema
        self.partial: set[type[Record]] = set()  # kinds whose file could not be read whole
        self.ids: dict[type[Record], set[str]] = {}

    def where(self, path: Path, loc: Loc = (), line: int | None = None) -> str:
        line = line or _line(self.docs.get(path), loc)
        rel = path.relative_to(self.root).as_posix()
        return f"{rel}:{line}" if line else rel

    def problem(self, path: Path, loc: Loc, message: str) -> None:
        self.problems.append(f"{self.where(path, loc)}: {message}")

    def problems_in(self, name: str) -> bool:
        return any(p.startswith(f"{name}:") for p in self.problems)

    def warn(self, path: Path, loc: Loc, message: str) -> None:
        self.warnings.append(f"{self.where(path, loc)}: {message}")

    def read(self, path: Path) -> Any:
        """The YAML document in `path`, or None (and a problem) when it cannot be read."""
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problem(path, (), f"larger than {MAX_FILE_BYTES} bytes")
                return None
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            self.problem(path, (), f"cannot be read ({exc.strerror})")
            return None
        except UnicodeDecodeError as exc:
            self.problem(path, (), f"not UTF-8 text (byte {exc.start})")
            return None
        yaml = YAML(typ="rt")
        yaml.Constructor = _TextDates
        try:
            self.docs[path] = yaml.load(text)
        except YAMLError as exc:
            if isinstance(exc, MarkedYAMLError):
                mark = exc.problem_mark or exc.context_mark
                line, reason = (mark.line + 1 if mark else None), exc.problem or exc.context
            else:  # a character YAML does not allow
                line, reason = text.count("\n", 0, getattr(exc, "position", 0)) + 1, str(exc).split(" in ")[0]
            duplicate = re.match(r'found duplicate key "(.*?)"', reason)
            reason = f"duplicate key '{duplicate[1]}'" if duplicate else " ".join(reason.split())
            self.problems.append(f"{self.where(path, line=line)}: YAML error: {reason}")
            return None
        return self.docs[path]

    def record(self, path: Path, loc: Loc, model: type[R], data: Any) -> R | None:
        """`data` checked against `model`, or None with its problems reported."""
        if not isinstance(data, dict):
            self.problem(path, loc, f"expected a mapping of fields, got {data!r}")
            return None
        try:
            record = model.parse_obj(data)
        except ValidationError as error:
            for e in error.errors():
                self.problem(path, loc + tuple(e["loc"]), _plain(e, model))
            self.broken.add(str(data.get("id")))
            return None
        self.records.append((path, loc, record))
        return record

    def single(self, path: Path, model: type[Record]) -> None:
        """A file that is one record (its id is the file's name)."""
        doc = self.read(path)
        if doc is None and path in self.docs:
            self.problem(path, (), "the file is empty")
        if doc is None or self.record(path, (), model, doc) is None:
            self.broken.add(path.stem)

    def lists(self, path: Path) -> None:
        """A file of top-level lists of records (see schema.LISTS)."""
        doc, shape = self.read(path), LISTS[path.name]
        if doc is None:  # unreadable, or empty (nothing but comments, or nothing at all)
            if path in self.docs:
                lists = ", ".join(f"'{key}:'" for key in shape) + (" lists" if len(shape) > 1 else " list")
                fix = (
                    f" (write '{next(iter(shape))}: []' for none, or delete the file)" if path.name in OPTIONAL else ""
                )
                self.problems.append(
                    f"{self.where(path, line=1)}: the file is empty: it needs its top-level {lists}{fix}"
                )
            self.partial.update(shape.values())
            return
        doc = doc if isinstance(doc, dict) else {}
        for key in doc:
            if key not in shape:
                self.problem(path, (), f"unknown field '{key}'")
        for key, model in shape.items():
            if not isinstance(doc.get(key), list):
                line = doc.lc.key(key)[0] + 1 if isinstance(doc, CommentedMap) and key in doc else None
                self.problems.append(f"{self.where(path, line=line)}: expected a top-level '{key}:' list")
                self.partial.add(model)
                continue
            for i, item in enumerate(doc[key]):
                self.record(path, (key, i), model, item)

    def of(self, model: type[R]) -> list[tuple[Path, Loc, R]]:
        return [(path, loc, r) for path, loc, r in self.records if isinstance(r, model)]

    def unique(self, model: type[R], key: str = "id") -> dict[str, R]:
        """The records of a kind by id; a second record with the same id is a problem."""
        found: dict[str, R] = {}
        for path, loc, record in self.of(model):
            value = getattr(record, key)
            if value in found:
                self.problem(path, loc, f"duplicate {model.noun} {key} '{value}'")
            else:
                found[value] = record
        self.ids[model] = set(found)
        return found

    def refs(self, path: Path, loc: Loc, ids: Sequence[str], what: str, *models: type[Record], then: str = "") -> None:
        """Every id in `ids` names a record of one of `models` (unless that record is itself broken)."""
        if self.partial.intersection(models):
            return
        known = set().union(*(self.ids.get(model, ()) for model in models))
        for ref in ids:
            if ref not in known and ref not in self.broken:
                self.problem(path, loc, f"unknown {what} '{ref}'{then}")


# ---------------------------------------------------------------- what refers to what


def load_store(root: str | Path) -> Store:
    """Read and validate every file; raise StoreError listing all problems."""
    root = Path(root)
    if not root.is_dir():
        raise StoreError([f"{root}: the answer store folder does not exist"])
    c = _Loader(root)
    for path in sorted((root / "languages").glob("*.yml")):
        c.single(path, LanguageIn)
    for name in LISTS:
        if name not in OPTIONAL or (root / name).exists():
            c.lists(root / name)
    for path in sorted((root / "topics").glob("*.yml")):
        c.single(path, TopicIn)
    _check_references(c)
    _check_languages(c)
    if c.problems:
        raise StoreError(c.problems)
    return _build(c)


# The texts the assistant fills in (policy_assistant/answers.py, and actions/
# for messages.language_choices), with the placeholders each one takes and a
# value of the right kind for each. Any other text takes none: a placeholder
# the assistant does not fill in would break every answer that shows it, so a
# staff edit that adds one is refused.
DATE_PLACEHOLDERS: dict[str, Any] = {"day": 22, "month": "September", "year": 2017}
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "labels.old_warning": {"date": "22 September 2017", "years": 8},
    "labels.officials_said": {"year": 2017},
    "labels.reviewed_by": {"by": "city staff", "date": "22 September 2017"},
    "labels.when_quotes": {"dates": "22 September 2017"},
    "labels.when_records": {"dates": "22 September 2017"},
    "labels.when_latest": {"latest": "22 September 2017"},
    "labels.qualified_by": {"dates": "22 July 2025"},
    "messages.language_choices": {"names": "English, Español"},
    "messages.phone_hint": {"more": "MORE", "sources": "SOURCES"},
}
# The labels no answer can do without: the short answer's lead, the heading
# that marks later changes as later, and the "not legal advice" line. Every
# other language falls back to the default language's label, so the default
# language must have them.
REQUIRED_LABELS = ("in_short", "since_then", "disclaimer")
FALLBACK_REPLY = "nlu_fallback"  # the reply to anything not understood, and to an intent with no reply


def _key_line(doc: Any, *keys: str) -> int | None:
    """The line of a key of a mapping (of a mapping ...) of the document, or of
    the innermost mapping that is there."""
    line = doc.lc.line + 1 if isinstance(doc, CommentedMap) else None
    for key in keys:
        if not (isinstance(doc, CommentedMap) and key in doc):
            break
        line, doc = doc.lc.key(key)[0] + 1, doc[key]
    return line


def _check_references(c: _Loader) -> None:
    """Unknown and duplicate ids, lists that name an id twice, topics with nothing
    to say, and the `qualifies` rules."""
    for model in (SourceIn, SpeakerIn, OccasionIn, ResourceIn):
        c.unique(model)
    c.unique(ReplyIn, "intent")
    quotes, updates, topics = c.unique(QuoteIn), c.unique(UpdateIn), c.unique(TopicIn)
    dated = {**{q.id: q.said_on for q in quotes.values()}, **{u.id: u.date for u in updates.values()}}
    qualified_by: dict[str, list[str]] = {}
    for update in updates.values():
        for item in update.qualifies:
            qualified_by.setdefault(item, []).append(update.id)

    for path, loc, record in c.records:
        for name, value in record:
            if isinstance(value, list) and len(set(value)) != len(value):
                c.problem(path, loc, f"'{name}' lists an id twice")
    for path, loc, quote in c.of(QuoteIn):
        c.refs(path, loc, [quote.speaker], "speaker", SpeakerIn)
        c.refs(path, loc, [quote.occasion], "occasion", OccasionIn)
        c.refs(path, loc, [quote.source], "source", SourceIn)
        _check_verbatim(c, path, loc, quote)
    for path, loc, update in c.of(UpdateIn):
        c.refs(path, loc, update.sources, "source", SourceIn)
        c.refs(path, loc, update.qualifies, "quote or update id", QuoteIn, UpdateIn)
        for item in update.qualifies:
            if item in dated and not update.date > dated[item]:
                c.problem(
                    path,
                    loc,
                    f"qualifies '{item}' but is not dated after it ({update.date} is not after {dated[item]})",
                )
    for path, loc, topic in c.of(TopicIn):
        if topic.id != path.stem:
            c.problem(path, loc, f"topic id '{topic.id}' must match the file name '{path.stem}.yml'")
        c.refs(path, loc, topic.quotes, "quote id", QuoteIn)
        c.refs(path, loc, topic.updates, "update id", UpdateIn)
        c.refs(path, loc, topic.related, "related topic id", TopicIn)
        if not topic.quotes and not topic.updates:
            c.problem(path, loc, f"topic '{topic.id}' has nothing to say: list at least one quote or update")
        for item in topic.quotes + topic.updates:
            for later in qualified_by.get(item, []):
                if later not in topic.updates:
                    c.problem(path, loc, f"lists '{item}' but not '{later}', which qualifies it")
    if not topics:
        c.problems.append("topics/: no topic files")
    for path, loc, resource in c.of(ResourceIn):
        c.refs(path, loc, [resource.source], "source", SourceIn, then=": every resource needs a source")
        c.refs(path, loc, resource.topics, "topic id", TopicIn)
    for path, loc, reply in c.of(ReplyIn):
        c.refs(path, loc, reply.buttons, "topic id", TopicIn, then=" in buttons")
    if ReplyIn not in c.partial and FALLBACK_REPLY not in c.ids[ReplyIn] and not c.problems_in("replies.yml"):
        c.problems.append(f"replies.yml: no '{FALLBACK_REPLY}' reply: it answers every message not understood")


def _check_verbatim(c: _Loader, path: Path, loc: Loc, quote: QuoteIn) -> None:
    """A quote stands character for character in its source's text."""
    if quote.source not in c.ids.get(SourceIn, set()):
        return  # an unknown source is its own problem; its name is never made a path
    text_file = source_text_path(c.root, quote.source)
    try:
        document = text_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        c.problem(path, loc, f"quote '{quote.id}': no text of its source: add {SOURCE_TEXTS}/{quote.source}.txt")
        return
    except (OSError, UnicodeDecodeError) as error:
        c.problem(path, loc, f"quote '{quote.id}': the text of its source cannot be read ({error})")
        return
    if quote.text not in document:
        c.problem(
            path,
            loc,
            f"quote '{quote.id}' is not in the text of its source ({SOURCE_TEXTS}/{quote.source}.txt) "
            "character for character",
        )


def _check_languages(c: _Loader) -> None:
    """Texts in undeclared languages are problems; missing translations are warnings."""
    languages = c.unique(LanguageIn, "code")
    for path, loc, other in c.of(NotSpokenIn):
        if other.code in languages:
            c.warn(path, loc, f"'{other.code}' is now a language the assistant speaks: remove it from not_spoken.yml")
    c.unique(NotSpokenIn, "code")
    codes = [path.stem for path in sorted((c.root / "languages").glob("*.yml"))] or [DEFAULT_LANGUAGE]
    for path, loc, language in c.of(LanguageIn):
        if language.code != path.stem:
            c.problem(path, loc, f"code '{language.code}' must match the file name '{path.stem}.yml'")
    if DEFAULT_LANGUAGE not in languages:
        c.problems.append(f"languages/{DEFAULT_LANGUAGE}.yml: the default language file is missing or invalid")
    for path, loc, record in c.records:
        for name, value in record:
            if isinstance(value, Localized):
                for lang in value:
                    if lang not in codes:
                        c.problem(path, (*loc, name), f"'{name}' has undeclared language '{lang}'")
                for lang in codes:
                    if lang not in value:
                        c.warn(
                            path, loc, f"no '{lang}' translation of {record.noun} '{getattr(record, 'id', '')}' {name}"
                        )
    for path, loc, quote in c.of(QuoteIn):
        for lang in quote.translations:
            if lang not in codes:
                c.problem(path, loc, f"translation into undeclared language '{lang}'")
        for lang in codes:
            if lang != DEFAULT_LANGUAGE and lang not in quote.translations:
                c.warn(path, loc, f"no '{lang}' translation of quote '{quote.id}'")
    for path, _, language in c.of(LanguageIn):
        _check_placeholders(c, path, language)
        if language.code == DEFAULT_LANGUAGE:
            for key in REQUIRED_LABELS:
                if not (language.labels.get(key) or "").strip():
                    c.problems.append(
                        f"{c.where(path, line=_key_line(c.docs.get(path), 'labels', key))}: "
                        f"no 'labels.{key}' text: every answer needs it, and every language falls back to it"
                    )
    for section in ("messages", "labels", "ui"):
        every_key = {key for language in languages.values() for key in getattr(language, section)}
        for code, language in languages.items():
            for key in sorted(every_key - set(getattr(language, section))):
                c.warnings.append(f"languages/{code}.yml: no '{section}.{key}' text")
    for _, _, reply in c.of(ReplyIn):
        for code, language in languages.items():
            if reply.intent not in language.messages:
                message = f"languages/{code}.yml: no 'messages.{reply.intent}' text for reply '{reply.intent}'"
                (c.problems if code == DEFAULT_LANGUAGE else c.warnings).append(message)


def _check_placeholders(c: _Loader, path: Path, language: LanguageIn) -> None:
    """Each text of a language has only the placeholders the assistant fills in
    (PLACEHOLDERS), and can be filled in with them."""
    texts = [("date_format", language.date_format, {**DATE_PLACEHOLDERS, "month": language.months[8]})]
    texts += [
        (f"{section}.{key}", text or "", PLACEHOLDERS.get(f"{section}.{key}", {}))
        for section in ("messages", "labels", "ui")
        for key, text in getattr(language, section).items()
    ]
    for where, text, values in texts:
        at = c.where(path, line=_key_line(c.docs.get(path), *where.split(".")))
        try:
            names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError:
            c.problems.append(f"{at}: '{where}' has an unmatched {{ or }}")
            continue
        unknown = sorted(names - set(values))
        if unknown:
            allowed = ", ".join("{" + n + "}" for n in sorted(values))
            fix = f"use only {allowed}" if values else "this text takes no placeholders"
            c.problems.append(f"{at}: '{where}' has an unknown placeholder {{{unknown[0]}}}: {fix}")
            continue
        if not values:
            continue
        try:
            text.format(**values)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
            c.problems.append(f"{at}: '{where}' cannot be filled in: {exc}")


def _build(c: _Loader) -> Store:
    """The store's objects, once every check has passed (so every id resolves)."""
    sources = {
        s.id: Source(
            id=s.id,
            title=s.title,
            publisher=s.publisher,
            date=s.date,
            url=s.url,
            note=s.note,
            url_scope=s.url_scope,
            date_inferred=s.date_inferred,
        )
        for _, _, s in c.of(SourceIn)
    }
    speakers = {s.id: Speaker(id=s.id, name=s.name, role=s.role) for _, _, s in c.of(SpeakerIn)}
    occasions = {o.id: o.label for _, _, o in c.of(OccasionIn)}
    quotes = {
        q.id: Quote(
            id=q.id,
            speaker=speakers[q.speaker],
            occasion=q.occasion,
            occasion_label=occasions[q.occasion],
            said_on=q.said_on,
            source=sources[q.source],
            text=q.text,
            context=q.context,
            translations={lang: text.strip() for lang, text in q.translations.items()},
        )
        for _, _, q in c.of(QuoteIn)
    }
    updates = {
        u.id: Update(
            id=u.id,
            date=u.date,
            sources=tuple(sources[s] for s in u.sources),
            text=u.text,
            kind=u.kind,
            qualifies=tuple(u.qualifies),
        )
        for _, _, u in c.of(UpdateIn)
    }
    topics = {
        t.id: Topic(
            id=t.id,
            title=t.title,
            short=t.short,
            summary=t.summary,
            quotes=tuple(quotes[q] for q in t.quotes),
            updates=tuple(updates[u] for u in t.updates),
            related=tuple(t.related),
            reviewed_by=t.reviewed_by,
            reviewed_on=t.reviewed_on,
            file=path.relative_to(c.root).as_posix(),
        )
        for path, _, t in c.of(TopicIn)
    }
    resources = {
        r.id: Resource(
            id=r.id,
            name=r.name,
            description=r.description,
            source=sources[r.source],
            url=r.url,
            phone=r.phone,
            topics=tuple(r.topics),
        )
        for _, _, r in c.of(ResourceIn)
    }
    languages = {
        lang.code: Language(
            code=lang.code,
            name=lang.name,
            months=tuple(lang.months),
            date_format=lang.date_format,
            direction=lang.direction,
            detection_words=frozenset(fold(w) for w in lang.detection.words),
            switch_words=frozenset(fold(w) for w in lang.detection.switch_words),
            messages={k: (v or "").strip() for k, v in lang.messages.items()},
            labels={k: (v or "").strip() for k, v in lang.labels.items()},
            ui={k: (v or "").strip() for k, v in lang.ui.items()},
            keywords={kind: tuple(w.strip().upper() for w in words) for kind, words in lang.keywords},
        )
        for _, _, lang in c.of(LanguageIn)
    }
    default = languages.get(DEFAULT_LANGUAGE)
    if default is not None:
        languages = {
            code: replace(language, fallback_labels=default.labels) if code != DEFAULT_LANGUAGE else language
            for code, language in languages.items()
        }
    replies = {r.intent: FixedReply(intent=r.intent, buttons=tuple(r.buttons)) for _, _, r in c.of(ReplyIn)}
    return Store(
        sources=sources,
        quotes=quotes,
        updates=updates,
        topics=topics,
        resources=resources,
        languages=languages,
        replies=replies,
        missing_translations=c.warnings,
        not_spoken={
            n.code: NotSpoken(n.code, n.name, tuple(n.detected_as), n.sentence.strip(), n.reviewed)
            for _, _, n in c.of(NotSpokenIn)
        },
    )
