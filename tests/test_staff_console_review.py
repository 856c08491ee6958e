"""A topic's review page in the staff console, through Flask's test client
with the real answer store: each sentence of "In short" and "In more detail"
beside the text of what it rests on, in every language; marking it reviewed
there (into the draft, with the fingerprint of what was read); "changed since
review" on the first page and in the preview's review line once a sentence
changes after review; and the grounds box of the topic's edit page."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil

import pytest
from markupsafe import escape

from devtools.paths import STORE
from policy_assistant import answers
from policy_assistant.answers import grounds_payload, review_line
from policy_assistant.store import StoreError, load_store, store_files
from staff_console import fields
from staff_console.config import connect
from staff_console.drafts import Drafts
from tests.test_staff_console import (  # noqa: F401  app and config: the shared fixtures
    TOPIC,
    app,
    ask_review,
    config,
    csrf,
    draft_id,
    edit,
    live_text,
    mark_reviewed,
    publish,
    signed_in,
)

TOPIC_ID = "immigration_status"
REVIEW = f"/staff/topics/{TOPIC_ID}/review"


def shown(text: str) -> str:
    """A text as the page's HTML writes it (escaped as Jinja does)."""
    return str(escape(text))


def draft_file(config, client, path=TOPIC) -> str:
    return Drafts(connect(config.database)).get(draft_id(client)).files[path]


def grounds_box(page: str, name: str = "short") -> str:
    """What the edit page's grounds box of a text holds, as typed."""
    found = re.search(rf'<textarea id="f-grounds-{name}"[^>]*>([^<]*)</textarea>', page)
    assert found, f"no grounds box for {name}"
    return html.unescape(found.group(1))


# ---------------------------------------------------------------- the review page


def test_the_review_page_shows_each_sentence_beside_its_grounds_text_in_every_language(app, config):
    store = load_store(config.content)
    topic = store.topics[TOPIC_ID]
    page = signed_in(app, "ed").get(REVIEW).get_data(as_text=True)
    assert shown(topic.title.text("en")) in page
    for lang in store.languages:
        sentences = grounds_payload(store, topic, ("short", "summary"), lang)
        for text in ("short", "summary"):
            assert sentences[text], (lang, text)
            for item in sentences[text]:
                assert shown(item["sentence"]) in page, (lang, item["sentence"])
                for ground in item["grounds"]:
                    assert shown(ground["text"]) in page, (lang, ground["id"])
                    assert f"({ground['kind']} {ground['id']})" in page
                    for source in ground["sources"]:
                        assert f"<cite>{shown(source['title'])}</cite>, {shown(source['publisher'])}" in page
    # a sentence that reports what someone said names them
    reported = [
        item
        for lang in store.languages
        for text in grounds_payload(store, topic, ("short", "summary"), lang).values()
        for item in text
        if item["said_by"]
    ]
    assert reported, "immigration_status reports what the mayor said"
    assert f"Reports the words of {shown(', '.join(reported[0]['said_by']))}" in page
    # numbered, beside the ground's kind label
    assert '<th scope="row">1</th>' in page and "What it rests on" in page
    first_ground = grounds_payload(store, topic, ("short",), "es")["short"][0]["grounds"][0]
    assert f'<strong lang="es">{shown(first_ground["label"])}</strong>' in page


def test_the_review_page_is_linked_from_the_first_page_and_the_edit_page(app):
    ed = signed_in(app, "ed")
    assert f'href="{REVIEW}"' in ed.get("/staff/").get_data(as_text=True)
    edit_page = ed.get(f"/staff/edit/{TOPIC}").get_data(as_text=True)
    assert f'href="{REVIEW}"' in edit_page
    assert "/reviewed" not in edit_page  # marking reviewed is done on the review page only
    assert signed_in(app, "ed").get("/staff/topics/no_such_topic/review").status_code == 404


# ---------------------------------------------------------------- marking it reviewed


def test_mark_reviewed_writes_who_when_and_the_version_read_into_the_draft(app, config):
    live_before = live_text(config)
    ed = signed_in(app, "ed")
    response = mark_reviewed(ed)
    assert response.status_code == 302 and response.headers["Location"] == REVIEW
    assert "Marked &#39;immigration_status&#39; reviewed" in ed.get(REVIEW).get_data(as_text=True)
    text = draft_file(config, ed)
    fingerprint = load_store(config.content).topics[TOPIC_ID].fingerprint()
    assert re.search(r"^reviewed_by: liaison$", text, re.M)
    assert re.search(rf"^reviewed_on: {dt.date.today().isoformat()}$", text, re.M)
    assert re.search(rf"^reviewed_version: '?{fingerprint}'?$", text, re.M)
    assert live_text(config) == live_before  # in the draft only
    # the version is written by the review page only: the edit page has no box for it, and ignores one
    edit_page = ed.get(f"/staff/edit/{TOPIC}").get_data(as_text=True)
    assert 'name="f.reviewed_on"' in edit_page and "f.reviewed_version" not in edit_page
    assert edit(ed, TOPIC, {"f.reviewed_version": "0" * 16}).status_code == 200
    assert draft_file(config, ed) == text


def test_marking_reviewed_a_version_other_than_the_one_read_is_refused(app, config):
    ed = signed_in(app, "ed")
    page = ed.get(REVIEW).get_data(as_text=True)
    response = ed.post(f"/staff/topics/{TOPIC_ID}/reviewed", data={"csrf_token": csrf(page), "version": "0" * 16})
    assert response.status_code == 409 and "changed after you opened its review page" in response.get_data(as_text=True)
    assert "/staff/drafts/" not in ed.get("/staff/").get_data(as_text=True)  # nothing went into a draft


def test_a_sentence_changed_after_a_published_review_says_changed_since_review(app, config):
    ed, pub = signed_in(app, "ed"), signed_in(app, "pub")
    assert mark_reviewed(ed).status_code == 302
    ask_review(ed, draft_id(ed))
    assert publish(pub, draft_id(ed)).status_code == 302
    first_page = ed.get("/staff/").get_data(as_text=True)
    assert "(immigration_status): never reviewed" not in first_page
    assert "(immigration_status): changed since review" not in first_page
    reviewed = load_store(config.content)
    assert not reviewed.topics[TOPIC_ID].changed_since_review()

    # a sentence of "In short" changes; the preview of the draft already says so
    short = reviewed.topics[TOPIC_ID].short["en"]
    words = short.split(" ")
    n = next(i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) > 3)
    changed_short = " ".join([*words[:n], words[n].capitalize(), *words[n + 1 :]])  # same sentences, one word changed
    assert edit(ed, TOPIC, {"f.short.en": changed_short}).status_code == 200
    number = draft_id(ed)
    text_preview = ed.get(f"/staff/drafts/{number}/preview/{TOPIC_ID}/en/").get_data(as_text=True)
    web_preview = ed.get(f"/staff/drafts/{number}/preview/{TOPIC_ID}/en/web/preview.json").get_json()
    ask_review(ed, number)
    assert publish(pub, number).status_code == 302

    store = load_store(config.content)
    topic = store.topics[TOPIC_ID]
    assert topic.changed_since_review()
    expected = review_line(topic, store.language("en"))
    assert "changed since" in expected
    assert shown(expected) in text_preview
    assert web_preview["messages"][0]["custom"]["reviewed_text"] == expected
    first_page = ed.get("/staff/").get_data(as_text=True)
    assert f"(immigration_status): changed since review; last reviewed {dt.date.today().isoformat()}" in first_page
    assert "(changed since review)" in ed.get(REVIEW).get_data(as_text=True)


# ---------------------------------------------------------------- the grounds box


def test_the_grounds_box_round_trips_and_a_broken_id_is_refused_with_the_loaders_message(app, config, tmp_path):
    live_before = live_text(config)
    ed = signed_in(app, "ed")
    page = ed.get(f"/staff/edit/{TOPIC}").get_data(as_text=True)
    box = grounds_box(page)
    entries = fields.load(live_before)["grounds"]["short"]
    assert box == fields.grounds_text(entries) and len(box.splitlines()) == len(entries)
    assert "said_by:" in box  # the mayor's words are reported as his
    assert "Grounds of each sentence › In short" in page

    # typed back with other spacing and an empty line, nothing changes
    respaced = "\n\n".join(line.replace(", ", ",") for line in box.splitlines())
    assert edit(ed, TOPIC, {"f.grounds.short": respaced}).status_code == 200
    assert TOPIC not in Drafts(connect(config.database)).get(draft_id(ed)).files

    # a broken id: refused at publish, with the store loader's own words next to the box
    first_id = box.splitlines()[0].split(",")[0].strip()
    broken_box = box.replace(first_id, "no_such_ground", 1)
    response = edit(ed, TOPIC, {"f.grounds.short": broken_box})
    assert response.status_code == 422
    broken = draft_file(config, ed)
    copy = tmp_path / "store"
    shutil.copytree(config.content, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / TOPIC).write_text(broken, encoding="utf-8")
    with pytest.raises(StoreError) as refused:
        load_store(copy)
    words = [p.split(": ", 1)[1] for p in refused.value.problems if p.startswith(TOPIC)]
    assert words and "unknown ground 'no_such_ground'" in words[0]
    problem = re.search(r'id="f-grounds-short-problem">([^<]+)<', response.get_data(as_text=True))
    assert problem and html.unescape(problem.group(1)) == " ".join(words)
    assert grounds_box(response.get_data(as_text=True)) == broken_box
    assert live_text(config) == live_before

    # fixed, the draft is as live again
    assert edit(ed, TOPIC, {"f.grounds.short": box}).status_code == 200
    assert TOPIC not in Drafts(connect(config.database)).get(draft_id(ed)).files


def test_a_grounds_box_over_its_limit_is_refused_naming_the_box(app, config):
    ed = signed_in(app, "ed")
    response = edit(ed, TOPIC, {"f.grounds.summary": "timeline_2017_09_22_s4, " * 300})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Grounds of each sentence › Summary: at most 5,000 characters" in page
    assert "/staff/drafts/" not in ed.get("/staff/").get_data(as_text=True)  # nothing was saved


def test_grounds_are_one_line_per_sentence_and_back_as_plain_functions():
    text = "grounds:\n" "  short:\n" "    - [a_1, b]  # kept\n" "    - {ids: [c], said_by: [greenberg]}\n" "    - d\n"
    doc = fields.load(text)
    typed = fields.grounds_text(doc["grounds"]["short"])
    assert typed == "a_1, b\nc | said_by: greenberg\nd"
    changed = typed.rsplit("\n", 1)[0] + "\nd, e | fischer"
    assert fields.apply(doc, {"f.grounds.short": changed}) == ["grounds.short"]
    assert fields.dump(doc, text) == (
        "grounds:\n"
        "  short:\n"
        "    - [a_1, b]  # kept\n"
        "    - {ids: [c], said_by: [greenberg]}\n"
        "    - {ids: [d, e], said_by: [fischer]}\n"
    )
    # what the store cannot take is written as typed, for its loader to say what is wrong
    entries = fields.grounds_entries("x | who: y\n | said_by: z")
    assert [dict(e) for e in entries] == [{"ids": ["x"], "who": ["y"]}, {"ids": [], "said_by": ["z"]}]


def test_every_store_file_goes_through_its_form_unchanged():
    """The grounds boxes of topics, updates, quotes, resources and replies, and
    every other box, give back the file as it was when nothing is changed."""
    grounds_boxes = 0
    for path in (p for p in store_files(STORE) if p.suffix == ".yml"):
        text = path.read_text(encoding="utf-8")
        doc = fields.load(text)
        found = [f for group in fields.groups(doc) if not group.new for f in group.fields]
        grounds_boxes += sum(f.kind == "grounds" for f in found)
        assert fields.apply(doc, {f.name: f.value for f in found}) == [], path
        assert fields.dump(doc, text) == text, path
    assert grounds_boxes > 2 * len(list((STORE / "topics").glob("*.yml")))


# ---------------------------------------------------------------- a native speaker checks a language

LANGUAGES = "/staff/languages"


def test_a_native_speaker_marks_a_language_checked_and_its_answers_drop_the_notice(app, config):
    ed, pub = signed_in(app, "ed"), signed_in(app, "pub")
    page = ed.get(LANGUAGES).get_data(as_text=True)
    assert "Français (fr)" in page and "not yet checked by a native speaker" in page
    assert 'id="mark-checked-en"' not in page  # English is the original
    assert ed.post(f"{LANGUAGES}/en/checked", data={"csrf_token": csrf(page), "version": "x"}).status_code == 404
    # a version other than the one the page showed is refused
    stale = ed.post(f"{LANGUAGES}/fr/checked", data={"csrf_token": csrf(page), "version": "0" * 16})
    assert stale.status_code == 409 and "/staff/drafts/" not in ed.get("/staff/").get_data(as_text=True)
    version = load_store(config.content).texts_version("fr")
    response = ed.post(f"{LANGUAGES}/fr/checked", data={"csrf_token": csrf(page), "version": version})
    assert response.status_code == 302 and response.headers["Location"] == LANGUAGES
    text = draft_file(config, ed, "languages/fr.yml")
    assert re.search(r"^checked_by: liaison$", text, re.M)
    assert re.search(rf"^checked_on: {dt.date.today().isoformat()}$", text, re.M)
    assert re.search(rf"^checked_version: '?{version}'?$", text, re.M)
    # the edit page has no box for the version
    assert "f.checked_version" not in ed.get("/staff/edit/languages/fr.yml").get_data(as_text=True)
    ask_review(ed, draft_id(ed))
    assert publish(pub, draft_id(ed)).status_code == 302
    live = load_store(config.content)
    assert live.language("fr").checked and not live.language("es").checked
    assert "checked by liaison on" in ed.get(LANGUAGES).get_data(as_text=True)
    reply = answers.answer_topic(live, "home_visits", "fr")
    assert reply.payload["english_button"] is None and reply.payload["translation_notice"] == ""
