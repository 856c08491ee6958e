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

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Policía' -> 'policia'."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> List[str]:
    """The folded words of a text (letters only)."""
    return [fold(w) for w in WORD.findall(text or "")]


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
# languages spoken in Louisville's immigrant communities (French among them,
# which the assistant now speaks: the caller's `spoken` decides what is
# foreign), and from near neighbours that stand in for languages it does not
# model (Shona for Kinyarwanda and Kirundi, Hindi for Nepali's script). Fewer
# languages mean fewer false alarms on short English and Spanish, and less memory.
FOREIGN_LANGUAGES = ("FRENCH", "PORTUGUESE", "SWAHILI", "SOMALI", "SHONA", "VIETNAMESE", "ARABIC", "HINDI", "PERSIAN")
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


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    wanted = [Language.ENGLISH, Language.SPANISH, *(getattr(Language, name) for name in FOREIGN_LANGUAGES)]
    return LanguageDetectorBuilder.from_languages(*wanted).with_preloaded_language_models().build()


def load_language_models() -> None:
    """Load lingua's models now (about two seconds) rather than on first use."""
    _lingua()


def foreign_language(
    text: str, spoken: Collection[str] = ("en", "es"), confidence: float = FOREIGN_CONFIDENCE, ratio: float = RATIO
) -> str | None:
    """The ISO 639-1 code of the language a message is clearly written in when
    that is not one the assistant speaks, else None. Mostly non-Latin letters
    are enough (no spoken language here uses another script); a Latin-script
    message needs a clear verdict from lingua, so that short or mixed messages
    ("ICE?", "LMPD", Spanglish) stay with English and Spanish."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    latin = sum(bool(LATIN.match(ch)) for ch in letters) * 2 >= len(letters)
    if latin and len(WORD.findall(text)) < MIN_WORDS:
        return None
    values = _lingua().compute_language_confidence_values(text)
    if not values:
        return None
    top = values[0]
    if top.value < NO_VERDICT:  # a script none of its languages uses (Chinese, Amharic, ...)
        return UNDETERMINED
    code = str(top.language.iso_code_639_1.name).lower()
    if code in spoken:
        return None
    best_spoken = max((v.value for v in values if str(v.language.iso_code_639_1.name).lower() in spoken), default=0.0)
    if not latin or (top.value >= confidence and top.value >= ratio * best_spoken):
        return code
    return None


# ---------------------------------------------------------------- sentences
# One rule for where a sentence ends, for the store's "at most 3 sentences"
# and for splitting text messages: an end mark (and closing quotes) before a
# space or the end, except in abbreviations such as "U.S." or "EE. UU.".
ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.\s?)+|\bEE\. ?UU\.|\b(?:Dr|Mr|Mrs|Ms|Sr|Sra|St|No|ej|etc)\.")
SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)]*(?=\s|$)")


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each with its end mark and closing quotes."""
    masked = ABBREVIATION.sub(lambda m: "X" * len(m.group()), text)
    parts, start = [], 0
    for match in SENTENCE_END.finditer(masked):
        parts.append(text[start : match.end()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]
