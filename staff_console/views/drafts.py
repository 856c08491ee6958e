"""A staff member's draft from first edit to publish: the field editor over a
store file, a topic's review page (each sentence beside its grounds) and
marking it reviewed there, a new quote, the draft's page with its
diffs and problems, previews as the web page and as text messages, asking for
review, discarding, and publishing (staff_console.drafts keeps the drafts,
staff_console.editing holds the rules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Tuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from policy_assistant import answers, phone_messages
from policy_assistant.store import DEFAULT_LANGUAGE, SOURCE_TEXTS, Store, StoreError, Topic
from staff_console import db, editing, fields, limits
from staff_console.content_repo import InvalidContent, Person, PublishError
from staff_console.drafts import Draft
from staff_console.views.auth import current_user, publisher_only, signed_in

WEBCHAT = Path(__file__).resolve().parent.parent.parent / "rasa_server" / "webchat"
WEB_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
}
bp = Blueprint("drafts", __name__, url_prefix="/staff")


def my_draft() -> Draft | None:
    """The signed-in user's draft still being written or reviewed."""
    return db.drafts().current(current_user().username)


def keep_in_draft(path: str, text: str) -> Draft:
    """Put a file's new text in the signed-in user's draft."""
    repo = db.console().repo
    return db.drafts().save_file(current_user().username, repo.head(), path, text, repo.read(path))


def viewable(draft_id: int) -> Draft:
    """The draft, if the signed-in user wrote it or is a publisher."""
    draft = db.drafts().get(draft_id)
    if draft is None or (draft.author != current_user().username and not current_user().publisher):
        abort(404)
    return draft


def form_note(label: str) -> str:
    """The form's note, refused when longer than a note takes."""
    note = request.form.get("note", "")
    refusal = editing.note_refusal(label, note)
    if refusal:
        abort(422, refusal)
    return editing.clean_note(note)


# ------------------------------------------------------------ editing


@bp.route("/edit/<path:path>", methods=["GET", "POST"])
@signed_in
def edit(path: str) -> Any:
    repo = db.console().repo
    if not editing.is_editable(repo, path):
        abort(404)
    names = editing.language_names(db.live_store())
    draft = my_draft()
    text = editing.draft_text(repo, draft, path) or ""
    doc = fields.load(text)
    status, saved, other_problems = 200, False, []
    if request.method == "POST":
        found = fields.groups(doc, names, title=path)
        too_long = fields.too_long(found, request.form)
        if too_long:  # nothing is saved; each box keeps what was typed
            fields.keep_typed(found, request.form)
            return edit_page(path, found, draft, refused=too_long), 422
        fields.apply(doc, request.form)
        text = fields.dump(doc, text)
        draft = keep_in_draft(path, text)
        saved = True
        doc = fields.load(text)
    found = fields.groups(doc, names, title=path)
    if draft is not None and draft.files:
        other_problems = fields.place(editing.draft_problems(repo, draft.files), path, found)
        if any(f.problems for grp in found for f in grp.fields) or other_problems:
            status = 422 if saved else 200
    return edit_page(path, found, draft, saved=saved, other_problems=other_problems), status


def edit_page(path: str, found: List[fields.Group], draft: Draft | None, **shown: Any) -> str:
    topic = path[len("topics/") : -len(".yml")] if path.startswith("topics/") else None
    return render_template("edit.html", path=path, groups=found, draft=draft, topic=topic, **shown)


def reviewed_store() -> Store:
    """The store a reviewer reads: with the signed-in user's draft, since
    marking a topic reviewed goes into that draft."""
    draft = my_draft()
    return store_with(
        draft.files if draft is not None else {},
        "Your draft has problems to fix before a topic can be reviewed: open it from the first page.",
    )


def reviewed_topic(topic_id: str) -> Tuple[Store, Topic, str]:
    """The store, the topic as the user's draft has it, and its file."""
    repo, path = db.console().repo, f"topics/{topic_id}.yml"
    if not editing.is_editable(repo, path):
        abort(404)
    store = reviewed_store()
    if topic_id not in store.topics:
        abort(404)
    return store, store.topics[topic_id], path


@bp.route("/topics/<topic_id>/review")
@signed_in
def review(topic_id: str) -> Any:
    """Each sentence of the topic's short answer and summary, in every
    language, beside the text of what it rests on; and marking it reviewed."""
    store, topic, path = reviewed_topic(topic_id)
    draft = my_draft()
    return render_template(
        "review.html",
        topic=topic,
        path=path,
        sections=editing.review_sections(store, topic),
        review_line=answers.review_line(topic, store.language("en")),
        changed=topic.changed_since_review(),
        version=topic.fingerprint(),
        draft=draft if draft is not None and draft.files else None,
    )


@bp.route("/topics/<topic_id>/reviewed", methods=["POST"])
@signed_in
def mark_reviewed(topic_id: str) -> Any:
    """Mark the topic reviewed in the user's draft, with the fingerprint of
    the version the review page showed (refused if it changed since)."""
    store, topic, path = reviewed_topic(topic_id)
    version = topic.fingerprint()
    if request.form.get("version") != version:
        abort(409, "The topic changed after you opened its review page. Open the review page again and check it.")
    text = editing.draft_text(db.console().repo, my_draft(), path) or ""
    keep_in_draft(path, editing.mark_reviewed(text, current_user(), dt.date.today(), version))
    name = current_user().public_name
    flash(f"Marked '{topic_id}' reviewed by '{name}' today, in your draft. It shows once published.")
    return redirect(url_for("drafts.review", topic_id=topic_id))


@bp.route("/languages")
@signed_in
def languages() -> Any:
    """Per language: whether a native speaker checked its texts, and what it
    lacks; and marking a language checked (a native speaker's account)."""
    store = reviewed_store()
    return render_template(
        "languages.html",
        rows=editing.language_rows(store),
        default=DEFAULT_LANGUAGE,
    )


@bp.route("/languages/<code>/checked", methods=["POST"])
@signed_in
def mark_checked(code: str) -> Any:
    """Mark the language's texts checked by the signed-in native speaker, in
    their draft, against the English the languages page showed (refused if it
    changed since)."""
    store, path = reviewed_store(), f"languages/{code}.yml"
    if code == DEFAULT_LANGUAGE or code not in store.languages or not editing.is_editable(db.console().repo, path):
        abort(404)
    version = store.texts_version(code)
    if request.form.get("version") != version:
        abort(409, "A text changed after you opened the languages page. Open it again and check the changes.")
    text = editing.draft_text(db.console().repo, my_draft(), path) or ""
    keep_in_draft(path, editing.mark_checked(text, current_user(), dt.date.today(), version))
    name = current_user().public_name
    language = store.languages[code].name
    flash(f"Marked the {language} texts checked by '{name}' today, in your draft. It shows once published.")
    return redirect(url_for("drafts.languages"))


@bp.route("/quotes/new", methods=["GET", "POST"])
@signed_in
def new_quote() -> Any:
    repo, store = db.console().repo, db.live_store()
    if store is None:
        abort(503)
    form: Dict[str, Any] = dict(request.form.items()) if request.method == "POST" else {}
    problems: List[str] = []
    if request.method == "POST":
        problems = limits.too_long_boxes(request.form, editing.quote_boxes(editing.language_names(store)))
        if not problems:
            changes, problems = editing.new_quote_changes(repo, store, my_draft(), form, request.form.getlist("topics"))
        if not problems:
            draft = my_draft()
            all_changes = {**(draft.files if draft else {}), **changes}
            problems = [p.split(": ", 1)[-1] for p in editing.draft_problems(repo, all_changes)]
        if not problems:
            for path, text in changes.items():
                keep_in_draft(path, text)
            flash(f"Added the quote '{form['id']}' to your draft.")
            return redirect(url_for("drafts.draft_page", draft_id=my_draft().id))  # type: ignore[union-attr]
    source_texts = {s: repo.read(f"{SOURCE_TEXTS}/{s}.txt") is not None for s in store.sources}
    return render_template(
        "new_quote.html",
        store=store,
        form=form,
        chosen=request.form.getlist("topics"),
        problems=problems,
        source_texts=source_texts,
    ), (422 if problems else 200)


# ------------------------------------------------------------ the draft, review, publishing


def draft_view(draft: Draft, problems: List[str], status: int = 200) -> Any:
    store = db.live_store()
    refusal = editing.publish_refusal(current_user(), draft, db.console().config.self_publish)
    return render_template(
        "draft.html",
        draft=draft,
        diffs=editing.diffs(db.console().repo, draft),
        problems=problems,
        topics=sorted(store.topics) if store else [],
        languages=editing.language_names(store),
        can_publish=refusal is None,
        refusal=refusal[1] if refusal else "",
    ), status


@bp.route("/drafts/<int:draft_id>")
@signed_in
def draft_page(draft_id: int) -> Any:
    draft = viewable(draft_id)
    return draft_view(draft, editing.draft_problems(db.console().repo, draft.files) if draft.editable else [])


@bp.route("/drafts/<int:draft_id>/review", methods=["POST"])
@signed_in
def ask_review(draft_id: int) -> Any:
    draft = viewable(draft_id)
    if draft.author != current_user().username or not draft.editable:
        abort(403)
    db.drafts().ask_review(draft, form_note("The note for the publisher"))
    flash("Your draft is waiting for a publisher.")
    return redirect(url_for("drafts.draft_page", draft_id=draft_id))


@bp.route("/drafts/<int:draft_id>/discard", methods=["POST"])
@signed_in
def discard(draft_id: int) -> Any:
    draft = viewable(draft_id)
    if not draft.editable:
        abort(409)
    db.drafts().discard(draft)
    flash("The draft was discarded. The live answers did not change.")
    return redirect(url_for("home.index"))


@bp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
@signed_in
def publish(draft_id: int) -> Any:
    publisher_only()
    draft = viewable(draft_id)
    publisher = current_user().username
    refusal = editing.publish_refusal(current_user(), draft, db.console().config.self_publish)
    if refusal is not None:
        abort(*refusal)
    if request.form.get("version") != draft.version:
        abort(409, "The draft changed after you opened it. Open it again and read the changes before publishing.")
    note, subject = editing.commit_message(draft, publisher, form_note("Your note as publisher"))
    try:
        sha = db.console().repo.publish(draft.files, Person(draft.author), Person(publisher), note, subject, draft.base)
    except InvalidContent as error:
        flash(str(error))
        return draft_view(draft, error.problems, 422)
    except PublishError as error:
        flash(str(error))
        return redirect(url_for("drafts.draft_page", draft_id=draft_id)), 303
    db.drafts().published(draft, publisher, sha)
    flash("Published. The assistant answers with it now.")
    return redirect(url_for("history.index"))


# ------------------------------------------------------------ previews


def store_with(changes: Dict[str, str | None], problem: str) -> Store:
    """The live store with a draft's changes, or a 422 page saying `problem`."""
    try:
        return db.console().repo.load(changes)
    except StoreError:
        abort(422, problem)


def preview_store(draft_id: int) -> Store:
    """The store as it will be once the draft is published (draft 0: the live store)."""
    return store_with(
        viewable(draft_id).files if draft_id else {}, "This draft has problems to fix before it can be previewed."
    )


@bp.route("/drafts/<int:draft_id>/preview/<topic_id>/<lang>/")
@signed_in
def preview(draft_id: int, topic_id: str, lang: str) -> Any:
    """The answer as text messages on a phone, and the web page's answer in a frame."""
    store = preview_store(draft_id)
    if topic_id not in store.topics or lang not in store.languages:
        abort(404)
    reply = answers.answer_topic(store, topic_id, lang)
    texts = phone_messages.topic_messages(store, topic_id, lang)
    said: List[Tuple[str, List[Dict[str, str]]]] = [(t, []) for t in texts[:-1]]
    said.append((texts[-1], reply.buttons))
    return render_template(
        "preview.html",
        draft_id=draft_id,
        topic=topic_id,
        lang=lang,
        language=store.languages[lang].name,
        phone=phone_messages.outgoing(said),
    )


@bp.route("/drafts/<int:draft_id>/preview/<topic_id>/<lang>/web/", defaults={"name": ""})
@bp.route("/drafts/<int:draft_id>/preview/<topic_id>/<lang>/web/<name>")
@signed_in
def preview_web(draft_id: int, topic_id: str, lang: str, name: str) -> Any:
    """The community page itself (rasa_server/webchat/), showing the draft's answer."""
    if name in WEB_FILES:
        filename, content_type = WEB_FILES[name]
        return Response((WEBCHAT / filename).read_bytes(), content_type=content_type)
    store = preview_store(draft_id)
    if name == "strings.json":
        return answers.page_strings(store)
    if name == "preview.json" and topic_id in store.topics and lang in store.languages:
        reply = answers.answer_topic(store, topic_id, lang)
        return {"language": lang, "messages": [{"custom": answers.web_message(reply)}]}
    abort(404)
