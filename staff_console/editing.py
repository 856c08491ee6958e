"""The console's editing rules, as plain functions of what they read: the
content repository, the live store, a draft, a form's values. The views
(staff_console.views) call them and turn their answers into pages; nothing
here reads the request or the session."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any, Dict, List, Mapping, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from policy_assistant import answers
from policy_assistant.store import DEFAULT_LANGUAGE, SOURCE_TEXTS, Store, StoreError, Topic
from staff_console import fields, limits
from staff_console.accounts import User
from staff_console.content_repo import Changes, ContentRepo, PublishError
from staff_console.drafts import IN_REVIEW, Draft

STALE_AFTER_DAYS = 180
CHANGED_SINCE_REVIEW = "changed since review"
# the texts a reviewer checks sentence by sentence, with the words staff read for them
REVIEWED_TEXTS = (("short", "In short"), ("summary", "In more detail"))


def language_names(store: Store | None) -> Dict[str, str]:
    """Language code -> its name, as the store lists them."""
    return {code: lang.name for code, lang in store.languages.items()} if store else {}


def is_editable(repo: ContentRepo, path: str) -> bool:
    """Only the store's YAML files are edited in the console."""
    return path.endswith(".yml") and path in repo.files()


def draft_text(repo: ContentRepo, draft: Draft | None, path: str) -> str | None:
    """A file's text as the draft has it, or its live text."""
    if draft is not None and path in draft.files:
        return draft.files[path]
    return repo.read(path)


def draft_problems(repo: ContentRepo, changes: Changes) -> List[str]:
    """What the store's own validator says of the live store with `changes`."""
    try:
        repo.load(changes)
    except StoreError as error:
        return error.problems
    except PublishError as error:
        return [str(error)]
    return []


def diffs(repo: ContentRepo, draft: Draft) -> List[Tuple[str, str]]:
    """Each file's diff from the live text; a file the draft removes
    shows as all removed lines."""
    result = []
    for path, text in sorted(draft.files.items()):
        old = repo.read(path) or ""
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            (text or "").splitlines(keepends=True),
            f"live/{path}",
            f"draft/{path}" if text is not None else "(removed)",
        )
        result.append((path, limits.capped_diff("".join(lines))))
    return result


def needs_attention(store: Store, today: dt.date) -> Tuple[List[Tuple[Any, str]], List[str], List[Any]]:
    """What the first page lists: topics to review (never reviewed, not
    reviewed for STALE_AFTER_DAYS, or whose texts or grounds changed since
    their review), with why; missing translations; and sources without a
    document's address."""
    stale = []
    for topic in sorted(store.topics.values(), key=lambda t: t.id):
        if topic.reviewed_on is None:
            stale.append((topic, "never reviewed"))
            continue
        why = [CHANGED_SINCE_REVIEW] if topic.changed_since_review() else []
        if why or (today - topic.reviewed_on).days > STALE_AFTER_DAYS:
            why.append(f"last reviewed {topic.reviewed_on.isoformat()}")
            stale.append((topic, "; ".join(why)))
    unverified = [s for s in store.sources.values() if s.url is None or s.url_scope != "document"]
    return stale, store.missing_translations, unverified


def language_rows(store: Store) -> List[Tuple[str, str, str, int, str]]:
    """Per language of the store: code, name, whether a native speaker checked
    its texts against the English as they stand, how many texts it lacks, and
    the version of its texts to check (store.texts_version())."""
    rows = []
    for code, language in store.languages.items():
        if code == DEFAULT_LANGUAGE:
            state = "the original texts"
        elif language.changed_since_checked:
            state = (
                f"checked by {language.checked_by} on {language.checked_on}, but its texts or the English changed "
                "since then: its answers say the changes are not yet checked"
            )
        elif language.checked:
            state = f"checked by {language.checked_by} on {language.checked_on}"
        else:
            state = "not yet checked by a native speaker: its answers say so, and offer the English answer"
        missing = sum(1 for line in store.missing_translations if f"no '{code}' translation" in line)
        rows.append((code, language.name, state, missing, store.texts_version(code)))
    return rows


def mark_checked(text: str, user: User, today: dt.date, version: str) -> str:
    """A language file's text, its texts checked by `user` (a native speaker)
    today, as they stand in the version `version` (store.texts_version()):
    when one of them, or an English text, changes after that, answers in the
    language say so."""
    doc = fields.load(text)
    doc["checked_by"] = user.public_name
    doc["checked_on"] = today
    doc["checked_version"] = version
    return fields.dump(doc, text)


def mark_reviewed(text: str, user: User, today: dt.date, version: str) -> str:
    """A topic file's text, reviewed by `user` today: the public reads the
    user's public name, never the user name. `version` is the fingerprint of
    the topic as reviewed (Topic.fingerprint()): when its texts or grounds
    change after that, answers say so."""
    doc = fields.load(text)
    doc["reviewed_by"] = user.public_name
    doc["reviewed_on"] = today
    doc["reviewed_version"] = version
    return fields.dump(doc, text)


def review_sections(store: Store, topic: Topic) -> List[Tuple[str, str, List[Tuple[str, List[Dict[str, Any]]]]]]:
    """What a topic's review page shows, per language of the store (code,
    name): for "In short" and "In more detail", each sentence with its grounds
    ready to show (policy_assistant.answers.grounds_payload)."""
    names = dict(REVIEWED_TEXTS)
    sections = []
    for code, name in language_names(store).items():
        payload = answers.grounds_payload(store, topic, tuple(names), code)
        sections.append((code, name, [(names[text], payload[text]) for text in names]))
    return sections


def quote_boxes(names: Mapping[str, str]) -> Dict[str, Tuple[str, int]]:
    """The new quote form's boxes: form name -> (label, limit)."""
    boxes = {
        "id": ("The id", limits.ID_MAX),
        "speaker": ("The speaker", limits.ID_MAX),
        "occasion": ("The occasion", limits.ID_MAX),
        "source": ("The source", limits.ID_MAX),
        "said_on": ("Said on", limits.FIELD_MAX["date"]),
        "text": ("The quote", limits.FIELD_MAX["long"]),
        "source_text": ("The source document's full text", limits.SOURCE_TEXT_MAX),
    }
    for code, name in names.items():
        boxes[f"context.{code}"] = (f"Context in {name}", limits.FIELD_MAX["long"])
        boxes[f"translation.{code}"] = (f"Translation into {name}", limits.FIELD_MAX["long"])
    return boxes


def new_quote_changes(
    repo: ContentRepo, store: Store, draft: Draft | None, form: Mapping[str, Any], topics: List[str]
) -> Tuple[Dict[str, str], List[str]]:
    """The files a new quote changes: quotes.yml, its source's text when
    given, and the topics that list it; or what is missing."""
    quote_id = str(form.get("id", "")).strip()
    source = str(form.get("source", "")).strip()
    text = str(form.get("text", "")).replace("\r\n", "\n").strip()
    if not quote_id or not source or not text:
        return {}, ["A quote needs an id, a source and its text."]
    if source not in store.sources:
        return {}, ["Choose one of the sources listed; add a new source on the sources page first."]
    quotes_text = draft_text(repo, draft, "quotes.yml") or ""
    doc = fields.load(quotes_text)
    doc["quotes"].append(quote_entry(form, quote_id, source, text, language_names(store)))
    changes = {"quotes.yml": fields.dump(doc, quotes_text)}
    document = str(form.get("source_text", "")).replace("\r\n", "\n")
    if document.strip():
        changes[f"{SOURCE_TEXTS}/{source}.txt"] = document if document.endswith("\n") else document + "\n"
    for topic_id in topics:
        path = f"topics/{topic_id}.yml"
        topic_text = draft_text(repo, draft, path)
        if topic_text is None:
            continue
        topic_doc = fields.load(topic_text)
        if not isinstance(topic_doc.get("quotes"), CommentedSeq):
            topic_doc["quotes"] = CommentedSeq()
        topic_doc["quotes"].append(quote_id)
        changes[path] = fields.dump(topic_doc, topic_text)
    return changes, []


def quote_entry(form: Mapping[str, Any], quote_id: str, source: str, text: str, names: Mapping[str, str]) -> Any:
    """The new quote as quotes.yml lists it (a ruamel CommentedMap)."""
    quote = CommentedMap()
    quote["id"] = quote_id
    for key in ("speaker", "occasion"):
        quote[key] = str(form.get(key, "")).strip()
    said_on = str(form.get("said_on", "")).strip()
    try:
        quote["said_on"] = dt.date.fromisoformat(said_on)
    except ValueError:
        quote["said_on"] = said_on
    quote["source"] = source
    context = {c: str(form.get(f"context.{c}", "")).strip() for c in names}
    if any(context.values()):
        quote["context"] = CommentedMap((c, v) for c, v in context.items() if v)
    quote["text"] = DoubleQuotedScalarString(text)
    translations = {c: str(form.get(f"translation.{c}", "")).strip() for c in names if c != "en"}
    quote["translations"] = CommentedMap((c, v) for c, v in translations.items() if v)
    return quote


def publish_refusal(user: User, draft: Draft, self_publish: bool) -> Tuple[int, str] | None:
    """Why `user` may not publish `draft` (status, words), or None."""
    if not user.publisher:
        return 403, "Only a publisher can do this."
    if draft.status != IN_REVIEW:
        return 409, "Only a draft whose author asked for review can be published."
    if draft.author == user.username and not self_publish:
        return 403, "You wrote this change, so another publisher must publish it."
    return None


def commit_message(draft: Draft, publisher: str, publisher_note: str) -> Tuple[str, str]:
    """The publish commit's (note, subject): the history keeps the author's
    note and the publisher's."""
    if publisher_note in ("", draft.note):
        note = draft.note
    else:
        note = f"{draft.note}\n\n{publisher}: {publisher_note}"
    return note, draft.subject or "Edit " + ", ".join(sorted(draft.files))


def note_refusal(label: str, note: str) -> str | None:
    """Why the note in the box `label` is refused (it is longer than a note
    takes), or None."""
    problem = limits.too_long(label, note, limits.NOTE_MAX)
    if problem:
        return f"Not done. {problem} Go back (your text is kept there), shorten it and try again."
    return None


def clean_note(text: str) -> str:
    """A note as it goes into the history: no control characters but new lines."""
    return "".join(ch for ch in text.replace("\r\n", "\n") if ch in "\n\t" or ch >= " ").strip()
