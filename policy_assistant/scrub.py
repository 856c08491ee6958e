"""Taking names and numbers out of a question before the person is asked
whether to share it with city staff (issue 29). What this returns is exactly
what would be kept, and the person sees it before saying yes: the person's own
check is the last guard, so every rule here errs towards removing.

Removed, each replaced by REMOVED:
* e-mail addresses, web addresses and @handles;
* street addresses ("4501 Preston Hwy", "apt 3B", "calle Juárez 12");
* dates of birth and any other day of a month ("03/12/1990", "March 3",
  "3 de marzo de 1990", in every language's month names), and the year
  after "born" / "nací" / "ولدت" (scrub_words.yml: months, born);
* phone numbers, A-numbers, case and receipt numbers: any number of four or
  more digits that is not a year, and any word mixing letters and digits;
* names: after a cue ("my cousin", "named", "mi tío", "se llama", "ابن عمي",
  "mero dai"), each word until one of the languages' `keep` words; anywhere
  a capitalised word that is not the first of a sentence and not a known
  one; and a capitalised first word before one of `verbs_after_name`
  ("Juan was stopped"). Word lists for all nine languages: scrub_words.yml.

No pretrained name model is used: none is on the package registry, and the
project's spaCy pipeline has no named-entity model. In scripts without
capital letters (Arabic, Dari, Nepali) names go only after a cue; otherwise
the person's own check is what finds them. tests/test_scrub_languages.py
shows what each language keeps and loses, its strict xfails what these rules
still get wrong."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import FrozenSet, List, NamedTuple, Tuple

import yaml

REMOVED = "[…]"
WORDS_FILE = Path(__file__).with_name("scrub_words.yml")
MAX_NAME_WORDS = 4  # words taken out after one cue, at most
# a full stop after these is not the end of a sentence ("Mr. Smith", "la Sra. López")
ABBREVIATIONS = frozenset("mr mrs ms dr st sr sra srta det sgt lt ofc off jr".split())
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})

# applied in this order, each match replaced by REMOVED: these, the dates with
# a month's name and the year after "born" in every language of scrub_words.yml
# (_date_patterns), then NUMBER_PATTERNS
PATTERNS: List[re.Pattern[str]] = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE),  # web address
    re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|me|co|us|info|mx)\b(?:/\S*)?", re.IGNORECASE),
    re.compile(r"(?<!\w)@\w+"),  # a handle
    re.compile(r"\b(?:calle|avenida|av\.|camino|carretera)\s+(?:[\w.'-]+\s+){0,3}?(?:n[º°o.]?\s*)?\d{1,6}\b", re.I),
    re.compile(r"(?:\b(?:apt|apartment|apartamento|depto|unit|suite|ste)\.?|#)\s*\d+\w*", re.IGNORECASE),
    # dates written with numbers only
    re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"),
]
# after the dates with a month's name: numbers of every other kind
NUMBER_PATTERNS: List[re.Pattern[str]] = [
    # a word mixing letters and at least three digits (A-numbers, case and receipt numbers)
    re.compile(r"\b(?=[\w-]*\d[\w-]*\d[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]+\b"),
    # phone numbers and any long number, with their separators
    re.compile(r"\+?\(?\d[\d\s().-]{5,}\d"),
]
FOUR_OR_MORE_DIGITS = re.compile(r"\b\d{4,}\b")
YEARS = range(1950, 2040)  # a four-digit number in this range is a year, in any script's digits: kept
# Combining marks of the Basic Multilingual Plane (Devanagari vowel signs and
# viramas, Arabic harakat and shadda, Latin accents typed apart) and the
# zero-width non-joiner of Persian are inside words, though Python's \w does
# not count them.
MARKS = (
    "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")) + "\u200c"
)
TOKEN = re.compile(rf"[^\W\d_](?:[\w'’.{MARKS}-]*(?:[^\W_]|[{MARKS}]))?|\S", re.UNICODE)
SENTENCE_END = set(".!?¿¡\n;:")


class WordLists(NamedTuple):
    """scrub_words.yml, every language's lists together: a message may mix
    languages, and a cue of one is a cue in any."""

    name_cues: FrozenSet[str]  # lower case
    keep: FrozenSet[str]  # lower case
    known_capitals: FrozenSet[str]
    # a capitalised word that begins a sentence is a name when one of these
    # follows it ("Maria was stopped", "Juan dice que"); "Yesterday my ..." stays
    verbs_after_name: FrozenSet[str]  # lower case
    months: FrozenSet[str]  # lower case: names of months and their short forms, for dates
    born: FrozenSet[str]  # lower case: "born", "nací", ...: the year after one is a date of birth


@functools.cache
def _words() -> WordLists:
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")) or {}
    for lang, lists in raw.items():
        for name, entries in lists.items():
            odd = [e for e in entries or () if not isinstance(e, str)]
            if odd:  # YAML reads a bare no, yes, on or off as true or false: quote it
                raise ValueError(f"{WORDS_FILE.name}: {lang}.{name} has entries that are not words: {odd}")
    merged = {name: [w for lists in raw.values() for w in lists.get(name) or ()] for name in WordLists._fields}
    lower = {name: frozenset(w.lower() for w in merged[name]) for name in WordLists._fields}
    return WordLists(**{**lower, "known_capitals": frozenset(merged["known_capitals"])})


@functools.cache
def _date_patterns() -> List[re.Pattern[str]]:
    """A day with a month's name, in either order and with a year or not, and
    the year after "born", in every language of the word lists."""
    words = _words()
    months = "|".join(sorted((re.escape(m) for m in words.months), key=len, reverse=True))
    born = "|".join(sorted((re.escape(b) for b in words.born), key=len, reverse=True))
    return [
        re.compile(rf"\b(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\w)", re.IGNORECASE),
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th|er|º)?\s+(?:of\s+|de\s+)?(?:{months})(?!\w)(?:,?\s+(?:de\s+|del\s+)?\d{{4}})?",
            re.IGNORECASE,
        ),
        re.compile(rf"(?<!\w)(?:{born})\s+(?:\w+\s+){{0,2}}?\d{{4}}(?!\w)", re.IGNORECASE),
    ]


# a street address: a number, up to three words, a street word; then a unit
STREET = re.compile(
    r"\b\d{1,6}\s+(?P<middle>(?:[\w.'-]+\s+){0,3}?)"
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|pike|highway|hwy|"
    r"place|pl|parkway|pkwy|circle|cir|terrace|ter|trail|trl)\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*\w+)?",
    re.IGNORECASE,
)


def _street(match: re.Match[str]) -> str:
    """An address, unless the words before the street word are everyday ones
    ("2 kids and no way to get there")."""
    middle = match.group("middle").lower().split()
    return match.group(0) if any(word in _words().keep for word in middle) else REMOVED


def _patterns_removed(text: str) -> str:
    text = STREET.sub(_street, text)
    for pattern in [*PATTERNS, *_date_patterns(), *NUMBER_PATTERNS]:
        text = pattern.sub(REMOVED, text)
    return FOUR_OR_MORE_DIGITS.sub(lambda m: m.group(0) if int(m.group(0)) in YEARS else REMOVED, text)


def _tokens(text: str) -> List[Tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(text)]


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _names_removed(text: str, known: FrozenSet[str]) -> str:
    """Take out the words a name cue introduces, and capitalised words that
    are not known and do not begin a sentence."""
    words = _words()
    cues, keep, listed = words.name_cues, words.keep, words.known_capitals  # inside a name, only `listed` stops it
    # (the store's capitalised words include officials' names)
    capitals = listed | known
    tokens = _tokens(text)
    lowered = [t[2].lower() for t in tokens]
    remove = [False] * len(tokens)
    longest_cue = max((len(c.split()) for c in cues), default=1)
    i = 0
    while i < len(tokens):
        cue_end = 0
        for size in range(longest_cue, 0, -1):
            if i + size <= len(tokens) and " ".join(lowered[i : i + size]) in cues:
                cue_end = i + size
                break
        if cue_end:
            j = cue_end
            while j < len(tokens) and j - cue_end < MAX_NAME_WORDS:
                word = tokens[j][2]
                if not word[:1].isalpha():
                    break
                if lowered[j] in keep and not _capitalised(word):
                    break
                if _capitalised(word) and word in listed:
                    break
                # a name written with capitals ends at the first word without one
                # ("Rosalind keeps asking"); one in lower case goes on to the next
                # `keep` word ("maria lopez was")
                if j > cue_end and _capitalised(tokens[cue_end][2]) and not _capitalised(word):
                    break
                remove[j] = True
                j += 1
            # past what was taken out; past the cue's first word only when nothing
            # was, so that a longer cue inside it is tried ("my NAME IS maria")
            i = j if j > cue_end else i + 1
            continue
        i += 1
    starts_sentence = True
    for k, (_, _, word) in enumerate(tokens):
        if word in SENTENCE_END or word in ("¿", "¡"):
            after_abbreviation = word == "." and k > 0 and (lowered[k - 1] in ABBREVIATIONS or len(lowered[k - 1]) == 1)
            starts_sentence = starts_sentence or not after_abbreviation
            continue
        if word[:1].isalpha():
            unknown = _capitalised(word) and word not in capitals and word.lower() not in keep
            next_word = lowered[k + 1] if k + 1 < len(tokens) else ""
            if unknown and (not starts_sentence or next_word in words.verbs_after_name):
                remove[k] = True
            starts_sentence = False
    out, last = [], 0
    for (start, end, _), gone in zip(tokens, remove, strict=False):
        if gone:
            out.append(text[last:start] + REMOVED)
            last = end
    out.append(text[last:])
    return "".join(out)


MERGED = re.compile(re.escape(REMOVED) + r"(?:[\s,]*" + re.escape(REMOVED) + r")+")


def scrub(text: str, known: FrozenSet[str] = frozenset()) -> str:
    """`text` without names, numbers, addresses and dates: what would be kept.
    `known`: more capitalised words that are not names (the answer store's)."""
    text = " ".join(text.translate(APOSTROPHES).split())
    text = _names_removed(_patterns_removed(text), known)
    return MERGED.sub(REMOVED, text).strip()
