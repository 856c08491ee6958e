"""Turn a topic of the answer store into what the person reads.

One place for every display rule (dates in the conversation's language, how old
a statement is, what a later change qualifies, the review line, labels): the
payload carries them ready to show, so the web page only draws, and the text
channels read the same values. Plain Python, no Rasa.

A policy answer is phone-first: the text reply is the short answer, the date
of the newest change, the review line and one line saying how to get the
details ("more"); the details (what changed since, the public record, what
officials said, the sources) are the follow-up "more", and the payload holds
all of it for the web page to show one tap away."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Container, Dict, Iterable, List, Sequence

from policy_assistant.names import EMERGENCY, NLU_FALLBACK, OTHER_PLACE
from policy_assistant.reply_words import reply_word
from policy_assistant.schema import Absence, Explanation, Ground, Passage, Record, Scope
from policy_assistant.store import DEFAULT_LANGUAGE, Language, Quote, Source, Store, Topic, Update
from policy_assistant.text import fold

OLD_AFTER_DAYS = 365
RECORD = "record"  # an update that is a finding of the public record, not a change
SOURCES_TOPIC = "sources_and_dates"  # answers "how old is this?" before any other question

Payload = Dict[str, Any]


@dataclass
class Reply:
    """Everything one turn of the assistant sends: text, buttons, payload."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    payload: Payload | None = None


# ---------------------------------------------------------------- small rules


def format_date(date: dt.date, language: Language) -> str:
    return language.date_format.format(day=date.day, month=language.months[date.month - 1], year=date.year)


def years_between(earlier: dt.date, later: dt.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def label(language: Language, key: str, **values: Any) -> str:
    """A label of the language (English when it has none), filled in."""
    text = language.label(key)
    return text.format(**values) if values else text


def changes(topic: Topic) -> List[Update]:
    """The topic's later changes, newest first (records of the day are not changes)."""
    return sorted((u for u in topic.updates if u.kind != RECORD), key=lambda u: u.date, reverse=True)


def records(topic: Topic) -> List[Update]:
    return sorted((u for u in topic.updates if u.kind == RECORD), key=lambda u: u.date)


def latest_change(topic: Topic) -> Update | None:
    found = changes(topic)
    return found[0] if found else None


def qualifiers(topic: Topic, item_id: str) -> List[Update]:
    """The topic's updates that declare they qualify a quote or an update."""
    return [u for u in changes(topic) if item_id in u.qualifies]


def topic_sources(topic: Topic) -> List[Source]:
    """Every source the topic rests on, once, in the order shown."""
    found: Dict[str, Source] = {}
    for update in changes(topic) + records(topic):
        for source in update.sources:
            found.setdefault(source.id, source)
    for quote in topic.quotes:
        found.setdefault(quote.source.id, quote.source)
    return list(found.values())


def qualified_note(topic: Topic, item_id: str, language: Language) -> str | None:
    """ "Changed later: see 22 July 2025 above." for a quote or update that a
    later update of the topic qualifies, else None."""
    later = qualifiers(topic, item_id)
    if not later:
        return None
    return label(language, "qualified_by", dates=", ".join(format_date(u.date, language) for u in later))


def review_line(topic: Topic, language: Language) -> str:
    if topic.reviewed_by and topic.reviewed_on:
        key = "changed_since_review" if topic.changed_since_review() else "reviewed_by"
        return label(language, key, by=topic.reviewed_by, date=format_date(topic.reviewed_on, language))
    return label(language, "not_reviewed")


def unchecked_notice(language: Language) -> str:
    """That no native speaker has checked the translation, or that its texts
    changed after one did; nothing for the original or a checked language."""
    if language.checked:
        return ""
    if language.changed_since_checked:
        date = format_date(language.checked_on, language) if language.checked_on else ""
        return label(language, "translation_changed", by=language.checked_by, date=date)
    return label(language, "translation_unchecked")


def translation_line(language: Language) -> str:
    """On every answer in a language not checked as it stands: the notice,
    and how to get the English answer."""
    notice = unchecked_notice(language)
    return " ".join(p for p in (notice, label(language, "english_offer")) if p) if notice else ""


def with_translation_notice(reply: Reply, language: Language) -> Reply:
    """`reply` with the translation notice of its language after its text."""
    notice = translation_line(language)
    return dataclasses.replace(reply, text=f"{reply.text}\n\n{notice}") if notice else reply


def english_button(store: Store) -> Dict[str, str]:
    """Asks for the last answer in English ("say that in English"): the
    English name, which the NLU reads as a request for that language."""
    name = store.language(DEFAULT_LANGUAGE).name
    return {"title": name, "payload": name}


# ---------------------------------------------------------------- payload parts


def source_payload(source: Source, language: Language) -> Payload:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date.isoformat(),
        "date_text": format_date(source.date, language),
        "date_inferred": source.date_inferred,
        # the date as shown: "7 September 2017 (day inferred, ...)"
        "date_display": format_date(source.date, language)
        + (f" {label(language, 'date_inferred')}" if source.date_inferred else ""),
        "url": source.url,
        "url_note": label(language, "section_url") if source.url and source.url_scope == "section" else None,
        "note": source.note.text(language.code) if source.note else None,
    }


def quote_payload(store: Store, topic: Topic, quote: Quote, language: Language) -> Payload:
    lang = language.code
    item: Payload = {
        "id": quote.id,
        "speaker": quote.speaker.name,
        "role": quote.speaker.role.text(lang),
        "occasion": quote.occasion.label.text(lang),
        "said_on": quote.said_on.isoformat(),
        "said_on_text": format_date(quote.said_on, language),
        # after the speaker's name: "Chief of ... in 2017; answers to reporters ...; said on 7 September 2017"
        "caption": f"{quote.speaker.role.text(lang)}; {quote.occasion.label.text(lang)}; "
        f"{label(language, 'said_on')} {format_date(quote.said_on, language)}",
        "context": quote.context.text(lang) if quote.context else None,
        "text": quote.text,
        "source": source_payload(quote.source, language),
        "qualified_by": [u.id for u in qualifiers(topic, quote.id)],
        "qualified_note": qualified_note(topic, quote.id, language),
    }
    if lang != DEFAULT_LANGUAGE and lang in quote.translations:
        item["translation"] = {
            "lang": lang,
            "text": quote.translations[lang],
            "official": False,
            "label": label(language, "unofficial_translation"),
        }
    return item


def update_payload(topic: Topic, update: Update, language: Language) -> Payload:
    lang = language.code
    return {
        "id": update.id,
        "kind": update.kind,
        "date": update.date.isoformat(),
        "date_text": format_date(update.date, language),
        "text": update.text.text(lang),
        "lang": lang if lang in update.text else DEFAULT_LANGUAGE,
        "source": source_payload(update.sources[0], language),
        "sources": [source_payload(s, language) for s in update.sources],
        "qualifies": list(update.qualifies),
        "qualified_by": [u.id for u in qualifiers(topic, update.id)],
        "qualified_note": qualified_note(topic, update.id, language),
    }


def ground_payload(ground: Quote | Ground, language: Language) -> Payload:
    """One ground of a sentence, ready to show: its kind and label, its text
    (a quote or passage verbatim, with a quote's unofficial translation), and
    the source to cite. A passage of our own note cites the records it rests
    on, labelled as our note on them."""
    lang = language.code
    item: Payload = {"id": ground.id, "kind": "quote" if isinstance(ground, Quote) else ground.kind}
    cited: tuple[Source, ...] = ()
    if isinstance(ground, Quote):
        item |= {
            "label": label(language, "ground_quote"),
            "text": ground.text,
            "attributed_to": [ground.speaker.name],
            # after the quote: who said it, in what role, and when
            "caption": f"{ground.speaker.name}, {ground.speaker.role.text(lang)}; "
            f"{label(language, 'said_on')} {format_date(ground.said_on, language)}",
        }
        cited = (ground.source,)
        if lang in ground.translations:
            item["translation"] = {
                "text": ground.translations[lang],
                "label": label(language, "unofficial_translation"),
            }
    elif isinstance(ground, Passage):
        note = ground.source.kind == "note"
        item |= {"label": label(language, "ground_note" if note else "ground_passage"), "text": ground.text}
        cited = tuple(ground.cites) if note and ground.cites else (ground.source,)
    elif isinstance(ground, Explanation | Absence | Scope):
        item |= {"label": label(language, f"ground_{ground.kind}"), "text": ground.text.text(lang)}
        cited = tuple(getattr(ground, "checked", ()) or getattr(ground, "sources", ()))
    if isinstance(ground, Absence):  # the sources searched, labelled as such: none of them says it
        item["checked_label"] = label(language, "ground_checked")
    item["source"] = source_payload(cited[0], language) if cited and not isinstance(ground, Absence) else None
    item["sources"] = [source_payload(s, language) for s in cited]
    return item


def grounds_payload(store: Store, record: Record, fields: Sequence[str], lang: str) -> Payload:
    """Each sentence of the record's texts with its grounds, in the language
    asked (the same grounds in every language): {field: [{sentence, grounds}]}."""
    language = store.language(lang)
    return {
        name: [
            {
                "sentence": sentence,
                "said_by": [store.speakers[p].name for p in entry.said_by],
                "grounds": [store.shown(store.grounds[g], language, ground_payload) for g in entry.ids],
            }
            for sentence, entry in store.grounded(record, name, language.code)
        ]
        for name in fields
    }


def age(topic: Topic, language: Language, today: dt.date) -> Payload:
    """How old the topic's official statements are, ready to show."""
    if not topic.quotes:
        return {"old": False, "years_ago": None, "old_warning": None, "said_in": None}
    oldest = min(q.said_on for q in topic.quotes)
    years = years_between(oldest, today)
    old = (today - oldest).days > OLD_AFTER_DAYS
    warning = label(language, "old_warning", date=format_date(oldest, language), years=years) if old else None
    return {"old": old, "years_ago": years, "old_warning": warning, "said_in": oldest.year}


def topic_buttons(store: Store, topic_ids: Iterable[str], lang: str) -> List[Dict[str, str]]:
    return [{"title": store.topics[t].title.text(lang), "payload": f"/{t}"} for t in topic_ids if t in store.topics]


def topic_payload(store: Store, topic: Topic, lang: str, today: dt.date | None = None) -> Payload:
    """The public contract (README) plus display-ready fields for the page."""
    today = today or dt.date.today()
    language = store.language(lang)
    lang = language.code
    summary_lang = lang if lang in topic.summary else DEFAULT_LANGUAGE
    newest = latest_change(topic)
    when = age(topic, language, today)
    return {
        "topic": topic.id,
        "lang": lang,
        "title": topic.title.text(lang),
        "short": topic.short.text(lang),
        "short_lang": lang if lang in topic.short else DEFAULT_LANGUAGE,
        "summary": topic.summary[summary_lang],
        "summary_lang": summary_lang,
        "latest_change": None
        if newest is None
        else {
            "id": newest.id,
            "date": newest.date.isoformat(),
            "date_text": format_date(newest.date, language),
            "line": label(language, "when_latest", latest=format_date(newest.date, language)),
        },
        "quotes": [quote_payload(store, topic, q, language) for q in topic.quotes],
        "updates": [update_payload(topic, u, language) for u in changes(topic)],
        "records": [update_payload(topic, u, language) for u in records(topic)],
        "sources": [source_payload(s, language) for s in topic_sources(topic)],
        "resources": [
            {
                "id": r.id,
                "name": r.name.text(lang),
                "description": r.description.text(lang),
                "url": r.url,
                "phone": r.phone,
                "source": source_payload(r.source, language),
            }
            for r in store.resources.values()
            if topic.id in r.topics
        ],
        **when,
        "reviewed_on": topic.reviewed_on.isoformat() if topic.reviewed_on else None,
        "reviewed_by": topic.reviewed_by,
        "reviewed_text": review_line(topic, language),
        # not yet checked by a native speaker: said on the answer (translation_notice,
        # for text), and on the page with a button that asks for the English answer
        "translation_notice": translation_line(language),
        "unchecked_notice": unchecked_notice(language),
        "english_button": None if language.checked else english_button(store),
        "changed_since_review": topic.changed_since_review(),
        # each sentence of "In short" and "In more detail" with what it rests on
        "grounds": grounds_payload(store, topic, ("short", "summary"), lang),
        "related": list(topic.related),
        "labels": {
            key: label(language, key)
            for key in (
                "in_short",
                "summary_heading",
                "since_then",
                "records_heading",
                "sources_heading",
                "context",
                "source",
                "said_on",
                "resources",
                "related",
                "disclaimer",
                "date_inferred",
            )
        }
        | {"officials_said": label(language, "officials_said", year=when["said_in"]) if when["said_in"] else ""},
    }


# ---------------------------------------------------------------- text


def source_line(source: Payload, language: Language) -> str:
    where = source["url"] or label(language, "no_url")
    if source["url_note"]:
        where = f"{where}, {source['url_note']}"
    return f"{source['title']}, {source['publisher']}, {source['date_display']} ({where})"


def _update_lines(items: Sequence[Payload], language: Language) -> List[str]:
    lines = []
    for u in items:
        sources = "; ".join(source_line(s, language) for s in u["sources"])
        lines.append(f"• {u['date_text']}: {u['text']}\n  {label(language, 'source')}: {sources}")
        if u["qualified_note"]:
            lines.append(f"  {u['qualified_note']}")
    return lines


def details_text(store: Store, topic_id: str, lang: str, today: dt.date | None = None) -> str:
    """The whole answer as text: the follow-up "more", and the text channels'
    way to the details. Later changes come before the old statements."""
    language = store.language(lang)
    p = topic_payload(store, store.topics[topic_id], language.code, today)
    parts: List[str] = [p["title"]]
    if p["summary_lang"] != p["lang"]:
        parts.append(language.messages.get("summary_missing", ""))
    parts.append(p["summary"])
    if p["updates"]:
        parts.append("\n".join([f"{label(language, 'since_then')}:", *_update_lines(p["updates"], language)]))
    if p["records"]:
        parts.append("\n".join([f"{label(language, 'records_heading')}:", *_update_lines(p["records"], language)]))
    if p["quotes"]:
        lines = [f"{p['labels']['officials_said']}:"]
        if p["old_warning"]:
            lines.append(p["old_warning"])
        for q in p["quotes"]:
            if q["context"]:
                lines.append(f"• {label(language, 'context')}: {q['context']}\n  “{q['text']}”")
            else:
                lines.append(f"• “{q['text']}”")
            lines.append(f"  — {q['speaker']}, {q['caption']}.")
            if "translation" in q:
                lines.append(f"  {q['translation']['label']}: “{q['translation']['text']}”")
            if q["qualified_note"]:
                lines.append(f"  {q['qualified_note']}")
        parts.append("\n".join(lines))
    lines = [f"{label(language, 'sources_heading')}:"]
    for s in p["sources"]:
        lines.append(f"• {source_line(s, language)}" + (f"\n  {s['note']}" if s["note"] else ""))
    parts.append("\n".join(lines))
    if p["resources"]:
        lines = [f"{label(language, 'resources')}:"]
        lines += [f"• {r['name']}: {r['description']}" for r in p["resources"]]
        parts.append("\n".join(lines))
    parts += [p["reviewed_text"], label(language, "disclaimer")]
    return "\n\n".join(part for part in parts if part)


def answer_topic(store: Store, topic_id: str, lang: str, today: dt.date | None = None) -> Reply:
    """A policy answer: the short answer first (phone-first), then the date of
    the newest change, the review line, how to get the details, and the
    disclaimer; the payload carries everything."""
    language = store.language(lang)
    topic = store.topics[topic_id]
    payload = topic_payload(store, topic, language.code, today)
    parts = [payload["title"], f"{label(language, 'in_short')}: {payload['short']}"]
    if payload["latest_change"]:
        newest = store.updates[payload["latest_change"]["id"]]
        sources = "; ".join(f"{s.publisher}" for s in newest.sources)
        parts.append(f"{payload['latest_change']['line']} ({label(language, 'source')}: {sources})")
    parts += [
        payload["reviewed_text"],
        payload["translation_notice"],
        label(language, "details_hint"),
        label(language, "disclaimer"),
    ]
    return Reply(
        text="\n\n".join(p for p in parts if p),
        buttons=topic_buttons(store, topic.related, language.code),
        payload=payload,
    )


def language_switched(
    store: Store, asked: str, topic_id: str | None, fixed: str | None = None, today: dt.date | None = None
) -> Reply:
    """ "Say that in Spanish": the last answer again, in the language asked
    for, as it was first sent: the fixed reply `fixed` when that was the last
    answer (the emergency reply, say), else the topic's short answer ("more"
    then gives the details); with no answer yet, that the language is
    switched. The payload names the language, so that the web page switches
    its own."""
    if fixed is not None:
        reply = fixed_reply(store, fixed, asked)
    elif topic_id in store.topics:
        reply = answer_topic(store, topic_id, asked, today)
    else:
        reply = Reply(text=message(store, "language_switched", asked))
    return Reply(text=reply.text, buttons=reply.buttons, payload={**(reply.payload or {}), "language": asked})


# replies that carry no translation notice: the reply to a language not spoken
# (in every language, each marked as it needs), and "you're welcome" and
# "goodbye", which close a conversation and say nothing to rely on
NO_TRANSLATION_NOTICE = {"unsupported_language", "thank", "goodbye"}

# "I'm not sure I understood" offers, as a numbered menu (buttons on the web),
# at most this many of the topics the question was closest to, best first,
# instead of a guess; with none close, the reply's own topics
MENU_SIZE = 3
# the fixed replies that offer first the topics the question was closest to,
# and how many: "I'm not sure I understood" (a situation told in everyday words
# is often between two topics); "another place"; the emergency reply, which
# nlu_pipeline.gates.UrgencyGate also gives a question that only might be about
# danger now
OFFER_CLOSEST = {NLU_FALLBACK: MENU_SIZE, OTHER_PLACE: 1, EMERGENCY: 1}


def closest_topics(intent: str, ranked: Iterable[str], topics: Container[str]) -> List[str]:
    """The topics the fixed reply to `intent` offers first: the closest of the
    message's intents (`ranked`, best first) that are policy topics."""
    return [name for name in ranked if name in topics][: OFFER_CLOSEST.get(intent, 0)]


def fixed_reply(store: Store, intent: str, lang: str, foreign: str | None = None, closest: Sequence[str] = ()) -> Reply:
    """Greetings, capabilities, out of scope, legal advice, emergency, fallback,
    another place, a language not spoken. `closest`: the Louisville topics the
    question was nearest to, best first, offered before the reply's own; `foreign`:
    the code of the language not spoken that the message was written in."""
    language = store.language(lang)
    reply = store.replies.get(intent) or store.replies.get("nlu_fallback")
    key = reply.intent if reply else "nlu_fallback"
    text = language.messages.get(key) or store.language(DEFAULT_LANGUAGE).messages[key]
    closest = [t for t in closest if t in store.topics]
    if key == NLU_FALLBACK and closest:
        topics = closest[:MENU_SIZE]
    else:
        topics = list(dict.fromkeys([*closest, *(reply.buttons if reply else ())]))
    if key == "unsupported_language":
        text = not_spoken_text(store, foreign, language.code)
    said = Reply(text=text, buttons=topic_buttons(store, topics, language.code))
    return said if key in NO_TRANSLATION_NOTICE else with_translation_notice(said, language)


# the payload of the button that says yes to sharing a question (issue 29): an
# intent of the domain, so that Rasa reads it as such (actions/actions.py)
SHARE_PAYLOAD = "/share_question"


def share_offer(store: Store, scrubbed: str, lang: str) -> Reply:
    """The offer to share the question with city staff: the exact text that
    would be kept, and a button (a numbered option on a phone) that says yes to it."""
    button = message(store, "share_button", lang)
    text = message(store, "share_offer", lang).format(text=scrubbed, button=button)
    return Reply(text=text, buttons=[{"title": button, "payload": SHARE_PAYLOAD}])


def with_share_offer(store: Store, reply: Reply, scrubbed: str, lang: str) -> Reply:
    """`reply`, then the offer to share the question (share_offer)."""
    offer = share_offer(store, scrubbed, lang)
    return Reply(text=f"{reply.text}\n\n{offer.text}", buttons=[*reply.buttons, *offer.buttons], payload=reply.payload)


# who to ask when an answer did not help (a topic id: a public contract, never renamed)
LIAISON_TOPIC = "contact_liaison"
# "did this help?" after an answer (issue 29): each button's payload (an
# intent of the domain) and the message that is its title
RATING_BUTTONS = {"/answer_helped": "rating_yes", "/answer_not_helped": "rating_no"}
# the buttons whose words, typed, mean what the button means (a client may send a button's title)
TYPED_BUTTONS = {SHARE_PAYLOAD: "share_button", **RATING_BUTTONS}


def with_rating(store: Store, reply: Reply, lang: str) -> Reply:
    """An answer, asking whether it helped: the question and its two buttons
    after the reply's own (numbered options on a phone); the web page draws
    them from the payload's `rating` (web_message)."""
    buttons = [{"title": message(store, key, lang), "payload": payload} for payload, key in RATING_BUTTONS.items()]
    question = message(store, "rating_question", lang)
    payload = None if reply.payload is None else {**reply.payload, "rating": {"question": question, "buttons": buttons}}
    return Reply(text=f"{reply.text}\n\n{question}", buttons=[*reply.buttons, *buttons], payload=payload)


def typed_button(store: Store, text: str) -> str | None:
    """The payload of the share or rating button whose words `text` is, in
    any language ("Yes, share it" typed, or sent by a client that sends a
    button's title); None for any other text."""

    def words(said: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", fold(said)).split())

    typed = words(text)
    if not typed:
        return None
    for payload, key in TYPED_BUTTONS.items():
        if any(typed == words(lang.messages.get(key, "")) for lang in store.languages.values()):
            return payload
    return None


def rating_reply(store: Store, helped: bool, lang: str) -> Reply:
    """The reply to "did this help?": thanks; after a no, with who to ask."""
    if helped:
        return Reply(text=message(store, "rating_thanks", lang))
    return Reply(text=message(store, "rating_sorry", lang), buttons=topic_buttons(store, [LIAISON_TOPIC], lang))


def share_outcome(store: Store, key: str, lang: str, scrubbed: str = "") -> Reply:
    """What the person is told after saying yes to sharing: share_thanks (with
    the text kept), share_expired or share_failed."""
    return Reply(text=message(store, key, lang).format(text=scrubbed))


def not_spoken_text(store: Store, foreign: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The reply to a language the assistant does not speak: in the
    conversation's language and in English, each naming every language
    spoken in its own name (the person reads the list whatever they read),
    then one sentence in the person's language when the store has one,
    marked while no speaker has checked it. Not in all nine languages: on a
    phone that is some 35 text messages."""
    shown = list(dict.fromkeys([lang, DEFAULT_LANGUAGE]))
    parts = [unsupported_message(store, code) for code in shown]
    other = store.not_spoken_language(foreign)
    if other is not None:
        check = (
            ""
            if other.reviewed
            else " " + " ".join(label(store.language(code), "not_checked_translation") for code in shown)
        )
        parts.append(f"{other.name}: {other.sentence}{check}")
    return "\n\n".join(dict.fromkeys(p for p in parts if p))


def spoken_names(store: Store) -> str:
    """Every language the assistant speaks, each in its own name: "English, Español, Français"."""
    return ", ".join(language.name for language in store.languages.values())


def unsupported_message(store: Store, lang: str) -> str:
    """ "I can answer only in these languages", in `lang`, naming every
    language spoken in its own name."""
    return message(store, "unsupported_language", lang).format(names=spoken_names(store))


def message(store: Store, key: str, lang: str) -> str:
    language = store.language(lang)
    return language.messages.get(key) or store.language(DEFAULT_LANGUAGE).messages.get(key, "")


def sources_by_sentence(store: Store, topic: Topic, language: Language) -> List[str]:
    """SOURCES on a phone: for "In short" and "In more detail", each sentence's
    number and first words, then what it rests on (a ground's label and the
    source it cites, once per sentence)."""
    parts = []
    grounds = grounds_payload(store, topic, ("short", "summary"), language.code)
    for name, heading in (("short", "in_short"), ("summary", "summary_heading")):
        lines = [label(language, "grounds_heading", part=label(language, heading))]
        for n, item in enumerate(grounds[name], 1):
            start = " ".join(item["sentence"].split()[:4])
            cited = dict.fromkeys(
                f"{g['label']}: {g['source']['publisher']}, {g['source']['date_text']}" if g["source"] else g["label"]
                for g in item["grounds"]
            )
            lines.append(f"{n} ({start}…) {'; '.join(cited)}")
        parts.append("\n".join(lines))
    return parts


def _when(store: Store, topic: Topic, language: Language) -> str:
    """ "When was that said?": the quotes' days, the dates of the later notes,
    the newest change and the review, from the same data as the answer."""
    lines = []
    quote_days = sorted({q.said_on for q in topic.quotes})
    if quote_days:
        line = label(language, "when_quotes", dates=", ".join(format_date(d, language) for d in quote_days))
        if any(q.source.date_inferred for q in topic.quotes):
            line += f" {label(language, 'date_inferred')}"
        lines.append(line)
    note_days = sorted({u.date for u in topic.updates})
    if note_days:
        lines.append(label(language, "when_records", dates=", ".join(format_date(d, language) for d in note_days)))
    newest = latest_change(topic)
    if newest:
        lines.append(label(language, "when_latest", latest=format_date(newest.date, language)))
    lines += [review_line(topic, language), label(language, "disclaimer")]
    return "\n".join(lines)


def follow_up(
    store: Store, kind: str, topic_id: str | None, lang: str, today: dt.date | None = None, text: str = ""
) -> Reply:
    """Answer "who said that?", "when was that said?" or "tell me more" about
    the last topic answered (`text`: what the person wrote), with the
    translation notice (a topic answer carries its own)."""
    reply = _follow_up(store, kind, topic_id, lang, today, text)
    if reply.payload and "topic" in reply.payload:
        return reply
    return with_translation_notice(reply, store.language(lang))


def _follow_up(
    store: Store, kind: str, topic_id: str | None, lang: str, today: dt.date | None = None, text: str = ""
) -> Reply:
    language = store.language(lang)
    lang = language.code
    topic = store.topics.get(topic_id or "")
    if topic is None and SOURCES_TOPIC in store.topics:
        # before any answer, "how old is this?" is about the sources, and so
        # is the bare reply word SOURCES or FUENTES ("who said that?" is not)
        keywords = {code: choice.keywords for code, choice in store.languages.items()}
        if kind == "when" or (kind == "who" and reply_word(text, keywords) is not None):
            return answer_topic(store, SOURCES_TOPIC, lang, today)
    if topic is None:
        greet = store.replies.get("greet")
        return Reply(
            text=message(store, "no_topic_yet", lang),
            buttons=topic_buttons(store, greet.buttons if greet else (), lang),
        )
    buttons = topic_buttons(store, topic.related, lang)
    if kind == "who":
        lines = [label(language, "who_said" if topic.quotes else "no_quotes")]
        seen = set()
        for quote in topic.quotes:
            if (quote.speaker.id, quote.occasion.id) in seen:
                continue
            seen.add((quote.speaker.id, quote.occasion.id))
            lines.append(
                f"• {quote.speaker.name}, {quote.speaker.role.text(lang)} "
                f"({quote.occasion.label.text(lang)}, {format_date(quote.said_on, language)})"
            )
        lines += [
            f"{label(language, 'source')}: {source_line(source_payload(s, language), language)}"
            for s in topic_sources(topic)
        ]
        return Reply(
            text="\n\n".join(["\n".join(lines), *sources_by_sentence(store, topic, language)]), buttons=buttons
        )
    if kind == "when":
        return Reply(text=_when(store, topic, language), buttons=topic_buttons(store, ["sources_and_dates"], lang))
    return Reply(text=details_text(store, topic.id, lang, today), buttons=buttons)


def web_message(reply: Reply) -> Payload:
    """What the web page gets for a topic answer: the payload with its buttons
    (the page draws it; rasa_server/webchat/app.js), the rating's apart in `rating`."""
    return {**(reply.payload or {}), "buttons": [b for b in reply.buttons if b["payload"] not in RATING_BUTTONS]}


def page_strings(store: Store) -> Payload:
    """The web page's own words in every language (strings.json); answers
    arrive with their labels and dates ready."""
    return {
        code: {
            "name": lang.name,
            "direction": lang.direction,
            "ui": lang.ui,
            "messages": {"unavailable": lang.messages.get("unavailable", "")},
        }
        for code, lang in store.languages.items()
    }
