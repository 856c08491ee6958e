"""The answer store's records, declared once (pydantic 1.10): the shape of
every file, and the objects the assistant answers from.

A new field is one line in a model here. The models are frozen. A field that
refers to another record (a quote's speaker, a topic's quotes) holds the id as
written until the loader (policy_assistant.store) resolves it, in one pass, to
the record itself. Texts with placeholders ({date}, {more}, ...) are checked
when they are read: each may use only the placeholders the answers fill in
(PLACEHOLDERS), and must fill in with them. Validators raise `Problem` with the
plain words staff read; the loader fills in `{field}` and `{noun}`, adds
`file:line`, and checks what one record cannot know alone (ids that refer to
other records, the declared languages)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from string import Formatter
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, Literal, Mapping

from pydantic import BaseModel, Extra, Field, PrivateAttr, PydanticValueError, StrictBool, root_validator, validator
from pydantic.fields import SHAPE_DICT, SHAPE_LIST, SHAPE_SINGLETON, SHAPE_TUPLE_ELLIPSIS, ModelField

from policy_assistant.reply_words import MORE, SOURCES, STOP
from policy_assistant.text import ZERO_WIDTH, fold, sentences, words

DEFAULT_LANGUAGE = "en"  # the language the official quotes were said in
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
URL_PATTERN = re.compile(r"^https?://\S+$")
# Full stops that do not end a sentence: initials (U.S.), EE. UU., titles, "p. ej.".

Validators = Iterator[Callable[[Any], Any]]


class Problem(PydanticValueError):
    """A problem in plain words; the loader replaces '{field}' and '{noun}'."""

    code = "store"
    msg_template = "{message}"

    def __init__(self, message: str, at: str | None = None) -> None:
        super().__init__(message=message, at=at)  # at: the key of a mapping field the problem is in


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Problem("field '{field}' must be non-empty text")
    return str(value)  # kept exactly as written: quotes are verbatim


def _id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise Problem(f"{{noun}} id '{value}' must be lower_snake_case")
    return value


def _url(value: Any) -> str:
    if not (isinstance(value, str) and URL_PATTERN.match(value)):
        raise Problem(f"{{field}} must start with http:// or https://: {value!r}")
    return str(value)


def _date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(value)  # the YAML reader keeps dates as text
    except (TypeError, ValueError):
        raise Problem(f"field '{{field}}' is not a date like 2017-09-22: {value!r}") from None


def _checked(name: str, base: type, *checks: Callable[[Any], Any]) -> Any:
    """A field type that pydantic checks with `checks`, in order."""
    return type(name, (base,), {"__get_validators__": classmethod(lambda cls: iter(checks))})


if TYPE_CHECKING:  # what the fields hold
    Text = str
    Id = str
    Url = str
    Date = dt.date
else:
    Text = _checked("Text", str, _text)  # non-empty text
    Id = _checked("Id", str, _text, _id)  # a record's own id: lower_snake_case
    Url = _checked("Url", str, _url)  # http:// or https://
    Date = _checked("Date", dt.date, _date)  # YYYY-MM-DD


class Localized(Mapping[str, str]):
    """Text per language code, read-only. `text(lang)` gives that language's
    text, or the English one when there is none."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def text(self, lang: str | None) -> str:
        return self._texts.get(lang or DEFAULT_LANGUAGE) or self._texts[DEFAULT_LANGUAGE]

    def __getitem__(self, lang: str) -> str:
        return self._texts[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(frozenset(self._texts.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._texts!r})"

    @classmethod
    def __get_validators__(cls) -> Validators:
        yield cls.check

    @classmethod
    def check(cls, value: Any) -> Localized:
        if not isinstance(value, Mapping):
            raise Problem("field '{field}' must map language codes to text")
        texts = {}
        for lang, text in value.items():
            if not isinstance(text, str) or not text.strip():
                raise Problem(f"'{{field}}.{lang}' must be non-empty text")
            texts[str(lang)] = text.strip()
        if DEFAULT_LANGUAGE not in texts:
            raise Problem(f"field '{{field}}' needs an '{DEFAULT_LANGUAGE}' text")
        return cls(texts)


def sentence_count(text: str) -> int:
    return len(sentences(text))


class Short(Localized):
    """'In short': at most 3 sentences, 60 words and 360 characters in every
    language. It is sent whole as the first text message of an answer
    (policy_assistant/phone_messages.py), never cut."""

    MAX_SENTENCES: ClassVar[int] = 3
    MAX_WORDS: ClassVar[int] = 60
    MAX_CHARACTERS: ClassVar[int] = 360

    @classmethod
    def check(cls, value: Any) -> Localized:
        short = super().check(value)
        for lang, text in short.items():
            # a word has a letter or digit: French's spaced ":" and ";" are not words
            words = sum(1 for word in text.split() if any(ch.isalnum() for ch in word))
            count, characters = sentence_count(text), len(" ".join(text.split()))
            if count > cls.MAX_SENTENCES or words > cls.MAX_WORDS or characters > cls.MAX_CHARACTERS:
                raise Problem(
                    f"'{{field}}.{lang}' is too long: {count} sentences, {words} words and {characters} characters "
                    f"(at most {cls.MAX_SENTENCES} sentences, {cls.MAX_WORDS} words and {cls.MAX_CHARACTERS} "
                    "characters: it is sent whole as one text message)"
                )
        return short


# ---------------------------------------------------------------- placeholders

# The texts the assistant fills in (policy_assistant/answers.py, and actions/
# for messages.language_choices), with the placeholders each one takes and a
# value of the right kind for each. Any other text takes none: a placeholder
# the answers do not fill in would break every answer that shows it, so an
# edit that adds one is refused.
DATE_PLACEHOLDERS: dict[str, Any] = {"day": 22, "month": "September", "year": 2017}
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "labels.old_warning": {"date": "22 September 2017", "years": 8},
    "labels.officials_said": {"year": 2017},
    "labels.reviewed_by": {"by": "city staff", "date": "22 September 2017"},
    "labels.when_quotes": {"dates": "22 September 2017"},
    "labels.when_records": {"dates": "22 September 2017"},
    "labels.when_latest": {"latest": "22 September 2017"},
    "labels.qualified_by": {"dates": "22 July 2025"},
    "labels.changed_since_review": {"by": "city staff", "date": "22 September 2017"},
    "labels.translation_changed": {"by": "A. Mukendi", "date": "22 September 2017"},
    "labels.grounds_heading": {"part": "In short"},
    "messages.language_choices": {"names": "English, Español"},
    "messages.unsupported_language": {"names": "English, Español"},
    "messages.phone_hint": {"more": "MORE", "sources": "SOURCES"},
    "messages.share_offer": {
        "text": "will police ask my cousin […] for papers at the bus stop",
        "button": "Yes, share it",
    },
    "messages.share_thanks": {"text": "will police ask my cousin […] for papers at the bus stop"},
}


def fills_in(text: str, values: Mapping[str, Any]) -> str:
    """`text` if its placeholders are among `values` and it fills in with them;
    else a Problem for the field that holds it."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        raise Problem("'{field}' has an unmatched { or }") from None
    unknown = sorted(names - set(values))
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(values))
        fix = f"use only {allowed}" if values else "this text takes no placeholders"
        raise Problem(f"'{{field}}' has an unknown placeholder {{{unknown[0]}}}: {fix}")
    if values:
        try:
            text.format(**values)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
            raise Problem(f"'{{field}}' cannot be filled in: {exc}") from None
    return text


# ---------------------------------------------------------------- records


class Record(BaseModel):
    """One entry of a store file. Unknown fields are refused: they are usually typos."""

    noun: ClassVar[str] = "entry"

    class Config:
        extra = Extra.forbid
        allow_mutation = False
        copy_on_model_validation = "none"  # a record inside another is the same object

    @validator("*", pre=True)
    def _nothing_is_empty(cls, value: Any, field: ModelField) -> Any:
        """`quotes:` with nothing after it means no quotes (and so for every
        list or mapping, and for a group of fields such as `labels:`)."""
        if value is not None:
            return value
        if isinstance(field.type_, type) and issubclass(field.type_, Record) and field.shape == SHAPE_SINGLETON:
            return {}
        empty: dict[int, Any] = {SHAPE_LIST: [], SHAPE_TUPLE_ELLIPSIS: (), SHAPE_DICT: {}}
        return empty.get(field.shape)


def ref_id(value: Any) -> str:
    """The id a reference names, before or after the loader resolves it."""
    return value if isinstance(value, str) else str(value.id)


def _reference(name: str, model: type[Record]) -> Any:
    """A field that names a record of `model` by id (kept as the id until the
    loader resolves it), or holds the record itself."""

    def check(value: Any) -> Any:
        return value if isinstance(value, model) else _text(value)

    return _checked(name, object, check)


class Source(Record):
    noun: ClassVar[str] = "source"
    id: Id
    title: Text
    publisher: Text
    date: Date
    url: Url | None = Field(..., description="write url: null when there is none")
    url_scope: Literal["document", "section"] = "document"  # 'section': url is a section's page, not the document
    note: Localized | None = None
    date_inferred: StrictBool = False  # the date is worked out, not printed on the source
    # 'note': our own note on the public record (the timeline); its passages cite the records they rest on
    kind: Literal["document", "note"] = "document"


class Speaker(Record):
    noun: ClassVar[str] = "speaker"
    id: Id
    name: Text
    role: Localized


class Occasion(Record):
    noun: ClassVar[str] = "occasion"
    id: Id
    label: Localized


if TYPE_CHECKING:
    SourceRef = Source
    SpeakerRef = Speaker
    OccasionRef = Occasion
else:
    SourceRef = _reference("SourceRef", Source)
    SpeakerRef = _reference("SpeakerRef", Speaker)
    OccasionRef = _reference("OccasionRef", Occasion)


# ---------------------------------------------------------------- grounds
#
# Every sentence we write names its grounds: the quotes or passages it rests
# on, or one of three labelled kinds of our own (an explanation, an absence
# from the records, the scope of the rules). A record's `grounds` maps each of
# its texts (GROUNDED) to one entry per sentence, in order; every language's
# text has that many sentences (policy_assistant.text.sentences), so the same
# grounds serve every language.

MAX_EXPLANATIONS = 6  # explanations are our own words: keep them few


class SentenceGrounds(Record):
    """One sentence's grounds: `[id, ...]`, or `{ids: [...], said_by: [...]}`
    when the sentence names whose words it reports (speaker ids)."""

    noun: ClassVar[str] = "sentence"
    ids: list[Text] = Field(..., min_items=1, description="name at least one ground")
    said_by: tuple[Text, ...] = ()

    @classmethod
    def validate(cls, value: Any) -> SentenceGrounds:
        if isinstance(value, list | tuple):
            value = {"ids": list(value)}
        elif isinstance(value, str):
            value = {"ids": [value]}
        return super().validate(value)


# a record's grounds: text field name -> one entry per sentence
Grounds = dict[str, tuple[SentenceGrounds, ...]]


class Ground(Record):
    """What a sentence may rest on besides a quote; `kind` is what answers show."""

    kind: ClassVar[str]
    id: Id


class Passage(Ground):
    """A verbatim span of a shipped source text (source_texts/<source>.txt)."""

    noun: ClassVar[str] = "passage"
    kind: ClassVar[str] = "passage"
    source: SourceRef
    text: Text
    attributed_to: tuple[Text, ...] = ()  # speaker ids: the passage reports what they said or found
    cites: tuple[SourceRef, ...] = ()  # for a passage of our own note: the records it rests on

    @validator("text")
    def _stripped(cls, value: str) -> str:
        return value.strip()


class Explanation(Ground):
    noun: ClassVar[str] = "explanation"
    kind: ClassVar[str] = "explanation"
    text: Localized


class Absence(Ground):
    noun: ClassVar[str] = "absence"
    kind: ClassVar[str] = "absence"
    checked: list[SourceRef] = Field(..., min_items=1, description="list the sources searched")
    text: Localized


class Scope(Ground):
    noun: ClassVar[str] = "scope"
    kind: ClassVar[str] = "scope"
    sources: list[SourceRef] = Field(..., min_items=1, description="list the rules meant")
    text: Localized


class Quote(Record):
    noun: ClassVar[str] = "quote"
    id: Id
    speaker: SpeakerRef
    occasion: OccasionRef
    said_on: Date
    source: SourceRef
    text: Text
    translations: dict[str, Text] = {}  # unofficial; no English fallback: the English is `text`
    context: Localized | None = None
    grounds: Grounds = {}  # of `context`

    @validator("translations")
    def _stripped(cls, value: dict[str, str]) -> dict[str, str]:
        return {lang: text.strip() for lang, text in value.items()}


class Update(Record):
    noun: ClassVar[str] = "update"
    id: Id
    date: Date
    sources: list[SourceRef] = Field(..., min_items=1, description="list at least one source id")
    text: Localized
    kind: Literal["change", "record"] = "change"  # 'record': a finding of the public record, not a change
    qualifies: tuple[Text, ...] = ()  # ids of earlier quotes or updates it changes, limits or puts in doubt
    grounds: Grounds = {}  # of `text`


if TYPE_CHECKING:
    QuoteRef = Quote
    UpdateRef = Update
else:
    QuoteRef = _reference("QuoteRef", Quote)
    UpdateRef = _reference("UpdateRef", Update)


class Topic(Record):
    noun: ClassVar[str] = "topic"
    id: Id
    title: Localized
    short: Short
    summary: Localized
    quotes: tuple[QuoteRef, ...] = ()
    updates: tuple[UpdateRef, ...] = ()
    related: tuple[Text, ...] = ()  # topic ids
    grounds: Grounds = {}  # of `short` and `summary`
    # it says what police will not do: its short answer must say whose rules these are
    limits_police: StrictBool = False
    reviewed_by: Text | None = None
    reviewed_on: Date | None = None
    # the fingerprint() of what was reviewed: when the texts or grounds change
    # after review, answers say so (null: reviewed before fingerprints existed)
    reviewed_version: Text | None = None

    # fingerprint() with the texts it was made from: a copy that keeps them
    # (a copy marked reviewed) keeps it, a copy with other texts makes its own
    _fingerprint: tuple[Localized, Localized, Grounds, str] | None = PrivateAttr(None)

    def fingerprint(self) -> str:
        """A short digest of what a reviewer checks: the short answer, the
        summary and their grounds, in every language."""
        made = self._fingerprint
        if made is not None and made[0] is self.short and made[1] is self.summary and made[2] is self.grounds:
            return made[3]
        seen = {
            "short": dict(self.short),
            "summary": dict(self.summary),
            "grounds": {f: [[list(e.ids), list(e.said_by)] for e in entries] for f, entries in self.grounds.items()},
        }
        digest = hashlib.sha256(json.dumps(seen, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
        self._fingerprint = (self.short, self.summary, self.grounds, digest)
        return digest

    def changed_since_review(self) -> bool:
        return bool(self.reviewed_version) and self.reviewed_version != self.fingerprint()

    @root_validator(skip_on_failure=True)
    def reviewed_together(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values["reviewed_by"] is None) != (values["reviewed_on"] is None):
            raise Problem("'reviewed_by' and 'reviewed_on' go together: set both, or write both as null")
        return values


class Resource(Record):
    noun: ClassVar[str] = "resource"
    id: Id
    name: Localized
    description: Localized
    source: SourceRef
    url: Url | None = None
    phone: Text | None = None
    topics: tuple[Text, ...] = ()
    grounds: Grounds = {}  # of `description`


class FixedReply(Record):
    """A reply that is not a policy answer: its words are each language's
    messages.<intent>; `buttons` are the topic ids offered after it."""

    noun: ClassVar[str] = "reply"
    intent: Text
    buttons: tuple[Text, ...] = ()
    grounds: Grounds = {}  # of `text`: each language's messages.<intent>
    limits_police: StrictBool = False  # as for topics: then its text must say whose rules these are


class Detection(Record):
    """Words that mark a message as written in the language, words that name
    it ("in English please"), and greetings, thanks and goodbyes, which alone
    switch a conversation to the language ("gracias"); folded as the NLU
    folds text."""

    words: list[Text] = []
    switch_words: list[Text] = []
    greetings: list[Text] = []
    # words that, with a language's name, make a message a request to switch
    # ("answer", "please", "por favor"), and the words right before the name
    # of the language asked for ("in", "en", "al"): "that in Spanish? she
    # reads Spanish better than English" asks for Spanish
    switch_cues: list[Text] = []
    into: list[Text] = []
    # words that say a language is not wanted or not understood: a language
    # named within a few words after one (`negation`: "not", "no", the "t" of
    # "don't", "не") or before one (`negation_after`: where the verb comes
    # after its object, negated verbs such as Dari's "نمی‌فهمم" and Nepali's
    # "आउँदैन"), in the same part of the sentence, is not the one asked for
    negation: list[Text] = []
    negation_after: list[Text] = []
    # how this language names the other languages, in the forms people write
    # ("англійською": in English), by code: a request to switch in this
    # language names the one it asks for with these words
    names: dict[str, list[Text]] = {}
    # the codes the language identifier (lingua) gives this language when it
    # has no model of it: Dari is read as Persian (fa), Nepali as Hindi (hi);
    # config.yml's LanguageGate lists the same (identified_as)
    identified_as: list[Text] = []
    # the Unicode script of the language when it is not Latin ("Arabic",
    # "Cyrillic"): a message mostly in a script only this spoken language
    # uses is in this language, whatever its words (policy_assistant.language)
    script: Text | None = None

    @validator("words", "switch_words", "greetings", "switch_cues", "into", "negation", "negation_after")
    def _folded(cls, value: list[str]) -> list[str]:
        for word in value:
            if words(word) != [fold(word).translate(ZERO_WIDTH)]:
                raise Problem(f"'{word}' is not one word as messages are read (no spaces, hyphens or digits)")
        return [fold(word).translate(ZERO_WIDTH) for word in value]

    @validator("names")
    def _folded_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {code: [fold(word).translate(ZERO_WIDTH) for word in listed] for code, listed in value.items()}

    @validator("script")
    def _script(cls, value: str | None) -> str | None:
        if value and value.strip().upper() == "LATIN":
            raise Problem("'script' names a script other than Latin (Arabic, Cyrillic): leave it out for Latin")
        return value.strip().upper() if value else None


def _template(section: str) -> Callable[..., Any]:
    """A validator: the text (stripped; None for none) takes only the
    placeholders PLACEHOLDERS gives it, and fills in with them."""

    def check(cls: Any, value: Any, field: ModelField) -> Any:
        if value is None:
            return None
        text = str(value).strip()
        return fills_in(text, PLACEHOLDERS.get(f"{section}.{field.name}", {})) if text else None

    return check


class Labels(Record):
    """The labels of an answer in one language. A label a language lacks is
    the default language's (Language.label)."""

    in_short: str | None = None
    summary_heading: str | None = None
    since_then: str | None = None
    records_heading: str | None = None
    sources_heading: str | None = None
    details_hint: str | None = None
    officials_said: str | None = None  # {year}
    context: str | None = None
    source: str | None = None
    said_on: str | None = None
    no_url: str | None = None
    section_url: str | None = None
    resources: str | None = None
    related: str | None = None
    disclaimer: str | None = None
    date_inferred: str | None = None
    unofficial_translation: str | None = None
    not_checked_translation: str | None = None
    # checked by a native speaker, then the English changed: {by}, {date}
    translation_changed: str | None = None
    # on every answer in a language no native speaker has checked (Language.checked_by)
    translation_unchecked: str | None = None  # "This translation has not yet been checked by a native speaker."
    english_offer: str | None = None  # how to get the answer in English: 'For the answer in English, write: English'
    old_warning: str | None = None  # {date}, {years}
    who_said: str | None = None
    no_quotes: str | None = None
    reviewed_by: str | None = None  # {by}, {date}
    not_reviewed: str | None = None
    when_quotes: str | None = None  # {dates}
    when_latest: str | None = None  # {latest}
    when_records: str | None = None  # {dates}
    qualified_by: str | None = None  # {dates}
    changed_since_review: str | None = None  # {by}, {date}: reviewed, then changed
    # how each kind of ground is labelled where a sentence's grounds are shown
    ground_quote: str | None = None
    ground_passage: str | None = None
    ground_note: str | None = None  # a passage of our own note: "Our note on" the record it cites
    ground_explanation: str | None = None
    ground_absence: str | None = None
    ground_checked: str | None = None  # before the sources an absence was searched in
    ground_scope: str | None = None
    grounds_heading: str | None = None  # SOURCES by sentence: "{part}, sentence by sentence:"

    _placeholders = validator("*", allow_reuse=True)(_template("labels"))

    def __getitem__(self, key: str) -> str:
        return getattr(self, key) or ""


KEYWORD_KINDS = (MORE, SOURCES, STOP)


class Language(Record):
    noun: ClassVar[str] = "language"
    code: Text
    name: Text
    date_format: Text = "{day} {month} {year}"
    months: list[Text] = Field(..., min_items=12, max_items=12, description="list the 12 month names")
    direction: Literal["ltr", "rtl"] = "ltr"
    # the native speaker (a name or a role) who checked this language's texts
    # against the English, and when: until both are set, every answer in the
    # language says it has not been checked (answers.translation_line). The
    # default language is the original and needs none.
    checked_by: Text | None = None
    checked_on: Date | None = None
    # store.texts_version() of the language as checked (the English and this
    # language's texts): written by the staff console's Languages page. When
    # any of those texts changes after that, answers in the language say the
    # changes are not yet checked.
    checked_version: Text | None = None
    detection: Detection = Detection()
    # the words people reply with on a phone (SMS, WhatsApp), by kind, in capitals
    keywords: dict[str, tuple[str, ...]] = {}
    messages: dict[str, str]
    labels: Labels = Labels()
    ui: dict[str, str]
    _fallback: Labels | None = PrivateAttr(None)  # the default language's labels (the loader sets them)
    _texts_version: str | None = PrivateAttr(None)  # store.texts_version() of this language (the loader sets it)

    @validator("date_format")
    def _date_format(cls, value: str) -> str:
        return fills_in(value, DATE_PLACEHOLDERS)

    @root_validator(skip_on_failure=True)
    def _checked(cls, values: dict[str, Any]) -> dict[str, Any]:
        given = [values[name] is not None for name in ("checked_by", "checked_on", "checked_version")]
        if any(given) and not all(given):
            raise Problem(
                "'checked_by', 'checked_on' and 'checked_version' go together: a native speaker marks a language "
                "checked on the staff console's Languages page, which writes all three"
            )
        return values

    @property
    def checked(self) -> bool:
        """The original language, or one a native speaker has checked against
        the English as it still is."""
        return self.code == DEFAULT_LANGUAGE or (self.checked_by is not None and not self.changed_since_checked)

    @property
    def changed_since_checked(self) -> bool:
        """Checked by a native speaker, then an English text or one of this language's changed."""
        return self.checked_version is not None and self.checked_version != self._texts_version

    @validator("keywords", pre=True)
    def _capitals(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        words: dict[str, list[str]] = {}
        for kind, listed in value.items():
            if kind not in KEYWORD_KINDS:
                raise Problem(f"'keywords' has an unknown kind '{kind}': use {', '.join(KEYWORD_KINDS)}", at=kind)
            if not isinstance(listed, list | None):
                raise Problem(f"'keywords.{kind}' must be a list, such as [MAS]", at=kind)
            try:
                words[kind] = [_text(word).strip().upper() for word in listed or []]
            except Problem:
                raise Problem(f"'keywords.{kind}' must list words", at=kind) from None
        return words

    @validator("messages", "ui", pre=True)
    def _texts(cls, value: Any, field: ModelField) -> Any:
        """Each text stripped (none is empty text), with only the placeholders
        the assistant fills in for it."""
        if not isinstance(value, Mapping):
            return value
        texts = {}
        for key, text in value.items():
            where = f"{field.name}.{key}"
            if not (text is None or (isinstance(text, str | int | float) and not isinstance(text, bool))):
                raise Problem(f"'{where}' must be text (put it in quotes if it starts with {{ or [)", at=str(key))
            texts[str(key)] = (str(text) if text is not None else "").strip()
            try:
                fills_in(texts[str(key)], PLACEHOLDERS.get(where, {}))
            except Problem as problem:
                raise Problem(str(problem).replace("'{field}'", f"'{where}'"), at=str(key)) from None
        return texts

    @property
    def detection_words(self) -> frozenset[str]:
        return frozenset(self.detection.words)

    @property
    def switch_words(self) -> frozenset[str]:
        return frozenset(self.detection.switch_words)

    @property
    def greeting_words(self) -> frozenset[str]:
        return frozenset(self.detection.greetings)

    @property
    def script(self) -> str | None:
        return self.detection.script

    @property
    def switch_cues(self) -> frozenset[str]:
        return frozenset(self.detection.switch_cues)

    @property
    def into_words(self) -> frozenset[str]:
        return frozenset(self.detection.into)

    @property
    def negation_words(self) -> frozenset[str]:
        return frozenset(self.detection.negation)

    @property
    def negation_after_words(self) -> frozenset[str]:
        return frozenset(self.detection.negation_after)

    @property
    def language_names(self) -> dict[str, frozenset[str]]:
        return {code: frozenset(words) for code, words in self.detection.names.items()}

    def label(self, key: str) -> str:
        """The label in this language, or the default language's."""
        return getattr(self.labels, key, None) or (getattr(self._fallback, key, None) if self._fallback else None) or ""


class NotSpoken(Record):
    """A language the assistant does not speak, and one sentence in it."""

    noun: ClassVar[str] = "language not spoken"
    code: Text  # ISO 639-1
    name: Text  # in the language itself
    detected_as: tuple[Text, ...] = ()  # other codes the language identifier may give it (a near neighbour)
    sentence: Text  # "I cannot answer in this language yet; I answer in the languages listed above. ..."
    reviewed: StrictBool = False  # true only once a speaker of the language has checked the sentence

    @validator("sentence")
    def _stripped(cls, value: str) -> str:
        return value.strip()


# The texts of each kind of record whose sentences need grounds, and where each
# text is (a field of the record; a reply's text is each language's messages.<intent>).
GROUNDED: dict[type[Record], tuple[str, ...]] = {
    Topic: ("short", "summary"),
    Update: ("text",),
    Quote: ("context",),
    Resource: ("description",),
    FixedReply: ("text",),
}
GROUND_KINDS: tuple[type[Ground], ...] = (Passage, Explanation, Absence, Scope)

OPTIONAL = {"resources.yml", "not_spoken.yml"}  # files a store may leave out

# What each file is made of: one record (topics/<id>.yml, languages/<code>.yml),
# or top-level lists of records.
LISTS: dict[str, dict[str, type[Record]]] = {
    "sources.yml": {"sources": Source},
    "quotes.yml": {"speakers": Speaker, "occasions": Occasion, "quotes": Quote},
    "updates.yml": {"updates": Update},
    "resources.yml": {"resources": Resource},
    "replies.yml": {"replies": FixedReply},
    "not_spoken.yml": {"languages": NotSpoken},
}
