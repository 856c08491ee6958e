"""Turn a topic of the answer store into what the person reads: a plain-text
answer for any text channel and the structured payload (the public contract the
web page and the tests rely on). Plain Python, no Rasa."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from policy_assistant.store import DEFAULT_LANGUAGE, Language, Source, Store, Topic

OLD_AFTER_DAYS = 365


@dataclass
class Reply:
    """Everything one turn of the assistant sends: text, buttons, payload."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    payload: Optional[Dict[str, Any]] = None


def format_date(date: dt.date, language: Language) -> str:
    return language.date_format.format(day=date.day, month=language.months[date.month - 1], year=date.year)


def source_payload(source: Source) -> Dict[str, Any]:
    return {"title": source.title, "publisher": source.publisher,
            "date": source.date.isoformat(), "url": source.url}


def source_line(source: Source, language: Language) -> str:
    where = source.url or language.labels.get("no_url", "")
    return f"{source.title}, {source.publisher}, {format_date(source.date, language)} ({where})"


def topic_buttons(store: Store, topic_ids, lang: str) -> List[Dict[str, str]]:
    buttons = []
    for tid in topic_ids:
        topic = store.topics.get(tid)
        if topic:
            buttons.append({"title": topic.title.get(lang, topic.title[DEFAULT_LANGUAGE]), "payload": f"/{tid}"})
    return buttons


def years_between(earlier: dt.date, later: dt.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def topic_payload(store: Store, topic: Topic, lang: str) -> Dict[str, Any]:
    summary_lang = lang if lang in topic.summary else DEFAULT_LANGUAGE
    quotes = []
    for quote in topic.quotes:
        item = {
            "id": quote.id,
            "speaker": quote.speaker.name,
            "role": quote.speaker.role.get(lang, quote.speaker.role[DEFAULT_LANGUAGE]),
            "occasion": quote.occasion_label.get(lang, quote.occasion_label[DEFAULT_LANGUAGE]),
            "said_on": quote.said_on.isoformat(),
            "text": quote.text,
            "source": source_payload(quote.source),
        }
        if lang != DEFAULT_LANGUAGE and lang in quote.translations:
            item["translation"] = {"lang": lang, "text": quote.translations[lang], "official": False,
                                   "label": store.language(lang).labels.get("unofficial_translation", "")}
        quotes.append(item)
    updates = []
    for update in sorted(topic.updates, key=lambda u: u.date, reverse=True):
        update_lang = lang if lang in update.text else DEFAULT_LANGUAGE
        updates.append({
            "date": update.date.isoformat(),
            "text": update.text[update_lang],
            "lang": update_lang,
            "source": source_payload(update.sources[0]),
            "sources": [source_payload(s) for s in update.sources],
        })
    resources = [
        {"id": r.id, "name": r.name.get(lang, r.name[DEFAULT_LANGUAGE]),
         "description": r.description.get(lang, r.description[DEFAULT_LANGUAGE]),
         "url": r.url, "phone": r.phone, "source": source_payload(r.source)}
        for r in store.resources.values() if topic.id in r.topics
    ]
    return {
        "topic": topic.id,
        "lang": lang,
        "title": topic.title.get(lang, topic.title[DEFAULT_LANGUAGE]),
        "summary": topic.summary[summary_lang],
        "summary_lang": summary_lang,
        "quotes": quotes,
        "updates": updates,
        "resources": resources,
        "reviewed_on": topic.reviewed_on.isoformat(),
        "related": list(topic.related),
    }


def answer_topic(store: Store, topic_id: str, lang: str, today: Optional[dt.date] = None) -> Reply:
    """The full answer for a topic in the conversation's language."""
    today = today or dt.date.today()
    language = store.language(lang)
    lang = language.code
    topic = store.topics[topic_id]
    payload = topic_payload(store, topic, lang)
    labels = language.labels
    parts: List[str] = []
    if payload["summary_lang"] != lang:
        parts.append(language.messages.get("summary_missing", ""))
    parts.append(payload["summary"])
    if topic.quotes:
        oldest = min(q.said_on for q in topic.quotes)
        if (today - oldest).days > OLD_AFTER_DAYS:
            parts.append(labels["old_warning"].format(date=format_date(oldest, language),
                                                      years=years_between(oldest, today)))
    if topic.updates:
        lines = [f"{labels['since_then']}:"]
        for update in sorted(topic.updates, key=lambda u: u.date, reverse=True):
            text = update.text.get(lang, update.text[DEFAULT_LANGUAGE])
            sources = "; ".join(source_line(s, language) for s in update.sources)
            lines.append(f"• {format_date(update.date, language)}: {text}\n  {labels['source']}: {sources}")
        parts.append("\n".join(lines))
    if topic.quotes:
        days = sorted({q.said_on for q in topic.quotes})
        lines = [labels["quotes_heading"].format(date=", ".join(format_date(d, language) for d in days)) + ":"]
        for quote in topic.quotes:
            role = quote.speaker.role.get(lang, quote.speaker.role[DEFAULT_LANGUAGE])
            occasion = quote.occasion_label.get(lang, quote.occasion_label[DEFAULT_LANGUAGE])
            lines.append(f"• “{quote.text}”\n  — {quote.speaker.name}, {role}; {occasion}; "
                         f"{labels['said_on']} {format_date(quote.said_on, language)}.")
            if lang != DEFAULT_LANGUAGE and lang in quote.translations:
                lines.append(f"  {labels['unofficial_translation']}: “{quote.translations[lang]}”")
        quote_sources = {q.source.id: q.source for q in topic.quotes}
        for source in quote_sources.values():
            lines.append(f"{labels['source']}: {source_line(source, language)}")
        parts.append("\n".join(lines))
    if payload["resources"]:
        lines = [f"{labels['resources']}:"]
        lines += [f"• {r['name']}: {r['description']}" for r in payload["resources"]]
        parts.append("\n".join(lines))
    parts.append(labels["reviewed_on"].format(date=format_date(topic.reviewed_on, language)))
    parts.append(labels["disclaimer"])
    return Reply(text="\n\n".join(p for p in parts if p),
                 buttons=topic_buttons(store, topic.related, lang), payload=payload)


def fixed_reply(store: Store, intent: str, lang: str) -> Reply:
    """Greetings, capabilities, out of scope, legal advice, emergency, fallback."""
    language = store.language(lang)
    reply = store.replies.get(intent) or store.replies.get("nlu_fallback")
    key = reply.intent if reply else "nlu_fallback"
    text = language.messages.get(key) or store.language(DEFAULT_LANGUAGE).messages[key]
    return Reply(text=text, buttons=topic_buttons(store, reply.buttons if reply else (), language.code))


def message(store: Store, key: str, lang: str) -> str:
    language = store.language(lang)
    return language.messages.get(key) or store.language(DEFAULT_LANGUAGE).messages.get(key, "")


def follow_up(store: Store, kind: str, topic_id: Optional[str], lang: str) -> Reply:
    """Answer "who said that?", "when was that said?" or "tell me more" about
    the last topic answered."""
    language = store.language(lang)
    lang = language.code
    labels = language.labels
    topic = store.topics.get(topic_id or "")
    if topic is None:
        if kind == "when":  # with nothing answered yet, "how old is this?" is about the sources
            return answer_topic(store, "sources_and_dates", lang)
        return Reply(text=message(store, "no_topic_yet", lang),
                     buttons=topic_buttons(store, store.replies["greet"].buttons if "greet" in store.replies else (), lang))
    if kind == "who":
        lines = [labels["who_said"]]
        seen = set()
        for quote in topic.quotes:
            key = (quote.speaker.id, quote.occasion)
            if key in seen:
                continue
            seen.add(key)
            role = quote.speaker.role.get(lang, quote.speaker.role[DEFAULT_LANGUAGE])
            occasion = quote.occasion_label.get(lang, quote.occasion_label[DEFAULT_LANGUAGE])
            lines.append(f"• {quote.speaker.name}, {role} ({occasion}, {format_date(quote.said_on, language)})")
        sources = {q.source.id: q.source for q in topic.quotes}
        sources.update({s.id: s for u in topic.updates for s in u.sources})
        lines += [f"{labels['source']}: {source_line(s, language)}" for s in sources.values()]
        return Reply(text="\n".join(lines), buttons=topic_buttons(store, topic.related, lang))
    if kind == "when":
        dates = sorted({q.said_on for q in topic.quotes}) or sorted({u.date for u in topic.updates})
        latest = max((u.date for u in topic.updates), default=max(dates))
        text = labels["when_said"].format(
            dates=", ".join(format_date(d, language) for d in dates),
            latest=format_date(latest, language),
            reviewed=format_date(topic.reviewed_on, language))
        return Reply(text=f"{text}\n{labels['disclaimer']}", buttons=topic_buttons(store, ["sources_and_dates"], lang))
    lines = [labels["more"]]
    for tid in topic.related:
        related = store.topics[tid]
        summary = related.summary.get(lang, related.summary[DEFAULT_LANGUAGE])
        lines.append(f"• {related.title.get(lang, related.title[DEFAULT_LANGUAGE])} {first_sentence(summary)}")
    return Reply(text="\n".join(lines), buttons=topic_buttons(store, topic.related, lang))


def first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
