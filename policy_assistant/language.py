"""Decide which language to answer in. The languages, the words that mark
them and their reply words come from the answer store (languages/<code>.yml),
so a new language is added as data: the action server gives the store's
languages, the Rasa server the same data from its texts file
(policy_assistant.server_texts). Plain Python, no Rasa."""

from __future__ import annotations

from itertools import pairwise
from typing import AbstractSet, Any, Dict, Iterable, Mapping, Protocol

from policy_assistant.names import LANG_METADATA, PAGE_LANG_METADATA
from policy_assistant.reply_words import reply_word
from policy_assistant.schema import DEFAULT_LANGUAGE
from policy_assistant.text import detect as detect_words
from policy_assistant.text import words


class Language(Protocol):
    """What choosing a language reads of one: policy_assistant.store's
    Language, or policy_assistant.server_texts' LanguageTexts."""

    @property
    def detection_words(self) -> AbstractSet[str]: ...

    @property
    def switch_words(self) -> AbstractSet[str]: ...

    @property
    def greeting_words(self) -> AbstractSet[str]: ...

    @property
    def keywords(self) -> Mapping[str, Iterable[str]]: ...


SWITCH_CUES = {
    "in",
    "en",
    "speak",
    "habla",
    "hablar",
    "hable",
    "answer",
    "responde",
    "responda",
    "please",
    "por",
    "favor",
    "switch",
    "cambiar",
    "cambia",
    "idioma",
    "language",
}


# the words right before the language asked for ("in Spanish", "en inglés", "al español")
INTO = {"in", "into", "to", "en", "al", "a"}


def detect(text: str, languages: Mapping[str, Language], current: str | None = None) -> str | None:
    """The language a message is clearly written in, or None when it is too
    short or too mixed to tell ("ok", "ICE?"). With no current language, one
    marker word is enough; to switch away from the current one, it takes two
    and a clear lead."""
    vocabularies = {code: lang.detection_words | lang.greeting_words for code, lang in languages.items()}
    greetings = {code: lang.greeting_words for code, lang in languages.items()}
    return detect_words(words(text), vocabularies, current, greetings)


def requested(text: str, languages: Mapping[str, Language]) -> str | None:
    """The language someone asks for by name ("en español por favor",
    "in English please"), or None. When a message names two ("that in
    Spanish? she reads Spanish better than English"), the one right after
    "in" or "en" ("into", "al") is the one asked for."""
    tokens = words(text)
    named = [code for code, lang in languages.items() if any(t in lang.switch_words for t in tokens)]
    after = {
        code
        for code in named
        for before, token in pairwise(tokens)
        if before in INTO and token in languages[code].switch_words
    }
    if len(named) > 1:
        named = list(after)
    if len(named) != 1:
        return None
    if len(tokens) <= 2 or after or any(t in SWITCH_CUES for t in tokens):
        return named[0]
    return None


def replied_in(text: str, languages: Mapping[str, Language], current: str | None = None) -> str | None:
    """The language of a message that is only one of its reply words ("MAS":
    Spanish); a word two languages share ("SOURCES": English and French) is
    the current language's when it is one of its words."""
    first = [current] if current is not None and current in languages else []
    ordered = {code: languages[code] for code in [*first, *languages]}
    word = reply_word(text, {code: language.keywords for code, language in ordered.items()})
    return word[1] if word else None


def choose(
    text: str, languages: Mapping[str, Language], slot: str | None = None, metadata: Dict[str, Any] | None = None
) -> str:
    """Order of precedence: a request by name ("en español por favor"), the
    person's choice on the page (a language button: message metadata "lang"),
    a reply word's language ("MAS" on a phone), what the message is clearly
    written in, the language already in use, the language the page is shown
    in (metadata "page_lang"), English."""
    if text.lstrip().startswith("/"):  # a button's payload ("/ask_more"): no one's words
        text = ""
    asked = requested(text, languages)
    if asked:
        return asked
    chosen = metadata.get(LANG_METADATA) if isinstance(metadata, dict) else None
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    current = slot if slot in languages else None
    replied = replied_in(text, languages, current)
    if replied:
        return replied
    page = metadata.get(PAGE_LANG_METADATA) if isinstance(metadata, dict) else None
    page = page if isinstance(page, str) and page in languages else None
    return detect(text, languages, current) or current or page or DEFAULT_LANGUAGE
