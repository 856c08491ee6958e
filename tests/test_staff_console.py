"""The staff console through Flask's test client: the real application, a real
content repository (git) made from the real answer store, the store's own
validator. The browser test (test_staff_console_browser.py) runs the same
flow against the running servers."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters, profiles

from devtools.paths import STORE
from policy_assistant import server_texts
from policy_assistant.store import load_store
from staff_console import accounts as accounts_module
from staff_console.accounts import Accounts, User
from staff_console.app import create_app
from staff_console.config import Config, connect
from staff_console.content_repo import ContentRepo, Person
from staff_console.drafts import IN_REVIEW, OPEN, Draft, Drafts
from staff_console.editing import clean_note, commit_message, publish_refusal
from staff_console.replica_sync import sync_once
from tests.conftest import SHIPPED_HASHER

PASSWORDS = {"ed": "editor-password-1", "pub": "publisher-password-1", "pub2": "publisher-password-2"}
TOPIC = "topics/immigration_status.yml"
NEW_SUMMARY = "A short new summary written in the staff console."
# every sentence names its grounds in every language (answer_store/README.md, "Grounds"): a
# summary of one sentence comes with one in Spanish and one line in the topic's grounds box
NEW_SUMMARY_EDIT = {
    # a summary of one sentence in every language (every language's text has
    # as many sentences as its grounds: the other languages' one sentence stands in)
    **{f"f.summary.{code}": f"A new short summary ({code})." for code in load_store(STORE).languages},
    "f.summary.en": NEW_SUMMARY,
    "f.summary.es": "Un resumen nuevo y corto, escrito en la consola del personal.",
    "f.summary.fr": "Un résumé nouveau et court, écrit dans la console du personnel.",
    "f.grounds.summary": "police_not_ice",
}


def make_config(tmp_path: Path, **changes) -> Config:
    values = {
        "host": "127.0.0.1",
        "port": 0,
        "content": tmp_path / "content",
        "project_store": STORE,
        "database": tmp_path / "staff.sqlite3",
        "secret_key": "a3f9c2e17b5d48f0c6e2a91d7b3f5e08c4d2b6a1f9e7c3d5",  # random: the console refuses weak keys
        "session_minutes": 30,
        "self_publish": False,
        "behind_proxy": False,
        **changes,
    }
    return Config(**values)


def prepared_config(tmp_path: Path, **changes) -> Config:
    """A content repository made from the real answer store, and three accounts."""
    config = make_config(tmp_path, **changes)
    ContentRepo(config.content, config.server_texts).ensure(STORE)
    accounts = Accounts(connect(config.database))
    accounts.save("ed", "editor", PASSWORDS["ed"])
    accounts.save("pub", "publisher", PASSWORDS["pub"])
    accounts.save("pub2", "publisher", PASSWORDS["pub2"])
    return config


@pytest.fixture
def config(tmp_path):
    return prepared_config(tmp_path)


@pytest.fixture
def app(config):
    return create_app(config)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, name):
    client = app.test_client()
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    response = client.post("/staff/sign-in", data={"csrf_token": token, "username": name, "password": PASSWORDS[name]})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/", response.status_code
    return client


def token_of(client, path="/staff/"):
    return csrf(client.get(path).get_data(as_text=True))


def edit(client, path, values):
    return client.post(f"/staff/edit/{path}", data={"csrf_token": token_of(client), **values})


def draft_id(client) -> int:
    return int(re.search(r"/staff/drafts/(\d+)", client.get("/staff/").get_data(as_text=True)).group(1))


def ask_review(author, number, note="Please check"):
    response = author.post(f"/staff/drafts/{number}/review", data={"csrf_token": token_of(author), "note": note})
    assert response.status_code == 302


def publish(publisher, number, note=""):
    """Publish as a publisher does: from the draft page, naming the version read there."""
    page = publisher.get(f"/staff/drafts/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page)
    data = {"csrf_token": csrf(page), "note": note, "version": version.group(1) if version else ""}
    return publisher.post(f"/staff/drafts/{number}/publish", data=data)


def mark_reviewed(client, topic_id="immigration_status"):
    """Mark a topic reviewed as staff do: on its review page, which names the version read there."""
    page = client.get(f"/staff/topics/{topic_id}/review").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    return client.post(f"/staff/topics/{topic_id}/reviewed", data={"csrf_token": csrf(page), "version": version})


def live_text(config, path=TOPIC) -> str:
    return (config.content / path).read_text(encoding="utf-8")


# ---------------------------------------------------------------- signing in


def test_without_a_session_pages_redirect_to_sign_in_and_changes_are_refused(app, config):
    client = app.test_client()
    pages = ("/staff/", "/staff/history", f"/staff/edit/{TOPIC}", "/staff/drafts/1", "/staff/quotes/new")
    for page in (*pages, "/staff/topics/immigration_status/review"):
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith("/staff/sign-in?next="), page
    before = live_text(config)
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))  # a real token, but no session
    for change in (f"/staff/edit/{TOPIC}", "/staff/drafts/1/publish", "/staff/topics/immigration_status/reviewed"):
        response = client.post(change, data={"csrf_token": token, "f.summary.en": "x"})
        assert response.status_code == 403, change
    assert live_text(config) == before


def test_a_wrong_password_is_refused_and_repeated_failures_are_slowed_down(app):
    client = app.test_client()
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    for _ in range(3):
        response = client.post("/staff/sign-in", data={"csrf_token": token, "username": "ed", "password": "wrong"})
        assert response.status_code == 401
        assert "do not match" in response.get_data(as_text=True)
    # the fourth try is refused without checking, even with the right password
    right = {"csrf_token": token, "username": "ed", "password": PASSWORDS["ed"]}
    response = client.post("/staff/sign-in", data=right)
    assert response.status_code == 429 and "Try again in" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_session_cookie_is_httponly_samesite_strict_and_secure_over_tls(app):
    client = app.test_client()
    response = client.get("/staff/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie
    tls = app.test_client().get("/staff/sign-in", base_url="https://console.example")
    assert "Secure" in tls.headers["Set-Cookie"]


def test_passwords_are_stored_only_as_argon2id_hashes(config):
    with sqlite3.connect(config.database) as db:
        rows = db.execute("SELECT password_hash FROM users").fetchall()
    assert rows and all(h.startswith("$argon2id$") for (h,) in rows)
    content = config.database.read_bytes()
    assert not any(p.encode() in content for p in PASSWORDS.values())


@pytest.mark.shipped_hasher
def test_the_shipped_hasher_stores_argon2id_with_the_recommended_parameters_and_signs_in(tmp_path):
    """Every other unit test hashes with the tests' cheap parameters (tests/conftest.py)."""
    assert accounts_module.hasher is SHIPPED_HASHER
    db = connect(tmp_path / "staff.sqlite3")
    staff = Accounts(db)
    staff.save("ed", "editor", PASSWORDS["ed"])
    (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
    assert staff.sign_in("ed", PASSWORDS["ed"], "10.0.0.1") is not None
    assert staff.sign_in("ed", PASSWORDS["pub"], "10.0.0.1") is None


def test_a_hash_with_other_parameters_is_replaced_at_the_next_sign_in(tmp_path, monkeypatch):
    """As when the recommended parameters change: the password is hashed again with the console's."""
    db = connect(tmp_path / "staff.sqlite3")
    staff = Accounts(db)
    staff.save("ed", "editor", PASSWORDS["ed"])
    (before,) = db.execute("SELECT password_hash FROM users").fetchone()
    stronger = PasswordHasher.from_parameters(replace(profiles.CHEAPEST, time_cost=2))
    monkeypatch.setattr(accounts_module, "hasher", stronger)
    assert staff.sign_in("ed", PASSWORDS["ed"], "10.0.0.1") is not None
    (after,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert extract_parameters(before).time_cost == 1 and extract_parameters(after).time_cost == 2


def test_a_session_ends_after_inactivity(app, config, monkeypatch):
    client = signed_in(app, "ed")
    assert client.get("/staff/").status_code == 200
    later = time.time() + (config.session_minutes + 1) * 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app):
    client = signed_in(app, "ed")
    copy = app.test_client()
    copy.set_cookie("staff_session", client.get_cookie("staff_session", path="/staff").value, path="/staff")
    assert copy.get("/staff/").status_code == 200
    client.post("/staff/sign-out", data={"csrf_token": token_of(client)})
    assert copy.get("/staff/").status_code == 302


# ---------------------------------------------------------------- editing, review, publishing


def test_a_change_without_a_csrf_token_is_refused(app, config):
    client = signed_in(app, "ed")
    response = client.post(f"/staff/edit/{TOPIC}", data={"f.summary.en": NEW_SUMMARY})
    assert response.status_code == 400 and "did not come from the console" in response.get_data(as_text=True)
    assert "/staff/drafts/" not in client.get("/staff/").get_data(as_text=True)


def test_edit_preview_review_publish_and_revert(app, config):
    before = live_text(config)
    ed = signed_in(app, "ed")
    response = edit(ed, TOPIC, NEW_SUMMARY_EDIT)
    assert response.status_code == 200 and "Saved in your draft" in response.get_data(as_text=True)
    assert live_text(config) == before  # a draft: nobody else sees it
    number = draft_id(ed)
    page = ed.get(f"/staff/drafts/{number}").get_data(as_text=True)
    assert NEW_SUMMARY in page and "Publish</button>" not in page  # an editor cannot publish
    preview = ed.get(f"/staff/drafts/{number}/preview/immigration_status/en/web/preview.json").get_json()
    assert preview["messages"][0]["custom"]["summary"] == NEW_SUMMARY
    text = ed.get(f"/staff/drafts/{number}/preview/immigration_status/es/").get_data(as_text=True)
    # and as a text message shows it: the short answer, then what to reply and the options
    assert "Responda MAS para más detalles" in text and "Message 2 of 2" in text
    ask_review(ed, number, "Shorter summary")
    assert publish(ed, number).status_code == 403

    pub = signed_in(app, "pub")
    assert f"Draft {number}</a> by ed: in review" in pub.get("/staff/").get_data(as_text=True)
    response = publish(pub, number, "Checked")
    assert response.status_code == 302
    assert NEW_SUMMARY in live_text(config)
    assert load_store(config.content).topics["immigration_status"].summary["en"] == NEW_SUMMARY

    history = pub.get("/staff/history").get_data(as_text=True)
    assert "Written by <strong>ed</strong>, published by <strong>pub</strong>" in history
    assert "Checked" in history and f"+    {NEW_SUMMARY}" in history
    log = ContentRepo(config.content).git("log", "-1", "--format=%an|%cn|%B")
    assert log.startswith("ed|pub|Edit topics/immigration_status.yml")

    # undoing it is a draft of pub's that another publisher publishes
    sha = ContentRepo(config.content).head()
    response = pub.post(f"/staff/history/{sha}/revert", data={"csrf_token": token_of(pub), "note": "Back"})
    assert response.status_code == 302 and NEW_SUMMARY in live_text(config)
    assert publish(signed_in(app, "pub2"), draft_id(pub)).status_code == 302
    assert live_text(config) == before
    assert ContentRepo(config.content).git("log", "-1", "--format=%an|%cn|%s").startswith("pub|pub2|Undo")


def test_a_publisher_cannot_publish_their_own_draft_unless_configured(app, config, tmp_path):
    pub = signed_in(app, "pub")
    edit(pub, TOPIC, NEW_SUMMARY_EDIT)
    number = draft_id(pub)
    ask_review(pub, number)
    assert "another publisher must publish it" in pub.get(f"/staff/drafts/{number}").get_data(as_text=True)
    version = Drafts(connect(config.database)).get(number).version
    response = pub.post(
        f"/staff/drafts/{number}/publish", data={"csrf_token": token_of(pub), "version": version, "note": ""}
    )
    assert response.status_code == 403 and "another publisher must publish it" in response.get_data(as_text=True)
    assert NEW_SUMMARY not in live_text(config)
    # a small office allows it
    small_office = create_app(make_config(tmp_path, self_publish=True))
    pub = signed_in(small_office, "pub")
    response = publish(pub, number)
    assert response.status_code == 302 and NEW_SUMMARY in live_text(config)


def test_only_the_version_the_publisher_read_after_review_is_published(app, config):
    ed, pub = signed_in(app, "ed"), signed_in(app, "pub")
    edit(ed, TOPIC, NEW_SUMMARY_EDIT)
    number = draft_id(ed)
    assert publish(pub, number).status_code == 409  # the author has not asked for review
    ask_review(ed, number)
    page = pub.get(f"/staff/drafts/{number}").get_data(as_text=True)
    read_version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    edit(ed, TOPIC, {"f.summary.en": "Changed after the publisher read it."})  # back to open
    ask_review(ed, number)
    response = pub.post(
        f"/staff/drafts/{number}/publish", data={"csrf_token": csrf(page), "version": read_version, "note": ""}
    )
    assert response.status_code == 409 and "changed after you opened it" in response.get_data(as_text=True)
    assert "Changed after" not in live_text(config)
    assert publish(pub, number).status_code == 302  # once read again
    assert "Changed after the publisher read it." in live_text(config)


def test_a_broken_edit_is_shown_next_to_its_field_and_never_reaches_the_live_store(app, config):
    before = live_text(config)
    ed = signed_in(app, "ed")
    response = edit(ed, TOPIC, {"f.short.en": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    problem = re.search(r'id="f-short-en-problem">([^<]+)<', page)
    assert problem and "short" in problem.group(1).lower(), page[:3000]
    number = draft_id(ed)
    ask_review(ed, number)
    pub = signed_in(app, "pub")
    response = publish(pub, number)
    assert response.status_code == 422 and "answers would be broken" in response.get_data(as_text=True)
    assert live_text(config) == before
    assert len(ContentRepo(config.content).history()) == 1


def test_marking_a_topic_reviewed_records_who_and_when(app, config):
    ed = signed_in(app, "ed")
    assert mark_reviewed(ed).status_code == 302
    ask_review(ed, draft_id(ed))
    assert publish(signed_in(app, "pub"), draft_id(ed)).status_code == 302
    topic = load_store(config.content).topics["immigration_status"]
    # ed has no display name: the public reads the role, never the user name
    assert topic.reviewed_by == "liaison" and topic.reviewed_on == dt.date.today()


# ---------------------------------------------------------------- new quotes and their sources


def new_quote(client, text, source_text=""):
    return client.post(
        "/staff/quotes/new",
        data={
            "csrf_token": token_of(client),
            "id": "conrad_console_test",
            "speaker": "conrad",
            "occasion": "reporters",
            "said_on": "2017-09-07",
            "source": "kycir_2017_09_07",
            "text": text,
            "translation.es": "Traducción de prueba.",
            "source_text": source_text,
            "topics": ["immigration_status"],
        },
    )


def test_a_quote_not_in_its_source_text_is_refused(app, config):
    ed = signed_in(app, "ed")
    response = new_quote(ed, "We will help everyone.")  # no text of that source on file
    assert response.status_code == 422
    assert "no text of its source" in response.get_data(as_text=True)
    response = new_quote(ed, "We will help everyone.", "The chief said: we will help almost everyone.\n")
    assert response.status_code == 422
    assert "character for character" in response.get_data(as_text=True)
    assert "/staff/drafts/" not in ed.get("/staff/").get_data(as_text=True)  # nothing was added


def test_a_quote_found_in_its_source_text_is_published_with_that_text(app, config):
    ed = signed_in(app, "ed")
    source = "KyCIR report.\nThe chief said: “we will help everyone who calls.”\n"
    response = new_quote(ed, "we will help everyone who calls.", source)
    assert response.status_code == 302
    ask_review(ed, draft_id(ed))
    assert publish(signed_in(app, "pub"), draft_id(ed)).status_code == 302
    store = load_store(config.content)
    assert store.quotes["conrad_console_test"].text == "we will help everyone who calls."
    assert "conrad_console_test" in [q.id for q in store.topics["immigration_status"].quotes]
    assert (config.content / "source_texts" / "kycir_2017_09_07.txt").read_text(encoding="utf-8") == source


# ---------------------------------------------------------------- the first page


def test_the_first_page_shows_what_needs_attention(app, config):
    page = signed_in(app, "ed").get("/staff/").get_data(as_text=True)
    assert "immigration_status): never reviewed" in page
    assert "insider_louisville_rotary): no address" in page
    # the dashboard's counts: tests/test_dashboard.py


# ---------------------------------------------------------------- the content repository


def test_changes_to_the_projects_answer_store_are_merged_with_staff_publishes(tmp_path):
    project = tmp_path / "project_store"
    shutil.copytree(STORE, project)
    repo = ContentRepo(tmp_path / "content")
    repo.ensure(project)
    assert repo.ensure(project) == []  # nothing changed
    staff_text = (
        (repo.path / TOPIC).read_text(encoding="utf-8").replace("A 2017 city law says", "A city law of 2017 says")
    )
    repo.publish({TOPIC: staff_text}, Person("ed"), Person("pub"), "staff words", "Edit")
    summary = project / "topics" / "traffic_stops.yml"
    summary.write_text(summary.read_text(encoding="utf-8").replace("traffic", "Traffic", 1), encoding="utf-8")
    assert repo.ensure(project) == ["Merged the changes of the project's answer_store/ into the live content"]
    assert "A city law of 2017 says" in (repo.path / TOPIC).read_text(encoding="utf-8")
    assert (repo.path / "topics" / "traffic_stops.yml").read_text(encoding="utf-8") == summary.read_text("utf-8")


def test_a_publish_reaches_a_replica(tmp_path):
    repo = ContentRepo(tmp_path / "content")
    repo.ensure(STORE)
    replica = tmp_path / "replica"
    assert sync_once(str(repo.path), replica)
    assert not sync_once(str(repo.path), replica)  # nothing new
    changed = (repo.path / TOPIC).read_text(encoding="utf-8").replace("A 2017 city law says", "A 2017 law says")
    repo.publish({TOPIC: changed}, Person("ed"), Person("pub"), "note", "Edit")
    assert sync_once(str(repo.path), replica)
    assert (replica / TOPIC).read_text(encoding="utf-8") == changed


def test_preparing_and_every_publish_write_the_rasa_servers_texts_from_the_live_answers(tmp_path):
    config = prepared_config(tmp_path, server_texts=tmp_path / "texts" / "server_texts.json")
    busy = load_store(STORE).language("es").messages["busy"]
    written = server_texts.read(config.server_texts)
    assert written is not None and written.message("busy", "es") == busy  # written when the console prepared
    app = create_app(config)
    ed = signed_in(app, "ed")
    assert edit(ed, "languages/es.yml", {"f.messages.busy": "Un momento, por favor."}).status_code == 200
    ask_review(ed, draft_id(ed))
    assert server_texts.read(config.server_texts).message("busy", "es") == busy  # a draft changes nothing
    assert publish(signed_in(app, "pub"), draft_id(ed)).status_code == 302
    assert server_texts.read(config.server_texts).message("busy", "es") == "Un momento, por favor."


def test_a_rasa_servers_replica_writes_its_texts_from_its_clone(tmp_path):
    from staff_console.replica_sync import main as sync_main

    repo = ContentRepo(tmp_path / "content")
    repo.ensure(STORE)
    texts = tmp_path / "answers" / "server_texts.json"
    sync = ["--origin", str(repo.path), "--into", str(tmp_path / "answers" / "content"), "--server-texts", str(texts)]
    assert sync_main([*sync, "--once"]) == 0
    assert server_texts.read(texts).message("stopped", "es") == load_store(STORE).language("es").messages["stopped"]
    path = "languages/es.yml"
    changed = repo.read(path).replace("  stopped: Listo.", "  stopped: Hecho.", 1)
    repo.publish({path: changed}, Person("ed"), Person("pub"), "note", "Edit")
    assert sync_main([*sync, "--once"]) == 0
    assert server_texts.read(texts).message("stopped", "es").startswith("Hecho. ")


# ---------------------------------------------------------------- found in review


def test_a_replica_that_cannot_clone_says_so_in_its_exit_status(tmp_path):
    """An init container waits on `--once`: it must fail when there is nothing to serve."""
    from staff_console.replica_sync import main as sync_main

    assert sync_main(["--origin", str(tmp_path / "nowhere"), "--into", str(tmp_path / "replica"), "--once"]) == 1
    repo = ContentRepo(tmp_path / "content")
    repo.ensure(STORE)
    assert sync_main(["--origin", str(repo.path), "--into", str(tmp_path / "replica"), "--once"]) == 0


def test_signing_in_and_publishing_work_over_tls_behind_a_proxy(tmp_path, config):
    app = create_app(make_config(tmp_path, behind_proxy=True))
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/staff/sign-in"}
    page = client.get("/staff/sign-in", headers=https)
    assert page.headers["Referrer-Policy"] == "same-origin" and "Secure" in page.headers["Set-Cookie"]
    token = csrf(page.get_data(as_text=True))
    response = client.post(
        "/staff/sign-in", data={"csrf_token": token, "username": "ed", "password": PASSWORDS["ed"]}, headers=https
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"


def test_a_note_with_control_characters_keeps_the_history_readable(app, config):
    ed = signed_in(app, "ed")
    edit(ed, TOPIC, NEW_SUMMARY_EDIT)
    ask_review(ed, draft_id(ed), "odd\x1fnote\x1e\x00")
    assert publish(signed_in(app, "pub"), draft_id(ed), "more\x1f\x1e").status_code == 302
    history = signed_in(app, "pub").get("/staff/history")
    assert history.status_code == 200
    assert "oddnote" in history.get_data(as_text=True) and "pub: more" in history.get_data(as_text=True)


def test_a_quote_source_that_is_not_a_known_source_is_refused_without_touching_files(app, config):
    ed = signed_in(app, "ed")
    response = ed.post(
        "/staff/quotes/new",
        data={
            "csrf_token": token_of(ed),
            "id": "probe",
            "speaker": "conrad",
            "occasion": "reporters",
            "said_on": "2017-09-07",
            "source": "../../../../etc/hostname",
            "text": "anything",
            "source_text": "anything",
        },
    )
    assert response.status_code == 422 and "Choose one of the sources listed" in response.get_data(as_text=True)


def test_a_new_record_takes_no_yes_no_value_from_the_record_it_is_shaped_like(app, config):
    ed = signed_in(app, "ed")
    response = edit(
        ed,
        "sources.yml",
        {
            "f.new.sources.id": "console_source",
            "f.new.sources.title": "A new source",
            "f.new.sources.publisher": "Someone",
            "f.new.sources.date": "2026-01-02",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    draft = Drafts(connect(config.database)).get(draft_id(ed))
    added = draft.files["sources.yml"].split("id: console_source")[1]
    assert "date_inferred" not in added and "url_scope" not in added


def test_failed_sign_ins_are_forgotten_after_the_longest_wait(config):
    accounts = Accounts(connect(config.database))
    now = time.time()
    assert [accounts.attempt("ed", "10.0.0.1", now) for _ in range(4)] == [0, 0, 0, 2]
    # an address failed 20 times: it waits the longest, 15 minutes
    accounts.db.execute("INSERT OR REPLACE INTO sign_in_failures VALUES ('address:10.0.0.2', 20, ?)", (now,))
    assert accounts.attempt("maria", "10.0.0.2", now + 1) == 15 * 60 - 1
    # 15 minutes after the last failure, the address starts afresh
    assert [accounts.attempt("maria", "10.0.0.2", now + 15 * 60 + 1) for _ in range(4)] == [0, 0, 0, 2]


# ---------------------------------------------------------------- the editing rules, without a request


def test_who_may_publish_and_what_the_history_keeps_are_plain_rules():
    draft = Draft(1, "ed", "base", {TOPIC: "text"}, "Shorter", IN_REVIEW, 0.0, None, None)
    editor, publisher, author = User("ed", "editor", "t"), User("pub", "publisher", "t"), User("ed", "publisher", "t")
    assert publish_refusal(editor, draft, self_publish=False) == (403, "Only a publisher can do this.")
    assert publish_refusal(publisher, draft, self_publish=False) is None
    assert publish_refusal(author, draft, self_publish=False)[0] == 403
    assert publish_refusal(author, draft, self_publish=True) is None
    assert publish_refusal(publisher, replace(draft, status=OPEN), self_publish=False)[0] == 409
    assert commit_message(draft, "pub", "") == ("Shorter", f"Edit {TOPIC}")
    assert commit_message(draft, "pub", "Checked") == ("Shorter\n\npub: Checked", f"Edit {TOPIC}")
    assert clean_note(" odd\x1fnote\r\nnext\x00 ") == "oddnote\nnext"
