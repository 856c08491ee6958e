"""The shape of every file of the answer store, declared once (pydantic 1.10).

A new field is one line in a model here. Validators raise `Problem` with the
plain words staff read; the loader (policy_assistant.store) fills in `{field}`
and `{noun}`, adds `file:line`, and checks what one record cannot know alone
(ids that refer to other records, the declared languages)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, Literal, Mapping

from pydantic import BaseModel, Extra, Field, PydanticValueError, StrictBool, root_validator, validator
from pydantic.fields import SHAPE_DICT, SHAPE_LIST, ModelField

from policy_assistant.text import sentences

DEFAULT_LANGUAGE = "en"  # the language the official quotes were said in
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
URL_PATTERN = re.compile(r"^https?://\S+$")
# Full stops that do not end a sentence: initials (U.S.), EE. UU., titles, "p. ej.".

Validators = Iterator[Callable[[Any], Any]]


class Problem(PydanticValueError):
    """A problem in plain words; the loader replaces '{field}' and '{noun}'."""

    code = "store"
    msg_template = "{message}"

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


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
            count, words, characters = sentence_count(text), len(text.split()), len(" ".join(text.split()))
            if count > cls.MAX_SENTENCES or words > cls.MAX_WORDS or characters > cls.MAX_CHARACTERS:
                raise Problem(
                    f"'{{field}}.{lang}' is too long: {count} sentences, {words} words and {characters} characters "
                    f"(at most {cls.MAX_SENTENCES} sentences, {cls.MAX_WORDS} words and {cls.MAX_CHARACTERS} "
                    "characters: it is sent whole as one text message)"
                )
        return short


# ---------------------------------------------------------------- records


class Record(BaseModel):
    """One entry of a store file. Unknown fields are refused: they are usually typos."""

    noun: ClassVar[str] = "entry"

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @validator("*", pre=True)
    def _nothing_is_empty(cls, value: Any, field: ModelField) -> Any:
        """`quotes:` with nothing after it means no quotes (and so for every list or mapping)."""
        empty: dict[int, Any] = {SHAPE_LIST: [], SHAPE_DICT: {}}
        return empty.get(field.shape) if value is None and field.shape in empty else value


class SourceIn(Record):
    noun: ClassVar[str] = "source"
    id: Id
    title: Text
    publisher: Text
    date: Date
    url: Url | None = Field(..., description="write url: null when there is none")
    url_scope: Literal["document", "section"] = "document"
    note: Localized | None = None
    date_inferred: StrictBool = False


class SpeakerIn(Record):
    noun: ClassVar[str] = "speaker"
    id: Id
    name: Text
    role: Localized


class OccasionIn(Record):
    noun: ClassVar[str] = "occasion"
    id: Id
    label: Localized


class QuoteIn(Record):
    noun: ClassVar[str] = "quote"
    id: Id
    speaker: Text
    occasion: Text
    said_on: Date
    source: Text
    text: Text
    translations: dict[str, Text] = {}  # unofficial; no English fallback: the English is `text`
    context: Localized | None = None


class UpdateIn(Record):
    noun: ClassVar[str] = "update"
    id: Id
    date: Date
    sources: list[Text] = Field(..., min_items=1, description="list at least one source id")
    text: Localized
    kind: Literal["change", "record"] = "change"
    qualifies: list[Text] = []


class TopicIn(Record):
    noun: ClassVar[str] = "topic"
    id: Id
    title: Localized
    short: Short
    summary: Localized
    quotes: list[Text] = []
    updates: list[Text] = []
    related: list[Text] = []
    reviewed_by: Text | None = None
    reviewed_on: Date | None = None

    @root_validator(skip_on_failure=True)
    def reviewed_together(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values["reviewed_by"] is None) != (values["reviewed_on"] is None):
            raise Problem("'reviewed_by' and 'reviewed_on' go together: set both, or write both as null")
        return values


class ResourceIn(Record):
    noun: ClassVar[str] = "resource"
    id: Id
    name: Localized
    description: Localized
    source: Text
    url: Url | None = None
    phone: Text | None = None
    topics: list[Text] = []


class ReplyIn(Record):
    noun: ClassVar[str] = "reply"
    intent: Text
    buttons: list[Text] = []


class Detection(Record):
    words: list[Text] = []
    switch_words: list[Text] = []


class Keywords(Record):
    """The words people reply with on a phone (SMS, WhatsApp), in capitals."""

    more: list[Text] = []
    sources: list[Text] = []
    stop: list[Text] = []


class LanguageIn(Record):
    noun: ClassVar[str] = "language"
    code: Text
    name: Text
    date_format: Text = "{day} {month} {year}"
    months: list[Text] = Field(..., min_items=12, max_items=12, description="list the 12 month names")
    direction: Literal["ltr", "rtl"] = "ltr"
    detection: Detection = Detection()
    keywords: Keywords = Keywords()
    messages: dict[str, str | None]
    labels: dict[str, str | None]
    ui: dict[str, str | None]


class NotSpokenIn(Record):
    """A language the assistant does not speak, and one sentence in it."""

    noun: ClassVar[str] = "language not spoken"
    code: Text  # ISO 639-1
    name: Text  # in the language itself
    detected_as: list[Text] = []  # other codes the language identifier may give it (a near neighbour)
    sentence: Text  # "I answer only in English and Spanish. If anyone is in danger, call 911."
    reviewed: StrictBool = False  # true only once a speaker of the language has checked the sentence


OPTIONAL = {"resources.yml", "not_spoken.yml"}  # files a store may leave out

# What each file is made of: one record (topics/<id>.yml, languages/<code>.yml),
# or top-level lists of records.
LISTS: dict[str, dict[str, type[Record]]] = {
    "sources.yml": {"sources": SourceIn},
    "quotes.yml": {"speakers": SpeakerIn, "occasions": OccasionIn, "quotes": QuoteIn},
    "updates.yml": {"updates": UpdateIn},
    "resources.yml": {"resources": ResourceIn},
    "replies.yml": {"replies": ReplyIn},
    "not_spoken.yml": {"languages": NotSpokenIn},
}
