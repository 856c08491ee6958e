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
from policy_assistant.text import OWN_LETTERS, script, words
from policy_assistant.text import detect as detect_words


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

    @property
    def script(self) -> str | None: ...

    @property
    def switch_cues(self) -> AbstractSet[str]: ...

    @property
    def into_words(self) -> AbstractSet[str]: ...

    @property
    def language_names(self) -> Mapping[str, AbstractSet[str]]: ...


def detect(
    text: str, languages: Mapping[str, Language], current: str | None = None, page: str | None = None
) -> str | None:
    """The language a message is clearly written in, or None when it is too
    short or too mixed to tell ("ok", "ICE?"). A message mostly in a script
    that only one spoken language uses (Cyrillic: Ukrainian) is in that
    language; one in a script several use (Arabic and Dari) is in one of
    them: the one its words mark, else the one its letters mark (Persian's
    پ چ ژ گ: Dari; ة ى: Arabic), else the current one if it is among them,
    else the page's language if it is, else the first of them. Otherwise, with no current language, one marker
    word is enough; to switch away from the current one, it takes two and a
    clear lead."""
    written = script(text)
    by_script = [code for code, lang in languages.items() if written is not None and lang.script == written]
    if len(by_script) == 1:
        return by_script[0]
    among = {code: languages[code] for code in by_script} or languages
    vocabularies = {code: lang.detection_words | lang.greeting_words for code, lang in among.items()}
    greetings = {code: lang.greeting_words for code, lang in among.items()}
    found = detect_words(words(text), vocabularies, current if current in among else None, greetings)
    if found is None and by_script:
        lettered = [code for code in by_script if any(ch in OWN_LETTERS.get(code, "") for ch in text)]
        if len(lettered) == 1:
            return lettered[0]
        return next((code for code in (current, page) if code in by_script), by_script[0])
    return found


def switch_words(code: str, languages: Mapping[str, Language]) -> frozenset[str]:
    """The words that name language `code` in a request to switch: its own
    (`switch_words`) and what every language calls it (`names`)."""
    named = (lang.language_names.get(code, frozenset()) for lang in languages.values())
    return frozenset(languages[code].switch_words).union(*named)


def requested(text: str, languages: Mapping[str, Language]) -> str | None:
    """The language someone asks for by name ("en español por favor",
    "in English please"), or None. When a message names two ("that in
    Spanish? she reads Spanish better than English"), the one right after
    "in" or "en" ("into", "al") is the one asked for. The cue words of every
    language count in every language ("please" in a Spanish message)."""
    tokens = words(text)
    cues = frozenset().union(*(lang.switch_cues for lang in languages.values()))
    into = frozenset().union(*(lang.into_words for lang in languages.values()))
    names = {code: switch_words(code, languages) for code in languages}
    named = [code for code in languages if any(t in names[code] for t in tokens)]
    after = {code for code in named for before, token in pairwise(tokens) if before in into and token in names[code]}
    if len(named) > 1:
        named = list(after)
    if len(named) != 1:
        return None
    if len(tokens) <= 2 or after or any(t in cues for t in tokens):
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
    return detect(text, languages, current, page) or current or page or DEFAULT_LANGUAGE
