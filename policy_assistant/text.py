"""Text folding and word-list language detection: the one place for both.

Imported by the NLU pipeline (the spaCy lemmatizer) and by the dialogue side
(policy_assistant.language), so that both fold text and tell languages apart
the same way. Standard library only: the model's spaCy component must not pull
in the answer store or YAML."""

from __future__ import annotations

import re
import unicodedata
from typing import Collection, List, Mapping

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Policía' -> 'policia'."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> List[str]:
    """The folded words of a text (letters only)."""
    return [fold(w) for w in WORD.findall(text or "")]


def detect(tokens: List[str], vocabularies: Mapping[str, Collection[str]], current: str | None = None) -> str | None:
    """The language whose marker words the folded tokens clearly use most, or
    None when there is none or a tie ("ok", "ICE?"). With no current language
    one marker word is enough; to switch away from the current language it
    takes two and a clear lead (at least twice the runner-up's plus one)."""
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
    return best if best_score >= 2 and best_score >= 2 * runner_up + 1 else None
