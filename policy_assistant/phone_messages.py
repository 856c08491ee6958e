"""Answers made for a phone's small screen (SMS and WhatsApp): plain Python,
no Rasa, no Twilio.

* A topic answer's first message is its whole short answer (the store keeps
  it within 360 characters); the second gives the date of the newest change,
  its source, whether city staff have reviewed the answer and what the
  person can reply (MORE, SOURCES, a number).
* "MORE" gets the summary, then the later changes with their dates, filling
  at most MAX_MESSAGES messages sentence by sentence, always ending with the
  review line and what to reply.
* No message is longer than MESSAGE_LIMIT, and no answer is more than
  MAX_MESSAGES messages; text is split and cut on sentence boundaries only.
* Buttons become numbered options; the words people reply with (MORE, MAS,
  ...) are each language's `keywords` in the answer store, understood by the
  NLU (nlu_pipeline/reply_words.py, by the rule of policy_assistant.reply_words)."""

from __future__ import annotations

from typing import Dict, Iterable, List, Sequence

from policy_assistant.answers import (
    changes,
    format_date,
    label,
    latest_change,
    message,
    review_line,
    translation_line,
)
from policy_assistant.schema import KEYWORD_KINDS
from policy_assistant.store import Store
from policy_assistant.text import sentences

# Twilio sends an SMS body of up to 1,600 characters (as linked segments);
# WhatsApp allows 4,096. One limit for both keeps every message within each.
MESSAGE_LIMIT = 1600
MAX_MESSAGES = 3
ELLIPSIS = "…"


def _split(paragraph: str, limit: int) -> List[str]:
    """A paragraph longer than `limit` as pieces of whole lines, a long line as
    pieces of whole sentences, and a sentence longer than `limit` cut between
    words (the only cut allowed, marked with an ellipsis)."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: List[str] = []
    current = ""
    for line in paragraph.split("\n"):
        for unit, glue in [(line, "\n")] if len(line) <= limit else [(s, " ") for s in sentences(line)]:
            while len(unit) > limit:
                cut = unit.rfind(" ", 0, limit - 1)
                cut = cut if cut > 0 else limit - 1
                if current:
                    pieces.append(current)
                    current = ""
                pieces.append(unit[:cut] + ELLIPSIS)
                unit = unit[cut:].strip()
            candidate = f"{current}{glue}{unit}" if current else unit
            if len(candidate) > limit:
                pieces.append(current)
                current = unit
            else:
                current = candidate
    if current:
        pieces.append(current)
    return pieces


def _ended(message: str, limit: int) -> str:
    """`message` marked as cut short, still within `limit` and between words."""
    if len(message) + len(ELLIPSIS) <= limit:
        return message + ELLIPSIS
    cut = message.rfind(" ", 0, limit - len(ELLIPSIS))
    return message[: cut if cut > 0 else limit - len(ELLIPSIS)] + ELLIPSIS


def pack(texts: Iterable[str], limit: int = MESSAGE_LIMIT, most: int = MAX_MESSAGES) -> List[str]:
    """Messages of at most `limit` characters, at most `most` of them: each
    text starts a new message while there are fewer than `most` (later texts
    then join the last one). At the first paragraph that does not fit, the
    rest is left out (never a gap in the middle), and the last message ends
    with an ellipsis."""
    texts = [t.strip() for t in texts if t and t.strip()]
    messages: List[str] = []
    for text in texts:
        for j, paragraph in enumerate(p for part in text.split("\n\n") for p in _split(part.strip(), limit)):
            joined = f"{messages[-1]}\n\n{paragraph}" if messages else paragraph
            if messages and not (j == 0 and len(messages) < most) and len(joined) <= limit:
                messages[-1] = joined
            elif len(messages) < most:
                messages.append(paragraph)
            else:
                messages[-1] = _ended(messages[-1], limit)
                return messages
    return messages


def numbered(buttons: Sequence[Dict[str, str]]) -> str:
    """Buttons as numbered options, one per line: "1 Can I call 911?"."""
    return "\n".join(f"{n} {b['title']}" for n, b in enumerate(buttons, 1))


def outgoing(messages: Iterable[tuple[str, Sequence[Dict[str, str]]]], privacy: str | None = None) -> List[str]:
    """What a phone receives for the assistant's messages (text, buttons):
    each message with its buttons as numbered options after it, packed into
    at most MAX_MESSAGES, the last of them kept for the privacy line when
    there is one."""
    texts = ["\n\n".join(p for p in (text, numbered(buttons) if buttons else "") if p) for text, buttons in messages]
    if not privacy:
        return pack(texts)
    return [*pack(texts, most=MAX_MESSAGES - 1), privacy]


def keywords(store: Store, lang: str) -> Dict[str, str]:
    """The first reply word of each kind in a language (MORE, SOURCES, STOP)."""
    language = store.language(lang)
    default = store.language(None)
    return {
        kind: (language.keywords.get(kind) or default.keywords.get(kind) or (kind.upper(),))[0]
        for kind in KEYWORD_KINDS
    }


def topic_messages(store: Store, topic_id: str, lang: str) -> List[str]:
    """A topic answer for a phone: the short answer, then its date and source
    and what to reply."""
    language = store.language(lang)
    topic = store.topics[topic_id]
    first = " ".join(topic.short.text(language.code).split())  # whole: the store keeps it within one message
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
    lines.append(review_line(topic, language))
    lines.append(translation_line(language))
    lines.append(label(language, "disclaimer"))
    words = keywords(store, language.code)
    hint = message(store, "phone_hint", language.code).format(more=words["more"], sources=words["sources"])
    return [first, "\n".join(line for line in lines if line) + "\n\n" + hint]


def details_messages(store: Store, topic_id: str, lang: str) -> List[str]:
    """ "MORE" on a phone: the summary (which names each later change in plain
    words), then the later changes with their dates, filling at most
    MAX_MESSAGES messages line by line and sentence by sentence; the review
    line and what to reply always end the last one."""
    language = store.language(lang)
    topic = store.topics[topic_id]
    lines = [topic.title.text(language.code), topic.summary.text(language.code)]
    later = changes(topic)
    if later:
        lines.append(f"{label(language, 'since_then')}:")
        lines += [f"{format_date(u.date, language)}: {u.text.text(language.code)}" for u in later]
    words = keywords(store, language.code)
    hint = message(store, "phone_hint", language.code).format(more=words["more"], sources=words["sources"])
    trust = "\n".join(line for line in (review_line(topic, language), translation_line(language)) if line)
    return filled("\n".join(lines), trust + "\n\n" + hint)


def filled(text: str, ending: str) -> List[str]:
    """`text` in at most MAX_MESSAGES messages, each filled sentence by
    sentence (a message may end mid-paragraph, never mid-sentence), with
    `ending` after it in the last one; what does not fit is left out, and the
    cut is marked with an ellipsis."""
    units = [
        (sentence, "\n" if i == 0 else " ") for line in text.split("\n") for i, sentence in enumerate(sentences(line))
    ]
    messages: List[str] = [""]
    for sentence, glue in units:
        room = MESSAGE_LIMIT - (len(ending) + 2 if len(messages) == MAX_MESSAGES else 0)
        for piece in _split(sentence, room):  # a sentence longer than a message is cut between words
            candidate = f"{messages[-1]}{glue}{piece}" if messages[-1] else piece
            if len(candidate) <= room:
                messages[-1] = candidate
            elif len(messages) < MAX_MESSAGES:
                messages.append(piece)
            else:
                return [*messages[:-1], f"{_ended(messages[-1], room)}\n\n{ending}"]
            glue = " "
    if len(messages[-1]) + 2 + len(ending) <= MESSAGE_LIMIT:
        return [*messages[:-1], f"{messages[-1]}\n\n{ending}"]
    return [*messages, ending]  # fewer than MAX_MESSAGES: the last one was filled with room to spare
