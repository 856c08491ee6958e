"""Text folding and word-list language detection: the one place for both.

Imported by the NLU pipeline (the spaCy lemmatizer and the language gate) and
by the dialogue side (policy_assistant.language), so that all of them fold text
and tell languages apart the same way: English from Spanish by their words,
and a language the assistant does not speak with lingua-language-detector.
No answer store, no YAML: the model's components import this module."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Collection, List, Mapping


def _marks() -> str:
    """Unicode's combining marks (of the Basic Multilingual Plane) as a
    character class: Devanagari's vowel signs and virama, Arabic's short
    vowels. Regular expressions' \\w leaves them out, and would cut "नेपाली"
    or "هَلْ" into pieces at each mark."""
    marks = [c for c in range(0x300, 0x10000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")]
    ranges, start = [], marks[0]
    for previous, current in zip(marks, [*marks[1:], -1], strict=True):
        if current != previous + 1:
            ranges.append(f"\\u{start:04x}-\\u{previous:04x}" if previous > start else f"\\u{start:04x}")
            start = current
    return "".join(ranges)


# a word: a letter, then letters and the marks written on them
WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_marks()}])*")


def fold(text: str) -> str:
    """Lower-case, strip accents and write every digit as 0-9: 'Policía' ->
    'policia', '٩١١' (Arabic-Indic) and '९११' (Devanagari) -> '911'."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in decomposed if not unicodedata.combining(ch)
    )


ZERO_WIDTH = str.maketrans("", "", "\u200c\u200d")  # non-joiner and joiner: Persian می‌کند, Nepali गर्‍यो


def words(text: str) -> List[str]:
    """The folded words of a text (letters only; a zero-width joiner or
    non-joiner inside a word does not split it)."""
    return [fold(w) for w in WORD.findall((text or "").translate(ZERO_WIDTH))]


def script(text: str) -> str | None:
    """The Unicode script most of a text's letters are written in ("LATIN",
    "ARABIC", "CYRILLIC", "DEVANAGARI"), or None with no letters or no
    majority: the first word of each letter's Unicode name."""
    counts: dict[str, int] = {}
    letters = 0
    for ch in text or "":
        # letters, and the marks of a script written on them (Devanagari's vowel
        # signs are marks, not letters); Latin's combining accents are neither
        name = unicodedata.name(ch, "").split(" ", 1)[0]
        if ch.isalpha() or (unicodedata.category(ch).startswith("M") and name not in ("", "COMBINING")):
            letters += 1
            if name:
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] * 2 > letters else None


def detect(
    tokens: List[str],
    vocabularies: Mapping[str, Collection[str]],
    current: str | None = None,
    greetings: Mapping[str, Collection[str]] | None = None,
) -> str | None:
    """The language whose marker words the folded tokens clearly use most, or
    None when there is none or a tie ("ok", "ICE?"). With no current language
    one marker word is enough. To switch away from the current language it
    takes two and a clear lead (at least twice the runner-up's plus one), or a
    message made only of the other language's `greetings` ("gracias", "hola",
    "buenas noches", "thanks"): people switch with their greetings and thanks
    too, but one other word ("migra?", "police?") does not switch."""
    if not tokens or not vocabularies:
        return None
    scores = {code: sum(t in vocabulary for t in tokens) for code, vocabulary in vocabularies.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_score == 0 or best_score == runner_up:
        return None
    if current is None or current not in vocabularies or best == current:
        return best
    if best_score >= 2 and best_score >= 2 * runner_up + 1:
        return best
    only = (greetings or {}).get(best, ())
    return best if all(t in only for t in tokens) else None


# ---------------------------------------------------------------- languages not spoken
#
# Messages in a language the assistant does not speak must never get a policy
# topic. lingua-language-detector ships its models inside the package (no
# download at run time); it is asked only to tell English and Spanish from the
# languages spoken in Louisville's immigrant communities and their near
# neighbours (Russian beside Ukrainian, Persian for Dari, Hindi for Nepali,
# Shona for Kinyarwanda: lingua has no model of Dari, Nepali or Kinyarwanda),
# plus every spoken language it has a model of. The caller's `spoken` (and
# `identified_as`: Persian is Dari) decides what is foreign. Fewer languages
# mean fewer false alarms on short English and Spanish, and less memory.
FOREIGN_LANGUAGES = (
    "FRENCH",
    "PORTUGUESE",
    "SWAHILI",
    "SOMALI",
    "SHONA",
    "VIETNAMESE",
    "ARABIC",
    "HINDI",
    "PERSIAN",
    "UKRAINIAN",
    "RUSSIAN",
)
# How clear lingua's verdict must be for a Latin-script message: the other
# language at least this confident, at least RATIO times as likely as English
# or Spanish, in at least MIN_WORDS words. The most sensitive setting under
# which none of the English and Spanish training examples is flagged
# (python -m devtools.compare_language_detectors shows both sides).
FOREIGN_CONFIDENCE = 0.55
RATIO = 2.0
MIN_WORDS = 3
NO_VERDICT = 0.1
UNDETERMINED = "und"  # ISO 639-2 "undetermined": not spoken here, language unknown
# When the intent classifier itself is unsure, a likelier verdict is enough
# (French with English loanwords: "la police de Louisville ... immigration").
UNSURE_CONFIDENCE = 0.5
UNSURE_RATIO = 1.0
LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
# Letters one language writes and its neighbours in the same script do not:
# lingua reads short Ukrainian as Russian ("є ще щось?"), so a letter of a
# spoken language keeps a message in, and one of the other language (Russian's
# ы, э, ъ, ё) marks it as that language; between Arabic and Dari, the
# letters choose the language to answer in (policy_assistant.language).
OWN_LETTERS = {"uk": "іїєґ", "ru": "ыэъё", "be": "ў", "prs": "پچژگ", "ar": "ةى"}
# A language lingua may name for a message written in a script a spoken
# language shares, by that script: there a short message, or one lingua
# does not clearly give to the other language, stays with the spoken one.
SPOKEN_SCRIPTS_SHARED = {"ru": ("CYRILLIC",), "be": ("CYRILLIC",), "bg": ("CYRILLIC",)}


@lru_cache(maxsize=4)
def _lingua(spoken: frozenset[str] = frozenset()) -> Any:
    """lingua's detector for English, Spanish, FOREIGN_LANGUAGES and any
    spoken language lingua knows by its ISO 639-1 code, so that a language
    added to the store as data is told apart without a change here."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    wanted = {Language.ENGLISH, Language.SPANISH, *(getattr(Language, name) for name in FOREIGN_LANGUAGES)}
    for code in spoken:
        iso = getattr(IsoCode639_1, code.upper(), None)
        if iso is not None:
            wanted.add(Language.from_iso_code_639_1(iso))
    return LanguageDetectorBuilder.from_languages(*wanted).with_preloaded_language_models().build()


def load_language_models(spoken: Collection[str] = ()) -> None:
    """Load lingua's models now (about two seconds) rather than on first use."""
    _lingua(frozenset(spoken))


def foreign_language(
    text: str,
    spoken: Collection[str] = ("en", "es"),
    confidence: float = FOREIGN_CONFIDENCE,
    ratio: float = RATIO,
    identified_as: Mapping[str, str] | None = None,
) -> str | None:
    """The ISO 639-1 code of the language a message is clearly written in when
    that is not one the assistant speaks, else None. For mostly non-Latin
    letters lingua's best guess is enough (the script narrows it); a Latin-script
    message needs a clear verdict from lingua, so that short or mixed messages
    ("ICE?", "LMPD", Spanglish) stay with English and Spanish. `identified_as`
    maps a code lingua gives to the spoken language it stands for when lingua
    has no model of that language: Persian for Dari ({"fa": "prs"}), Hindi
    for Nepali ({"hi": "ne"})."""
    aliases = identified_as or {}
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    latin = sum(bool(LATIN.match(ch)) for ch in letters) * 2 >= len(letters)
    if latin and len(WORD.findall(text)) < MIN_WORDS:
        return None
    values = _lingua(frozenset(spoken) | frozenset(aliases)).compute_language_confidence_values(text)
    if not values:
        return None
    top = values[0]
    if top.value < NO_VERDICT:  # a script none of its languages uses (Chinese, Amharic, ...)
        return UNDETERMINED

    def spoken_as(value: Any) -> str:
        code = str(value.language.iso_code_639_1.name).lower()
        return aliases.get(code, code)

    code = spoken_as(top)
    if code in spoken:
        return None
    if any(ch in OWN_LETTERS.get(other, "") for other in spoken for ch in text.lower()):
        return None  # a letter only a spoken language writes: "є ще щось?" is Ukrainian
    if any(ch in OWN_LETTERS.get(code, "") for ch in text.lower()):
        return code  # a letter only the other language writes: "ы" is Russian
    best_spoken = max((v.value for v in values if spoken_as(v) in spoken), default=0.0)
    if not latin and script(text) not in SPOKEN_SCRIPTS_SHARED.get(code, ()):
        return code  # a script no spoken language shares with it (Chinese, Thai)
    few_words = len(WORD.findall(text)) < MIN_WORDS
    if not few_words and top.value >= (confidence if latin else 0.0) and top.value >= ratio * best_spoken:
        return code
    return None


# ---------------------------------------------------------------- sentences
# One rule for where a sentence ends, for the store's "at most 3 sentences"
# and for splitting text messages: an end mark (and closing quotes) before a
# space or the end, except in abbreviations such as "U.S." or "EE. UU.". The
# end marks include Arabic's question mark (؟), Urdu-style full stop (۔) and
# Devanagari's danda (।), so Arabic, Dari and Nepali texts count as the others.
ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.\s?)+|\bEE\. ?UU\.|\b(?:Dr|Mr|Mrs|Ms|Sr|Sra|St|No|ej|etc)\.")
SENTENCE_END = re.compile(r"[.!?…؟।۔]+[\"”’»)]*(?=\s|$)")


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of `text`, each with its end mark and closing quotes.
    Kept per text: every answer splits the same store texts again, and a
    store's reload renders each of them many times (policy_assistant.render_check)."""
    masked = ABBREVIATION.sub(lambda m: "X" * len(m.group()), text)
    parts, start = [], 0
    for match in SENTENCE_END.finditer(masked):
        parts.append(text[start : match.end()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return tuple(part for part in parts if part)
