"""Load and validate the answer store: the curated folder of YAML files that
liaison staff edit (sources, verbatim quotes, dated updates, topics, resources,
languages).

Plain Python, no Rasa. Every problem found is reported with the file and line it
comes from, so that staff can fix an edit without a developer.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

LINE = "__line__"
DEFAULT_LANGUAGE = "en"  # the language the official quotes were said in
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_FILE_BYTES = 2_000_000


class StoreError(Exception):
    """The store could not be loaded; `problems` lists every reason found."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("answer store is invalid:\n  " + "\n  ".join(problems))


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping and keeps dates as
    text, so that a bad date is reported by our validation with its line."""


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Dict[str, Any]:
    keys = [loader.construct_object(k, deep=True) for k, _ in node.value]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key {sorted(map(str, duplicates))[0]!r}", node.start_mark
        )
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: dt.date
    url: Optional[str]
    note: Optional[str] = None


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    role: Dict[str, str]


@dataclass(frozen=True)
class Quote:
    id: str
    speaker: Speaker
    occasion: str
    occasion_label: Dict[str, str]
    said_on: dt.date
    source: Source
    text: str
    translations: Dict[str, str]


@dataclass(frozen=True)
class Update:
    id: str
    date: dt.date
    sources: Tuple[Source, ...]
    text: Dict[str, str]


@dataclass(frozen=True)
class Resource:
    id: str
    name: Dict[str, str]
    description: Dict[str, str]
    source: Source
    url: Optional[str]
    phone: Optional[str]
    topics: Tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    title: Dict[str, str]
    summary: Dict[str, str]
    quotes: Tuple[Quote, ...]
    updates: Tuple[Update, ...]
    related: Tuple[str, ...]
    reviewed_on: dt.date
    file: str


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    detection_words: frozenset
    switch_words: frozenset
    months: Tuple[str, ...]
    date_format: str
    direction: str
    messages: Dict[str, str]
    labels: Dict[str, str]
    ui: Dict[str, str]


@dataclass(frozen=True)
class FixedReply:
    intent: str
    buttons: Tuple[str, ...]


@dataclass
class Store:
    sources: Dict[str, Source]
    quotes: Dict[str, Quote]
    updates: Dict[str, Update]
    topics: Dict[str, Topic]
    resources: Dict[str, Resource]
    languages: Dict[str, Language]
    replies: Dict[str, FixedReply]
    missing_translations: List[str] = field(default_factory=list)

    def language(self, code: Optional[str]) -> Language:
        return self.languages.get(code or DEFAULT_LANGUAGE) or self.languages[DEFAULT_LANGUAGE]


# ---------------------------------------------------------------- reading files


def read_yaml(path: Path, problems: List[str]) -> Optional[Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror})")
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text (byte {exc.start})")
        return None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problems.append(f"{where}: YAML error: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: YAML error: {exc}")
    return None


def store_files(root: Path) -> List[Path]:
    """Every file the store is made of, in a stable order (used to notice edits)."""
    return sorted(p for p in root.rglob("*.yml") if p.is_file())


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects problems with file and line while records are converted."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: List[str] = []
        self.warnings: List[str] = []

    def where(self, path: Path, record: Any) -> str:
        line = record.get(LINE) if isinstance(record, dict) else None
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        return f"{rel}:{line}" if line else str(rel)

    def problem(self, path: Path, record: Any, message: str) -> None:
        self.problems.append(f"{self.where(path, record)}: {message}")

    def text(self, path: Path, record: dict, key: str, required: bool = True) -> Optional[str]:
        value = record.get(key)
        if value is None:
            if required:
                self.problem(path, record, f"missing field '{key}'")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, record, f"field '{key}' must be non-empty text")
            return None
        return value

    def ident(self, path: Path, record: dict, seen: Dict[str, Any], kind: str) -> Optional[str]:
        value = self.text(path, record, "id")
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.problem(path, record, f"{kind} id '{value}' must be lower_snake_case")
            return None
        if value in seen:
            self.problem(path, record, f"duplicate {kind} id '{value}'")
            return None
        return value

    def date(self, path: Path, record: dict, key: str) -> Optional[dt.date]:
        value = record.get(key)
        if value is None:
            self.problem(path, record, f"missing field '{key}'")
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(path, record, f"field '{key}' is not a date like 2017-09-22: {value!r}")
            return None

    def per_language(
        self, path: Path, record: dict, key: str, languages: Iterable[str], what: str
    ) -> Dict[str, str]:
        value = record.get(key)
        if not isinstance(value, dict):
            self.problem(path, record, f"field '{key}' must map language codes to text")
            return {}
        result = {}
        for lang, text in value.items():
            if lang == LINE:
                continue
            if lang not in languages:
                self.problem(path, value, f"'{key}' has undeclared language '{lang}'")
            elif not isinstance(text, str) or not text.strip():
                self.problem(path, value, f"'{key}.{lang}' must be non-empty text")
            else:
                result[lang] = text.strip()
        if DEFAULT_LANGUAGE not in result:
            self.problem(path, record, f"field '{key}' needs an '{DEFAULT_LANGUAGE}' text")
        for lang in languages:
            if lang not in result:
                self.warnings.append(f"{self.where(path, record)}: no '{lang}' translation of {what}")
        return result

    def records(self, path: Path, document: Any, key: str) -> List[dict]:
        if document is None:
            return []
        if not isinstance(document, dict) or not isinstance(document.get(key), list):
            self.problem(path, document, f"expected a top-level '{key}:' list")
            return []
        good = []
        for item in document[key]:
            if isinstance(item, dict):
                good.append(item)
            else:
                self.problems.append(f"{path.relative_to(self.root)}: every '{key}' entry must be a mapping, got {item!r}")
        return good


def _url(checker: _Checker, path: Path, record: dict) -> Optional[str]:
    url = record.get("url")
    if url is not None and not (isinstance(url, str) and re.match(r"^https?://\S+$", url)):
        checker.problem(path, record, f"url must start with http:// or https://: {url!r}")
        return None
    return url


def _load_languages(c: _Checker, root: Path) -> Dict[str, Language]:
    languages: Dict[str, Language] = {}
    folder = root / "languages"
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    reference_keys: Dict[str, set] = {}
    for path in files:
        doc = read_yaml(path, c.problems)
        if doc is None:
            continue
        if not isinstance(doc, dict):
            c.problem(path, None, "expected a mapping")
            continue
        code = c.text(path, doc, "code")
        if code is None:
            continue
        if code != path.stem:
            c.problem(path, doc, f"code '{code}' must match the file name '{path.stem}.yml'")
            continue
        sections = {}
        for section in ("messages", "labels", "ui"):
            value = doc.get(section)
            if not isinstance(value, dict):
                c.problem(path, doc, f"missing section '{section}'")
                value = {}
            sections[section] = {k: ("" if v is None else str(v).strip()) for k, v in value.items() if k != LINE}
        detection = doc.get("detection") if isinstance(doc.get("detection"), dict) else {}
        months = doc.get("months")
        if not (isinstance(months, list) and len(months) == 12):
            c.problem(path, doc, "'months' must list the 12 month names")
            months = [str(m) for m in range(1, 13)]
        languages[code] = Language(
            code=code,
            name=c.text(path, doc, "name") or code,
            detection_words=frozenset(fold(w) for w in detection.get("words") or []),
            switch_words=frozenset(fold(w) for w in detection.get("switch_words") or []),
            months=tuple(str(m) for m in months),
            date_format=str(doc.get("date_format") or "{day} {month} {year}"),
            direction="rtl" if doc.get("direction") == "rtl" else "ltr",
            **sections,
        )
        for section in ("messages", "labels", "ui"):
            reference_keys.setdefault(section, set()).update(sections[section])
    if DEFAULT_LANGUAGE not in languages:
        c.problems.append(f"languages/{DEFAULT_LANGUAGE}.yml: the default language file is missing or invalid")
    for code, language in languages.items():
        for section, keys in reference_keys.items():
            for key in sorted(keys - set(getattr(language, section))):
                c.warnings.append(f"languages/{code}.yml: no '{section}.{key}' text")
    return languages


def load_store(root: Path) -> Store:
    """Read and validate every file; raise StoreError listing all problems."""
    root = Path(root)
    c = _Checker(root)
    if not root.is_dir():
        raise StoreError([f"{root}: the answer store folder does not exist"])
    languages = _load_languages(c, root)
    codes = list(languages) or [DEFAULT_LANGUAGE]

    sources: Dict[str, Source] = {}
    path = root / "sources.yml"
    for rec in c.records(path, read_yaml(path, c.problems), "sources"):
        sid = c.ident(path, rec, sources, "source")
        title, publisher = c.text(path, rec, "title"), c.text(path, rec, "publisher")
        date, url = c.date(path, rec, "date"), _url(c, path, rec)
        if "url" not in rec:
            c.problem(path, rec, "missing field 'url' (write url: null when there is none)")
        if sid and title and publisher and date:
            sources[sid] = Source(sid, title, publisher, date, url, rec.get("note"))

    path = root / "quotes.yml"
    doc = read_yaml(path, c.problems)
    speakers: Dict[str, Speaker] = {}
    occasions: Dict[str, Dict[str, str]] = {}
    for rec in c.records(path, doc, "speakers"):
        spid = c.ident(path, rec, speakers, "speaker")
        name = c.text(path, rec, "name")
        role = c.per_language(path, rec, "role", codes, f"speaker '{spid}' role")
        if spid and name and role:
            speakers[spid] = Speaker(spid, name, role)
    for rec in c.records(path, doc, "occasions"):
        oid = c.ident(path, rec, occasions, "occasion")
        label = c.per_language(path, rec, "label", codes, f"occasion '{oid}'")
        if oid and label:
            occasions[oid] = label
    quotes: Dict[str, Quote] = {}
    for rec in c.records(path, doc, "quotes"):
        qid = c.ident(path, rec, quotes, "quote")
        speaker, occasion, source = rec.get("speaker"), rec.get("occasion"), rec.get("source")
        for key, known in (("speaker", speakers), ("occasion", occasions), ("source", sources)):
            if rec.get(key) not in known:
                c.problem(path, rec, f"unknown {key} '{rec.get(key)}'")
        said_on, text = c.date(path, rec, "said_on"), c.text(path, rec, "text")
        translations = rec.get("translations") or {}
        if not isinstance(translations, dict):
            c.problem(path, rec, "'translations' must map language codes to text")
            translations = {}
        translations = {k: v.strip() for k, v in translations.items() if k != LINE and isinstance(v, str) and v.strip()}
        for lang in translations:
            if lang not in languages:
                c.problem(path, rec, f"translation into undeclared language '{lang}'")
        for lang in codes:
            if lang != DEFAULT_LANGUAGE and lang not in translations:
                c.warnings.append(f"{c.where(path, rec)}: no '{lang}' translation of quote '{qid}'")
        if qid and said_on and text and speaker in speakers and occasion in occasions and source in sources:
            quotes[qid] = Quote(qid, speakers[speaker], occasion, occasions[occasion], said_on,
                                sources[source], text, translations)

    updates: Dict[str, Update] = {}
    path = root / "updates.yml"
    for rec in c.records(path, read_yaml(path, c.problems), "updates"):
        uid = c.ident(path, rec, updates, "update")
        date = c.date(path, rec, "date")
        ids = rec.get("sources")
        if not isinstance(ids, list) or not ids:
            c.problem(path, rec, "'sources' must list at least one source id")
            ids = []
        unknown = [s for s in ids if s not in sources]
        if unknown:
            c.problem(path, rec, f"unknown source {unknown[0]!r}")
        text = c.per_language(path, rec, "text", codes, f"update '{uid}'")
        if uid and date and ids and not unknown and text:
            updates[uid] = Update(uid, date, tuple(sources[s] for s in ids), text)

    raw_topics: Dict[str, Tuple[Path, dict]] = {}
    for path in sorted((root / "topics").glob("*.yml")):
        rec = read_yaml(path, c.problems)
        if not isinstance(rec, dict):
            if rec is not None:
                c.problem(path, None, "expected a mapping")
            continue
        tid = c.ident(path, rec, raw_topics, "topic")
        if tid and tid != path.stem:
            c.problem(path, rec, f"topic id '{tid}' must match the file name '{path.stem}.yml'")
        elif tid:
            raw_topics[tid] = (path, rec)
    if not raw_topics:
        c.problems.append("topics/: no topic files")
    topics: Dict[str, Topic] = {}
    for tid, (path, rec) in raw_topics.items():
        refs = {}
        for key, known in (("quotes", quotes), ("updates", updates), ("related", raw_topics)):
            ids = rec.get(key) or []
            if not isinstance(ids, list):
                c.problem(path, rec, f"'{key}' must be a list of ids")
                ids = []
            for ref in ids:
                if ref not in known:
                    c.problem(path, rec, f"unknown {key[:-1] if key != 'related' else 'related topic'} id '{ref}'")
            if len(set(ids)) != len(ids):
                c.problem(path, rec, f"'{key}' lists an id twice")
            refs[key] = [known[r] if key != "related" else r for r in ids if r in known]
        title = c.per_language(path, rec, "title", codes, f"topic '{tid}' title")
        summary = c.per_language(path, rec, "summary", codes, f"topic '{tid}' summary")
        reviewed_on = c.date(path, rec, "reviewed_on")
        if not refs["quotes"] and not refs["updates"]:
            c.problem(path, rec, f"topic '{tid}' has nothing to say: list at least one quote or update")
        if title and summary and reviewed_on:
            topics[tid] = Topic(tid, title, summary, tuple(refs["quotes"]), tuple(refs["updates"]),
                                tuple(refs["related"]), reviewed_on, str(path.relative_to(root)))

    resources: Dict[str, Resource] = {}
    path = root / "resources.yml"
    if path.exists():
        for rec in c.records(path, read_yaml(path, c.problems), "resources"):
            rid = c.ident(path, rec, resources, "resource")
            name = c.per_language(path, rec, "name", codes, f"resource '{rid}' name")
            description = c.per_language(path, rec, "description", codes, f"resource '{rid}' description")
            if rec.get("source") not in sources:
                c.problem(path, rec, f"unknown source '{rec.get('source')}': every resource needs a source")
            bad_topics = [t for t in rec.get("topics") or [] if t not in raw_topics]
            if bad_topics:
                c.problem(path, rec, f"unknown topic id '{bad_topics[0]}'")
            url = _url(c, path, rec)
            if rid and name and description and rec.get("source") in sources:
                resources[rid] = Resource(rid, name, description, sources[rec["source"]], url,
                                          rec.get("phone"), tuple(rec.get("topics") or []))

    replies: Dict[str, FixedReply] = {}
    path = root / "replies.yml"
    for rec in c.records(path, read_yaml(path, c.problems), "replies"):
        intent = c.text(path, rec, "intent")
        buttons = rec.get("buttons") or []
        for t in buttons:
            if t not in raw_topics:
                c.problem(path, rec, f"unknown topic id '{t}' in buttons")
        if intent in replies:
            c.problem(path, rec, f"duplicate reply for intent '{intent}'")
        elif intent:
            replies[intent] = FixedReply(intent, tuple(b for b in buttons if b in raw_topics))
            for code, language in languages.items():
                if intent not in language.messages:
                    target = c.problems if code == DEFAULT_LANGUAGE else c.warnings
                    target.append(f"languages/{code}.yml: no 'messages.{intent}' text for reply '{intent}'")

    if c.problems:
        raise StoreError(c.problems)
    return Store(sources, quotes, updates, topics, resources, languages, replies, c.warnings)


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Policía' -> 'policia'."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
