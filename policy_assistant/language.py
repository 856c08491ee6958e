"""Decide which language to answer in. The languages, the words that mark
them and their reply words come from the answer store (languages/<code>.yml),
so a new language is added as data: the action server gives the store's
languages, the Rasa server the same data from its texts file
(policy_assistant.server_texts). Plain Python, no Rasa."""

from __future__ import annotations

import re
from typing import AbstractSet, Any, Container, Dict, Iterable, List, Mapping, Protocol

from policy_assistant.names import EMERGENCY, LANG_METADATA, LEGAL_ADVICE, NLU_FALLBACK, OTHER_PLACE, PAGE_LANG_METADATA
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
    def negation_words(self) -> AbstractSet[str]: ...

    @property
    def negation_after_words(self) -> AbstractSet[str]: ...

    @property
    def language_names(self) -> Mapping[str, AbstractSet[str]]: ...


# where one part of a sentence ends (punctuation, an ellipsis, a "|" typed for
# Devanagari's "।", an emoji): a negation reaches a language's name only within
# its own part ("no, en español": Spanish is asked for)
CLAUSE_BREAK = re.compile(r"[,.;:!?¿¡،؛؟।|…()\[\]/\n—–\u2600-\u27bf\U0001f000-\U0001faff]+|\s-\s")
# a negation reaches a language's name with at most two words between them,
# not counting "in"/"en" ("no puedo leer en inglés")
NEGATION_REACH = 3


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


# what the NLU reads as a question besides the answer store's topics: a
# language named in one is named in passing, not asked for (`requested`)
QUESTION_INTENTS = frozenset({NLU_FALLBACK, OTHER_PLACE, LEGAL_ADVICE, EMERGENCY})


def is_question(intent: str | None, topics: Container[str]) -> bool:
    """Whether the NLU read a message as a question: a topic, a refusal, an
    emergency, or one it is unsure of."""
    return intent in topics or intent in QUESTION_INTENTS


def negated(
    clause: List[str],
    names: AbstractSet[str],
    into: AbstractSet[str],
    before: AbstractSet[str],
    behind: AbstractSet[str],
) -> set[int]:
    """The positions of the language names in `clause` (one part of a
    sentence, as words) that a negation reaches. A word of `before` ("no",
    "not", "не") negates the first name after it, a word of `behind` (Dari
    "نمی‌فهمم") the nearest name before it; a word in both looks ahead first
    ("англійською, не українською": Ukrainian; "англійською не розмовляю":
    English). Only one name each: "no hablo inglés español por favor" asks
    for Spanish."""
    found: set[int] = set()
    for at, word in enumerate(clause):
        ways = [range(at + 1, len(clause))] if word in before else []
        ways += [range(at - 1, -1, -1)] if word in behind else []
        for positions in ways:
            hit = _first_name(clause, positions, names, into)
            if hit is not None:
                found.add(hit)
                break
    return found


def _first_name(
    clause: List[str], positions: Iterable[int], names: AbstractSet[str], into: AbstractSet[str]
) -> int | None:
    between = 0
    for at in positions:
        if clause[at] in names:
            return at
        between += clause[at] not in into
        if between >= NEGATION_REACH:
            return None
    return None


def requested(text: str, languages: Mapping[str, Language], question: bool = False) -> str | None:
    """The language someone asks for by name ("en español por favor",
    "in English please"), or None.

    In a message the NLU read as a question (`question`: a topic, a refusal,
    an emergency, or one it is unsure of), a language is most often named in
    passing ("la policía me habló en inglés y no entendí…"), so the only one
    it can ask for is the one it is written in ("will police knock on my door?
    answer in English please", on a page shown in Spanish): whatever else it
    names, it is answered in a language the person reads. A request with a
    greeting, a thanks or a follow-up ("hola, en inglés por favor", "more, in
    Spanish") counts whatever it is written in.

    The words decide which language: a name a negation reaches in the same
    part of the sentence (`negated`: "no hablo inglés", "not in English") is
    not the one asked for; when a message still names two ("that in Spanish?
    she reads Spanish better than English"), the one right after "in" or "en"
    ("into", "al") is. The cue words of every language count in every language
    ("please" in a Spanish message)."""
    cues = frozenset().union(*(lang.switch_cues for lang in languages.values()))
    into = frozenset().union(*(lang.into_words for lang in languages.values()))
    before = frozenset().union(*(lang.negation_words for lang in languages.values()))
    behind = frozenset().union(*(lang.negation_after_words for lang in languages.values()))
    names = {code: switch_words(code, languages) for code in languages}
    named: List[str] = []
    after: set[str] = set()
    tokens: List[str] = []
    every_name = frozenset().union(*names.values())
    for part in CLAUSE_BREAK.split(text or ""):
        clause = words(part)
        tokens += clause
        unwanted = negated(clause, every_name, into, before, behind)
        for i, token in enumerate(clause):
            if i in unwanted:
                continue
            for code in languages:
                if token in names[code]:
                    named += [code] if code not in named else []
                    if i > 0 and clause[i - 1] in into:
                        after.add(code)
    if len(named) > 1:
        named = [code for code in named if code in after]
    if len(named) != 1:
        return None
    if not (len(tokens) <= 2 or after or any(t in cues for t in tokens)):
        return None
    if question and named[0] != detect(text, languages):
        return None
    return named[0]


def replied_in(text: str, languages: Mapping[str, Language], current: str | None = None) -> str | None:
    """The language of a message that is only one of its reply words ("MAS":
    Spanish); a word two languages share ("SOURCES": English and French) is
    the current language's when it is one of its words."""
    first = [current] if current is not None and current in languages else []
    ordered = {code: languages[code] for code in [*first, *languages]}
    word = reply_word(text, {code: language.keywords for code, language in ordered.items()})
    return word[1] if word else None


def choose(
    text: str,
    languages: Mapping[str, Language],
    slot: str | None = None,
    metadata: Dict[str, Any] | None = None,
    question: bool = False,
) -> str:
    """Order of precedence: a request by name ("en español por favor"; in a
    `question`, only for the language it is written in: see `requested`), the
    person's choice on the page (a language button: message metadata "lang"),
    a reply word's language ("MAS" on a phone), what the message is clearly
    written in, the language already in use, the language the page is shown
    in (metadata "page_lang"), English."""
    if text.lstrip().startswith("/"):  # a button's payload ("/ask_more"): no one's words
        text = ""
    asked = requested(text, languages, question)
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
