"""Answers made for a phone's small screen (SMS and WhatsApp): plain Python,
no Rasa, no Twilio.

* A topic answer's first message is its short answer, at most SHORT_LIMIT
  characters of whole sentences; the second gives the date of the newest
  change, its source and what the person can reply (MORE, SOURCES, a number).
* "MORE" gets the summary and the later changes, as many whole paragraphs as
  fit in MAX_MESSAGES messages.
* No message is longer than MESSAGE_LIMIT, and no answer is more than
  MAX_MESSAGES messages; text is split and cut on sentence boundaries only.
* Buttons become numbered options; the words people reply with (MORE, MAS,
  ...) are each language's `keywords` in the answer store."""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence

from policy_assistant.answers import changes, format_date, label, latest_change, message
from policy_assistant.store import Store

SHORT_LIMIT = 320
# Twilio sends an SMS body of up to 1,600 characters (as linked segments);
# WhatsApp allows 4,096. One limit for both keeps every message within each.
MESSAGE_LIMIT = 1600
MAX_MESSAGES = 3
ELLIPSIS = "…"
KEYWORD_KINDS = ("more", "sources", "stop")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\")»]*\s+")


def sentences(text: str) -> List[str]:
    """The sentences of `text`, each with its own end mark and closing quotes."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        parts.append(text[start:].strip())
    return parts


def whole_sentences(text: str, limit: int) -> str:
    """As many whole sentences of `text` as fit in `limit` characters (always
    the first one, even a long one: a sentence is never cut)."""
    kept: List[str] = []
    for sentence in sentences(text):
        candidate = " ".join([*kept, sentence])
        if kept and len(candidate) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def _split(paragraph: str, limit: int) -> List[str]:
    """A paragraph longer than `limit` as pieces of whole sentences (a single
    sentence longer than `limit` is cut between words, the only cut allowed)."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: List[str] = []
    current = ""
    for sentence in sentences(paragraph) or [paragraph]:
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit - 1)
            cut = cut if cut > 0 else limit - 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut] + ELLIPSIS)
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def pack(texts: Iterable[str], limit: int = MESSAGE_LIMIT, most: int = MAX_MESSAGES) -> List[str]:
    """Messages of at most `limit` characters, at most `most` of them: each
    text starts a new message while there are fewer than `most` (later texts
    then join the last one); paragraphs that do not fit are left out, and the
    last message then ends with an ellipsis."""
    texts = [t.strip() for t in texts if t and t.strip()]
    # each text's paragraphs, split further where one is longer than a message
    blocks = [[piece for p in t.split("\n\n") for piece in _split(p.strip(), limit)] for t in texts]
    messages: List[str] = []
    left_out = False
    for paragraphs in blocks:
        for j, paragraph in enumerate(paragraphs):
            joined = f"{messages[-1]}\n\n{paragraph}" if messages else paragraph
            new_message = not messages or (j == 0 and len(messages) < most)
            if not new_message and len(joined) <= limit:
                messages[-1] = joined
            elif len(messages) < most:
                messages.append(paragraph)
            else:
                left_out = True
    if left_out and messages:
        last = messages[-1]
        messages[-1] = last + ELLIPSIS if len(last) < limit else last[: limit - 1] + ELLIPSIS
    return messages


def numbered(buttons: Sequence[Dict[str, str]]) -> str:
    """Buttons as numbered options, one per line: "1 Can I call 911?"."""
    return "\n".join(f"{n} {b['title']}" for n, b in enumerate(buttons, 1))


def outgoing(messages: Iterable[tuple[str, Sequence[Dict[str, str]]]], privacy: str | None = None) -> List[str]:
    """What a phone receives for the assistant's messages (text, buttons):
    each message with its buttons as numbered options after it, then the
    privacy line when there is one, packed into at most MAX_MESSAGES."""
    texts = ["\n\n".join(p for p in (text, numbered(buttons) if buttons else "") if p) for text, buttons in messages]
    return pack([*texts, privacy or ""])


def keywords(store: Store, lang: str) -> Dict[str, str]:
    """The first reply word of each kind in a language (MORE, SOURCES, STOP)."""
    language = store.language(lang)
    default = store.language(None)
    return {
        kind: (language.keywords.get(kind) or default.keywords.get(kind) or (kind.upper(),))[0]
        for kind in KEYWORD_KINDS
    }


def keyword(store: Store, text: str) -> tuple[str, str] | None:
    """(kind, language) when `text` is only a reply word of some language."""
    word = re.sub(r"[\s.!¡?¿]+", "", text).upper()
    for code, language in store.languages.items():
        for kind, words in language.keywords.items():
            if word in words:
                return kind, code
    return None


def topic_messages(store: Store, topic_id: str, lang: str) -> List[str]:
    """A topic answer for a phone: the short answer, then its date and source
    and what to reply."""
    language = store.language(lang)
    topic = store.topics[topic_id]
    first = whole_sentences(topic.short.text(language.code), SHORT_LIMIT)
    lines = []
    newest = latest_change(topic)
    if newest is not None:
        publishers = "; ".join(dict.fromkeys(s.publisher for s in newest.sources))
        lines.append(label(language, "when_latest", latest=format_date(newest.date, language)))
        lines.append(f"{label(language, 'source')}: {publishers}")
    elif topic.quotes:
        said = max(q.said_on for q in topic.quotes)
        lines.append(label(language, "when_quotes", dates=format_date(said, language)))
        lines.append(f"{label(language, 'source')}: {topic.quotes[0].source.publisher}")
    lines.append(label(language, "disclaimer"))
    words = keywords(store, language.code)
    hint = message(store, "phone_hint", language.code).format(more=words["more"], sources=words["sources"])
    return [first, "\n".join(lines) + "\n\n" + hint]


def details_messages(store: Store, topic_id: str, lang: str) -> List[str]:
    """ "MORE" on a phone: the summary, then the later changes and records with
    their dates, as many whole paragraphs as fit."""
    language = store.language(lang)
    topic = store.topics[topic_id]
    parts = [f"{topic.title.text(language.code)}\n\n{topic.summary.text(language.code)}"]
    later = changes(topic)
    if later:
        lines = [f"{label(language, 'since_then')}:"]
        lines += [f"{format_date(u.date, language)}: {u.text.text(language.code)}" for u in later]
        parts.append("\n".join(lines))
    words = keywords(store, language.code)
    hint = message(store, "phone_hint", language.code).format(more=words["more"], sources=words["sources"])
    return [*pack(parts, most=MAX_MESSAGES - 1), hint]
