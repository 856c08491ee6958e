"""Decide which language to answer in. The languages and the words that mark
them come from the answer store (languages/<code>.yml), so a new language is
added as data. Plain Python, no Rasa."""

from __future__ import annotations

from typing import Any, Dict

from policy_assistant.store import DEFAULT_LANGUAGE, Language
from policy_assistant.text import detect as detect_words
from policy_assistant.text import words

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


def detect(text: str, languages: Dict[str, Language], current: str | None = None) -> str | None:
    """The language a message is clearly written in, or None when it is too
    short or too mixed to tell ("ok", "ICE?"). With no current language, one
    marker word is enough; to switch away from the current one, it takes two
    and a clear lead."""
    vocabularies = {code: lang.detection_words for code, lang in languages.items()}
    return detect_words(words(text), vocabularies, current)


def requested(text: str, languages: Dict[str, Language]) -> str | None:
    """The language someone asks for by name ("en español por favor",
    "in English please"), or None."""
    tokens = words(text)
    named = [code for code, lang in languages.items() if any(t in lang.switch_words for t in tokens)]
    if len(named) != 1:
        return None
    if len(tokens) <= 2 or any(t in SWITCH_CUES for t in tokens):
        return named[0]
    return None


def choose(
    text: str, languages: Dict[str, Language], slot: str | None = None, metadata: Dict[str, Any] | None = None
) -> str:
    """Order of precedence: a request by name ("en español por favor"), the
    page's explicit choice (message metadata), what the message is clearly
    written in, the language already in use, English."""
    asked = requested(text, languages)
    if asked:
        return asked
    chosen = metadata.get("lang") if isinstance(metadata, dict) else None
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    current = slot if slot in languages else None
    return detect(text, languages, current) or current or DEFAULT_LANGUAGE
