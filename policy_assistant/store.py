"""Load and validate the answer store: the curated folder of YAML files that
liaison staff edit (sources, verbatim quotes, dated updates, topics, resources,
replies, languages).

Three steps: read each file (policy_assistant.yaml_lines: every line number
kept, dates as text); check every record against its model in policy_assistant.schema;
then one short pass over what refers to what, which also resolves every id to
the record it names. Every problem is reported in plain
words as `file:line: message`, so that staff can fix an edit without a developer.
Plain Python, no Rasa.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from pydantic import BaseModel, PrivateAttr, ValidationError

from policy_assistant import yaml_lines
from policy_assistant.schema import (
    DATE_PLACEHOLDERS,
    DEFAULT_LANGUAGE,
    GROUND_KINDS,
    GROUNDED,
    LISTS,
    MAX_EXPLANATIONS,
    OPTIONAL,
    PLACEHOLDERS,
    Absence,
    Explanation,
    FixedReply,
    Ground,
    Language,
    Localized,
    NotSpoken,
    Occasion,
    Passage,
    Quote,
    Record,
    Resource,
    Scope,
    SentenceGrounds,
    Source,
    Speaker,
    Topic,
    Update,
    ref_id,
)
from policy_assistant.text import fold, sentences
from policy_assistant.yaml_lines import LineList, LineMap

__all__ = [
    "DATE_PLACEHOLDERS",
    "DEFAULT_LANGUAGE",
    "PLACEHOLDERS",
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


def texts_version(records: Iterable[Record], code: str) -> str:
    """A short digest of every text a translation into `code` is checked
    against, and of the translation itself: the English and `code` text of
    every per-language text, every quote (its English words and its `code`
    translation), and the messages, labels and page strings of the English and
    `code` language files. A native speaker's check records it
    (Language.checked_version)."""
    langs = sorted({DEFAULT_LANGUAGE, code})
    texts: list[Any] = []
    for record in records:
        if isinstance(record, Language):
            if record.code in langs:
                texts.append([record.code, record.messages, dict(record.labels), record.ui])
            continue
        for name, value in record:
            if isinstance(value, Localized):
                texts.append(
                    [type(record).__name__, getattr(record, "id", None), name, {c: value.get(c) for c in langs}]
                )
        if isinstance(record, Quote):
            texts.append(["Quote", record.id, record.text, record.translations.get(code)])
    digest = json.dumps(sorted(texts, key=lambda t: json.dumps(t, default=str)), ensure_ascii=False, default=str)
    return hashlib.sha256(digest.encode()).hexdigest()[:16]


class Store(BaseModel):
    """Every record of the store, by id, with each reference resolved."""

    sources: dict[str, Source]
    quotes: dict[str, Quote]
    updates: dict[str, Update]
    topics: dict[str, Topic]
    resources: dict[str, Resource]
    languages: dict[str, Language]
    replies: dict[str, FixedReply]
    missing_translations: list[str] = []
    not_spoken: dict[str, NotSpoken] = {}
    speakers: dict[str, Speaker] = {}
    grounds: dict[str, Quote | Ground] = {}  # every quote, passage, explanation, absence and scope, by id

    _capitals: frozenset[str] | None = PrivateAttr(None)
    # what shown() made once from this store's records: a ground as shown in
    # a language, the same in every answer that cites it
    _shown: dict[tuple[int, int], tuple[Record, Language, Any]] = PrivateAttr(default_factory=dict)

    class Config:
        allow_mutation = False

    @property
    def capitalised_words(self) -> frozenset[str]:
        """Every word the store writes with a capital letter: places, offices,
        officials who made the statements. Scrubbing a question before it is
        shared (policy_assistant.scrub) keeps them; they are not the asker's
        names."""
        if self._capitals is None:
            self._capitals = frozenset(
                re.findall(r"\b[A-Z][\w'’.-]*\w", json.dumps(self.dict(), default=str, ensure_ascii=False))
            )
        return self._capitals

    def variant(self, **changes: Any) -> Store:
        """A copy with some records replaced. It shares this store's shown()
        when only topics change: what shown() makes (a ground in a language)
        reads no topic, so the copy asks for the very grounds and languages
        this store holds and adds nothing. With anything else replaced it gets
        its own, else this store would keep what the copy showed for as long
        as it lives."""
        copy = self.copy(update=changes)
        if set(changes) - {"topics"}:
            object.__setattr__(copy, "_shown", {})
        return copy

    def shown(self, record: R, language: Language, make: Callable[[R, Language], Any]) -> Any:
        """make(record, language), made once per store and shared by the
        answers that show it (answers.grounds_payload). Keyed by the record
        and the language objects themselves (held with the result, so their
        ids stay theirs): a copy of the store with another record or other
        labels (render_check's reviewed and checked variants) makes its own."""
        key = (id(record), id(language))
        hit = self._shown.get(key)
        if hit is None or hit[0] is not record or hit[1] is not language:  # a deep copy's keys name other objects
            hit = self._shown[key] = (record, language, make(record, language))
        return hit[2]

    def texts_version(self, code: str) -> str:
        """texts_version() of a language of this store: what a native speaker's check records."""
        return self.language(code)._texts_version or ""

    def language(self, code: str | None) -> Language:
        return self.languages.get(code or DEFAULT_LANGUAGE) or self.languages[DEFAULT_LANGUAGE]

    def not_spoken_language(self, code: str | None) -> NotSpoken | None:
        """The language not spoken that an identified code stands for, if the store has it."""
        for language in self.not_spoken.values():
            if code == language.code or code in language.detected_as:
                return language
        return None

    def grounded(self, record: Record, field: str, lang: str | None) -> list[tuple[str, SentenceGrounds]]:
        """The sentences of a record's text in a language (or the default
        language's), each with its grounds. The loader has checked that they pair up."""
        texts = grounded_text(record, field, self.languages)
        text = texts.get(lang or DEFAULT_LANGUAGE) or texts.get(DEFAULT_LANGUAGE)
        if text is None:
            return []
        return list(zip(sentences(text), getattr(record, "grounds", {}).get(field, ()), strict=True))

    def qualifiers(self, item_id: str) -> list[Update]:
        """The updates that declare they qualify a quote or an update, oldest first."""
        return sorted((u for u in self.updates.values() if item_id in u.qualifies), key=lambda u: u.date)


def grounded_text(record: Record, field: str, languages: Mapping[str, Language]) -> dict[str, str]:
    """A grounded text of a record (schema.GROUNDED) in each language it has."""
    if isinstance(record, FixedReply):
        return {
            code: lang.messages[record.intent] for code, lang in languages.items() if lang.messages.get(record.intent)
        }
    return dict(getattr(record, field) or {})


# The folder of grounds files: each may hold any of these top-level lists.
GROUNDS_DIR = "grounds"
GROUND_LISTS: dict[str, type[Record]] = {
    "passages": Passage,
    "explanations": Explanation,
    "absences": Absence,
    "scopes": Scope,
}


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


def _line(doc: Any, loc: Loc, keys_from: int | None = None) -> int | None:
    """The line of the innermost mapping on the path `loc` (a record, or a text
    per language), or of the list item that is not a mapping; from depth
    `keys_from` on (inside a group of a record's fields: labels, messages), the
    line of the key itself."""
    line = doc.line if isinstance(doc, LineMap) else None
    node = doc
    for depth, key in enumerate(loc):
        if isinstance(node, LineMap) and key in node:
            if keys_from is not None and depth >= keys_from:
                return node.key_lines[key]
            node = node[key]
        elif isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node):
            line, node = node.item_lines[key], node[key]
        else:
            break
        if isinstance(node, LineMap):
            line = node.line
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
        try:
            self.docs[path] = yaml_lines.load(text)
        except yaml_lines.YAMLError as exc:
            if isinstance(exc, yaml_lines.MarkedYAMLError):
                mark = exc.problem_mark or exc.context_mark
                line, reason = (mark.line + 1 if mark else None), exc.problem or exc.context or str(exc)
            else:  # a character YAML does not allow; libyaml counts its position in UTF-8 bytes
                at = getattr(exc, "position", 0)
                line, reason = text.encode()[:at].count(b"\n") + 1, str(exc).split(" in ")[0]
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
                at = (e.get("ctx") or {}).get("at")  # the key of a mapping field that is wrong (messages.thank)
                where = loc + tuple(e["loc"]) + ((at,) if at else ())
                line = _line(self.docs.get(path), where, keys_from=len(loc) + 1)  # a label's or a message's own line
                self.problems.append(f"{self.where(path, line=line)}: {_plain(e, model)}")
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

    def lists(self, path: Path, shape: Mapping[str, type[Record]] | None = None) -> None:
        """A file of top-level lists of records (see schema.LISTS); with
        `shape`, a grounds file, which holds any of its lists."""
        every_list = shape is None
        doc, shape = self.read(path), shape or LISTS[path.name]
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
            if not every_list and key not in doc:
                continue
            if not isinstance(doc.get(key), list):
                line = doc.key_lines[key] if isinstance(doc, LineMap) and key in doc else None
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
        c.single(path, Language)
    for name in LISTS:
        if name not in OPTIONAL or (root / name).exists():
            c.lists(root / name)
    for path in sorted((root / "topics").glob("*.yml")):
        c.single(path, Topic)
    for path in sorted((root / GROUNDS_DIR).glob("*.yml")):
        c.lists(path, GROUND_LISTS)
    _check_references(c)
    _check_languages(c)
    _check_grounds(c)
    if c.problems:
        raise StoreError(c.problems)
    return _resolved(c)


# The labels no answer can do without: the short answer's lead, the heading
# that marks later changes as later, the "not legal advice" line, the label of
# each kind of ground, and the review line of a topic changed since review. Every
# other language falls back to the default language's label, so the default
# language must have them.
REQUIRED_LABELS = (
    # an answer in a translation not checked as it stands says so, and how to get the English one
    "translation_unchecked",
    "translation_changed",
    "english_offer",
    "in_short",
    "since_then",
    "disclaimer",
    # what a sentence rests on is always labelled: our own words never pass for a source's
    "ground_quote",
    "ground_passage",
    "ground_note",
    "ground_explanation",
    "ground_absence",
    "ground_checked",
    "ground_scope",
    "changed_since_review",
)
FALLBACK_REPLY = "nlu_fallback"  # the reply to anything not understood, and to an intent with no reply


def _key_line(doc: Any, *keys: str) -> int | None:
    """The line of a key of a mapping (of a mapping ...) of the document, or of
    the innermost mapping that is there."""
    line = doc.line if isinstance(doc, LineMap) else None
    for key in keys:
        if not (isinstance(doc, LineMap) and key in doc):
            break
        line, doc = doc.key_lines[key], doc[key]
    return line


def _check_references(c: _Loader) -> None:
    """Unknown and duplicate ids, lists that name an id twice, topics with nothing
    to say, and the `qualifies` rules."""
    for model in (Source, Speaker, Occasion, Resource):
        c.unique(model)
    c.unique(FixedReply, "intent")
    quotes, updates, topics = c.unique(Quote), c.unique(Update), c.unique(Topic)
    dated = {**{q.id: q.said_on for q in quotes.values()}, **{u.id: u.date for u in updates.values()}}
    qualified_by: dict[str, list[str]] = {}
    for update in updates.values():
        for item in update.qualifies:
            qualified_by.setdefault(item, []).append(update.id)

    for path, loc, record in c.records:
        for name, value in record:
            ids = [ref_id(v) for v in value] if isinstance(value, list | tuple) else []
            if len(set(ids)) != len(ids):
                c.problem(path, loc, f"'{name}' lists an id twice")
    for path, loc, quote in c.of(Quote):
        c.refs(path, loc, [ref_id(quote.speaker)], "speaker", Speaker)
        c.refs(path, loc, [ref_id(quote.occasion)], "occasion", Occasion)
        c.refs(path, loc, [ref_id(quote.source)], "source", Source)
        _check_verbatim(c, path, loc, ref_id(quote.source), f"quote '{quote.id}'", quote.text)
    for path, loc, update in c.of(Update):
        c.refs(path, loc, [ref_id(s) for s in update.sources], "source", Source)
        c.refs(path, loc, update.qualifies, "quote or update id", Quote, Update)
        for item in update.qualifies:
            if item in dated and not update.date > dated[item]:
                c.problem(
                    path,
                    loc,
                    f"qualifies '{item}' but is not dated after it ({update.date} is not after {dated[item]})",
                )
    for path, loc, topic in c.of(Topic):
        if topic.id != path.stem:
            c.problem(path, loc, f"topic id '{topic.id}' must match the file name '{path.stem}.yml'")
        c.refs(path, loc, [ref_id(q) for q in topic.quotes], "quote id", Quote)
        c.refs(path, loc, [ref_id(u) for u in topic.updates], "update id", Update)
        c.refs(path, loc, topic.related, "related topic id", Topic)
        if not topic.quotes and not topic.updates:
            c.problem(path, loc, f"topic '{topic.id}' has nothing to say: list at least one quote or update")
        shown = [ref_id(item) for item in (*topic.quotes, *topic.updates)]
        for item in shown:
            for later in qualified_by.get(item, []):
                if later not in shown:
                    c.problem(path, loc, f"lists '{item}' but not '{later}', which qualifies it")
    if not topics:
        c.problems.append("topics/: no topic files")
    for path, loc, resource in c.of(Resource):
        c.refs(path, loc, [ref_id(resource.source)], "source", Source, then=": every resource needs a source")
        c.refs(path, loc, resource.topics, "topic id", Topic)
    for path, loc, reply in c.of(FixedReply):
        c.refs(path, loc, reply.buttons, "topic id", Topic, then=" in buttons")
    if FixedReply not in c.partial and FALLBACK_REPLY not in c.ids[FixedReply] and not c.problems_in("replies.yml"):
        c.problems.append(f"replies.yml: no '{FALLBACK_REPLY}' reply: it answers every message not understood")


def _persons(ground: Record | None) -> tuple[str, ...]:
    """Whose words a ground reports: a quote's speaker, a passage's attributed_to."""
    if isinstance(ground, Quote):
        return (ref_id(ground.speaker),)
    return tuple(getattr(ground, "attributed_to", ()))


def _check_grounds(c: _Loader) -> None:
    """Every sentence we write rests on grounds that exist and say it: each
    grounded text has one entry of grounds per sentence in every language;
    passages stand verbatim in their source; a sentence resting only on
    reports of what people said names them (`said_by`); a record that limits
    police says whose rules these are."""
    grounds: dict[str, Record] = {}
    for path, loc, record in sorted(c.records, key=lambda r: not isinstance(r[2], Quote)):  # quotes first
        if isinstance(record, Quote | Ground):
            if record.id in grounds and not isinstance(record, Quote):
                c.problem(path, loc, f"duplicate ground id '{record.id}' (quote, passage or note ids are one list)")
            grounds.setdefault(record.id, record)
    for kind in GROUND_KINDS:
        c.ids.setdefault(kind, set()).update(r.id for _, _, r in c.of(kind))
    source_kinds = {s.id: s.kind for _, _, s in c.of(Source)}
    for path, loc, passage in c.of(Passage):
        source = ref_id(passage.source)
        c.refs(path, loc, [source], "source", Source)
        c.refs(path, loc, passage.attributed_to, "speaker", Speaker, then=" in attributed_to")
        c.refs(path, loc, [ref_id(s) for s in passage.cites], "source", Source, then=" in cites")
        _check_verbatim(c, path, loc, source, f"passage '{passage.id}'", passage.text)
        if source_kinds.get(source) == "note" and not passage.cites:
            c.problem(
                path, loc, f"passage '{passage.id}' is from our own note: list the records it rests on in 'cites'"
            )
    for path, loc, absence in c.of(Absence):
        c.refs(path, loc, [ref_id(s) for s in absence.checked], "source", Source, then=" in checked")
    for path, loc, scope in c.of(Scope):
        c.refs(path, loc, [ref_id(s) for s in scope.sources], "source", Source, then=" in sources")
    explanations = c.of(Explanation)
    if len(explanations) > MAX_EXPLANATIONS:
        path, loc, _ = explanations[MAX_EXPLANATIONS]
        c.problem(path, loc, f"{len(explanations)} explanations: keep them few (at most {MAX_EXPLANATIONS})")

    languages = {lang.code: lang for _, _, lang in c.of(Language)}
    for grounded_kind, fields in GROUNDED.items():
        for path, loc, record in c.of(grounded_kind):
            given: Mapping[str, tuple[SentenceGrounds, ...]] = getattr(record, "grounds", {})
            for field in sorted(set(given) - set(fields)):
                c.problem(
                    path, (*loc, "grounds"), f"'grounds.{field}': this {grounded_kind.noun} has no text '{field}'"
                )
            for field in fields:
                texts, entries = grounded_text(record, field, languages), given.get(field, ())
                if not texts and entries:
                    c.problem(path, (*loc, "grounds"), f"'grounds.{field}' gives grounds for a text it does not have")
                for lang, text in texts.items():
                    count = len(sentences(text))
                    if count != len(entries):
                        where = (
                            f"messages.{ref_id(record.intent)} in languages/{lang}.yml"
                            if isinstance(record, FixedReply)
                            else f"'{field}.{lang}'"
                        )
                        c.problem(
                            path,
                            (*loc, "grounds"),
                            f"{where} has {count} sentences but 'grounds.{field}' lists {len(entries)}: "
                            "give each sentence its grounds, in order (a sentence ends with . ? or !)",
                        )
                for i, entry in enumerate(entries):
                    at = (*loc, "grounds", field, i)
                    c.refs(path, at, entry.ids, "ground", Quote, *GROUND_KINDS, then=f" in grounds.{field}")
                    c.refs(path, at, entry.said_by, "speaker", Speaker, then=f" in grounds.{field} said_by")
                    _check_attribution(c, path, at, f"sentence {i + 1} of '{field}'", entry, grounds)
            if getattr(record, "limits_police", False):
                field = fields[0]
                if not any(isinstance(grounds.get(g), Scope) for e in given.get(field, ()) for g in e.ids):
                    c.problem(
                        path,
                        loc,
                        f"it limits police (limits_police: true), so '{field}' needs a sentence whose grounds "
                        "include a scope (whose rules these are: Louisville police and city staff, not ICE agents)",
                    )


def _check_attribution(
    c: _Loader, path: Path, loc: Loc, what: str, entry: SentenceGrounds, grounds: Mapping[str, Record]
) -> None:
    """A sentence resting only on reports of what people said names them in
    `said_by`; `said_by` names only people its grounds report."""
    reports = {g: _persons(grounds[g]) for g in entry.ids if g in grounds}
    reported = {p for group in reports.values() for p in group}
    for person in entry.said_by:
        if person not in reported:
            c.problem(path, loc, f"{what}: said_by '{person}', but none of its grounds reports what they said")
    if reports and all(reports.values()):
        missing = [g for g, group in reports.items() if not set(group) & set(entry.said_by)]
        if missing:
            who = ", ".join(sorted({p for g in missing for p in reports[g]}))
            c.problem(
                path,
                loc,
                f"{what} rests only on what people said ({', '.join(missing)}): name who said it "
                f"in the sentence and list them in said_by: [{who}]",
            )


def _check_verbatim(c: _Loader, path: Path, loc: Loc, source: str, what: str, text: str) -> None:
    """A quote or passage stands character for character in its source's text."""
    if source not in c.ids.get(Source, set()):
        return  # an unknown source is its own problem; its name is never made a path
    text_file = source_text_path(c.root, source)
    try:
        document = text_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        c.problem(path, loc, f"{what}: no text of its source: add {SOURCE_TEXTS}/{source}.txt")
        return
    except (OSError, UnicodeDecodeError) as error:
        c.problem(path, loc, f"{what}: the text of its source cannot be read ({error})")
        return
    if text not in document:
        c.problem(
            path,
            loc,
            f"{what} is not in the text of its source ({SOURCE_TEXTS}/{source}.txt) character for character",
        )


def _check_languages(c: _Loader) -> None:
    """Texts in undeclared languages are problems; missing translations are warnings."""
    languages = c.unique(Language, "code")
    for path, loc, other in c.of(NotSpoken):
        if other.code in languages:
            c.warn(path, loc, f"'{other.code}' is now a language the assistant speaks: remove it from not_spoken.yml")
    c.unique(NotSpoken, "code")
    codes = [path.stem for path in sorted((c.root / "languages").glob("*.yml"))] or [DEFAULT_LANGUAGE]
    for path, loc, language in c.of(Language):
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
    for path, loc, quote in c.of(Quote):
        for lang in quote.translations:
            if lang not in codes:
                c.problem(path, loc, f"translation into undeclared language '{lang}'")
        for lang in codes:
            if lang != DEFAULT_LANGUAGE and lang not in quote.translations:
                c.warn(path, loc, f"no '{lang}' translation of quote '{quote.id}'")
    for path, _, language in c.of(Language):
        if language.code == DEFAULT_LANGUAGE:
            for key in REQUIRED_LABELS:
                if not language.labels[key]:
                    c.problems.append(
                        f"{c.where(path, line=_key_line(c.docs.get(path), 'labels', key))}: "
                        f"no 'labels.{key}' text: every answer needs it, and every language falls back to it"
                    )
    # a label is given when it has text; a message or web page text when its key is there (it may be empty)
    for section in ("messages", "labels", "ui"):
        given = {
            code: {key for key, text in dict(getattr(language, section)).items() if text is not None}
            for code, language in languages.items()
        }
        every_key = set().union(*given.values())
        for code in languages:
            for key in sorted(every_key - given[code]):
                c.warnings.append(f"languages/{code}.yml: no '{section}.{key}' text")
    for _, _, reply in c.of(FixedReply):
        for code, language in languages.items():
            if reply.intent not in language.messages:
                message = f"languages/{code}.yml: no 'messages.{reply.intent}' text for reply '{reply.intent}'"
                (c.problems if code == DEFAULT_LANGUAGE else c.warnings).append(message)


def _resolved(c: _Loader) -> Store:
    """The store, once every check has passed: every id replaced by the
    record it names (so every id resolves), and each language's labels
    falling back to the default language's."""
    sources = {s.id: s for _, _, s in c.of(Source)}
    speakers = {s.id: s for _, _, s in c.of(Speaker)}
    occasions = {o.id: o for _, _, o in c.of(Occasion)}
    quotes = {
        q.id: q.copy(
            update={
                "speaker": speakers[ref_id(q.speaker)],
                "occasion": occasions[ref_id(q.occasion)],
                "source": sources[ref_id(q.source)],
            }
        )
        for _, _, q in c.of(Quote)
    }
    updates = {
        u.id: u.copy(update={"sources": tuple(sources[ref_id(s)] for s in u.sources)}) for _, _, u in c.of(Update)
    }
    topics = {
        t.id: t.copy(
            update={
                "quotes": tuple(quotes[ref_id(q)] for q in t.quotes),
                "updates": tuple(updates[ref_id(u)] for u in t.updates),
            }
        )
        for _, _, t in c.of(Topic)
    }
    resources = {r.id: r.copy(update={"source": sources[ref_id(r.source)]}) for _, _, r in c.of(Resource)}
    grounds: dict[str, Quote | Ground] = dict(quotes)
    for _, _, g in c.of(Ground):
        refs = {
            name: tuple(sources[ref_id(s)] for s in getattr(g, name))
            for name in ("cites", "checked", "sources")
            if hasattr(g, name)
        }
        if isinstance(g, Passage):
            refs["source"] = sources[ref_id(g.source)]  # type: ignore[assignment]
        grounds[g.id] = g.copy(update=refs)
    # the default language first, then by code: the order of the page's
    # language buttons and of the languages an answer lists, the language a
    # reply word several share ("STOP") is read as when none is in use yet,
    # and the one a message in a script several share falls back to
    # (policy_assistant.language.detect: Arabic before Dari)
    ordered = sorted(c.of(Language), key=lambda found: (found[2].code != DEFAULT_LANGUAGE, found[2].code))
    languages = {lang.code: lang for _, _, lang in ordered}
    records = [record for _, _, record in c.records]
    for code, language in languages.items():
        language._texts_version = texts_version(records, code)
        if code != DEFAULT_LANGUAGE:
            language._fallback = languages[DEFAULT_LANGUAGE].labels
    return Store.construct(
        sources=sources,
        quotes=quotes,
        updates=updates,
        topics=topics,
        resources=resources,
        languages=languages,
        replies={r.intent: r for _, _, r in c.of(FixedReply)},
        missing_translations=c.warnings,
        not_spoken={n.code: n for _, _, n in c.of(NotSpoken)},
        speakers=speakers,
        grounds=grounds,
    )
