"""What a message that is only a reply word or an option number means: one
rule for the NLU (nlu_pipeline/reply_words.py), the actions' choice of
language (policy_assistant.language) and the phone channel's STOP. Plain
Python, no Rasa, no answer store: the words are given, by language and kind,
as the answer store's `keywords` (MORE, MAS, SOURCES, FUENTES, STOP, ALTO)."""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Tuple

# the kinds of reply words (the answer store's `keywords`)
MORE, SOURCES, STOP = "more", "sources", "stop"
# what a reply word may come with: spaces and end marks ("Stop.", "¡ALTO!", " Más ")
NOT_IN_A_WORD = re.compile(r"[\s.!¡?¿؟।۔]+")
# a bare number, as people pick an option: "2", " 2 ", "2.", "2)"; \d is any
# script's decimal digit, so "٢" (Arabic-Indic), "۲" (Persian) and "२"
# (Devanagari) pick option 2 too, and int() reads them
OPTION = re.compile(r"\s*(\d{1,2})\s*[.)]?\s*")
MOST_OPTIONS = 99

# the reply words of each language, by kind: {"es": {"more": ("MAS", "MÁS"), ...}, ...}
Keywords = Mapping[str, Mapping[str, Iterable[str]]]


def bare(text: str) -> str:
    """`text` as reply words are compared: in capitals, without spaces or end marks."""
    return NOT_IN_A_WORD.sub("", text).upper()


def reply_word(text: str, keywords: Keywords) -> Tuple[str, str] | None:
    """(kind, language) when `text` is only a reply word of some language."""
    word = bare(text)
    if not word:
        return None
    for code, kinds in keywords.items():
        for kind, words in kinds.items():
            if word in words:
                return kind, code
    return None


def option_number(text: str) -> int | None:
    """The option a bare number picks (1 to MOST_OPTIONS), or None."""
    match = OPTION.fullmatch(text)
    number = int(match.group(1)) if match else 0
    return number if 1 <= number <= MOST_OPTIONS else None
