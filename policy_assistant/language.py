"""Decide which language to answer in. The languages and the words that mark
them come from the answer store (languages/<code>.yml), so a new language is
added as data. Plain Python, no Rasa."""
from __future__ import annotations

import re
from typing import Dict, Optional

from policy_assistant.store import DEFAULT_LANGUAGE, Language, fold

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
SWITCH_CUES = {"in", "en", "speak", "habla", "hablar", "hable", "answer", "responde", "responda", "please",
               "por", "favor", "switch", "cambiar", "cambia", "idioma", "language"}


def words(text: str):
    return [fold(w) for w in WORD.findall(text or "")]


def detect(text: str, languages: Dict[str, Language], current: Optional[str] = None) -> Optional[str]:
    """The language a message is clearly written in, or None when it is too
    short or too mixed to tell ("ok", "ICE?"). With no current language, one
    marker word is enough; to switch away from the current one, it takes two
    and a clear lead."""
    tokens = words(text)
    if not tokens:
        return None
    scores = {code: sum(t in lang.detection_words for t in tokens) for code, lang in languages.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_score == 0 or best_score == runner_up:
        return None
    if current is None or current not in languages:
        return best
    if best == current:
        return current
    return best if best_score >= 2 and best_score >= 2 * runner_up + 1 else None


def requested(text: str, languages: Dict[str, Language]) -> Optional[str]:
    """The language someone asks for by name ("en español por favor",
    "in English please"), or None."""
    tokens = words(text)
    named = [code for code, lang in languages.items() if any(t in lang.switch_words for t in tokens)]
    if len(named) != 1:
        return None
    if len(tokens) <= 2 or any(t in SWITCH_CUES for t in tokens):
        return named[0]
    return None


def choose(text: str, languages: Dict[str, Language], slot: Optional[str] = None,
           metadata: Optional[dict] = None) -> str:
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
