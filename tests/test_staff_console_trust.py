"""The staff console's defences, through Flask's test client: a strong
session key, sessions that cannot be forged or kept for ever, reviewers
published by display name or role, sign-in limits per account and per address,
undo through review, bounded input and private files."""

from __future__ import annotations

import html
import re
import stat
import time

import pytest

from staff_console import __main__ as console_main
from staff_console import accounts as accounts_module
from staff_console.accounts import Accounts
from staff_console.app import create_app
from staff_console.config import connect
from staff_console.content_repo import ContentRepo
from staff_console.drafts import Drafts
from tests.test_staff_console import (  # noqa: F401  app and config: the shared fixtures
    NEW_SUMMARY,
    NEW_SUMMARY_EDIT,
    PASSWORDS,
    TOPIC,
    app,
    ask_review,
    config,
    csrf,
    draft_id,
    edit,
    live_text,
    make_config,
    mark_reviewed,
    publish,
    signed_in,
    token_of,
)

# ---------------------------------------------------------------- the session key and session tokens


@pytest.mark.parametrize(
    "key",
    [
        "REPLACE_ME",
        "changeme",
        "a-key-of-only-31-characters-xyz",
        "REPLACE_ME-REPLACE_ME-REPLACE_ME-REPLACE_ME",
        "changeme" * 5,
        "0123456789abcdef" * 2,
    ],
)
def test_a_short_or_placeholder_session_key_is_refused_at_start(tmp_path, key):
    with pytest.raises(ValueError, match="STAFF_SECRET_KEY") as refused:
        create_app(make_config(tmp_path, secret_key=key))
    assert key not in str(refused.value)  # the message names the variable, never its value


def test_the_console_command_names_the_variable_and_does_not_serve_with_a_placeholder(tmp_path, monkeypatch, capsys):
    served = []
    monkeypatch.setattr(console_main, "serve", lambda *a, **k: served.append(a))
    monkeypatch.setenv("STAFF_SECRET_KEY", "REPLACE_ME")
    monkeypatch.setenv("STAFF_DB", str(tmp_path / "staff.sqlite3"))
    monkeypatch.setenv("CONTENT_REPO", str(tmp_path / "content"))
    assert console_main.main(["serve"]) != 0
    assert not served
    assert "STAFF_SECRET_KEY" in capsys.readouterr().err


def forged(app, payload) -> str:
    """A session cookie signed with the console's own key: what someone who
    knows the key can make."""
    return app.session_interface.get_signing_serializer(app).dumps(payload)


def test_a_forged_cookie_cannot_guess_the_session_version_even_with_the_key(app):
    client = app.test_client()
    for version in (0, 1, 2, "0", None):
        client.set_cookie("staff_session", forged(app, {"user": "pub", "v": version}), path="/staff")
        response = client.get("/staff/")
        assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"], version


def test_the_session_version_is_a_random_token_that_changes_at_sign_out(app, config):
    accounts = Accounts(connect(config.database))
    before = accounts.user("ed").session_token
    assert isinstance(before, str) and len(before) >= 32
    assert before != accounts.user("pub").session_token
    client = signed_in(app, "ed")
    client.post("/staff/sign-out", data={"csrf_token": token_of(client)})
    after = accounts.user("ed").session_token
    assert after != before and len(after) >= 32


def test_a_database_from_before_gets_random_session_tokens(tmp_path):
    db = connect(tmp_path / "old.sqlite3")
    db.executescript(
        "CREATE TABLE users (username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, "
        "session_version INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE drafts (id INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, base TEXT NOT NULL, "
        "files TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, updated REAL NOT NULL, "
        "publisher TEXT, commit_sha TEXT);"
    )
    db.execute("INSERT INTO users VALUES ('old', 'editor', ?, 0)", (accounts_module.hasher.hash("old-password-12"),))
    accounts = Accounts(db)
    token = accounts.user("old").session_token
    assert isinstance(token, str) and len(token) >= 32
    assert accounts.sign_in("old", "old-password-12", "10.0.0.1") is not None
    assert accounts.save("new", "publisher", "new-password-12") and accounts.user("new").session_token != token
    draft = Drafts(db).save_file("old", "base", TOPIC, "text", None)
    assert draft.subject == ""


# ---------------------------------------------------------------- public names and sign-in limits


def make_staff_user(monkeypatch, config, **env) -> int:
    """`make staff-user`, with its environment."""
    monkeypatch.setenv("STAFF_DB", str(config.database))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return accounts_module.main([])


def reviewed_by_in_draft(client, config) -> str:
    assert mark_reviewed(client).status_code == 302
    text = Drafts(connect(config.database)).get(draft_id(client)).files[TOPIC]
    return re.search(r"^reviewed_by: (.*)$", text, re.M).group(1)


def test_reviewed_by_publishes_the_display_name_never_the_user_name(app, config, monkeypatch):
    created = make_staff_user(
        monkeypatch,
        config,
        STAFF_USER="mgarcia",
        STAFF_ROLE="editor",
        STAFF_PASSWORD="mgarcia-password-1",
        STAFF_DISPLAY_NAME="María G.",
    )
    assert created == 0
    PASSWORDS["mgarcia"] = "mgarcia-password-1"
    try:
        client = signed_in(app, "mgarcia")
        assert reviewed_by_in_draft(client, config) == "María G."
        assert "mgarcia" not in Drafts(connect(config.database)).get(draft_id(client)).files[TOPIC]
    finally:
        del PASSWORDS["mgarcia"]


def test_without_a_display_name_reviewed_by_is_the_role_in_plain_words(app, config):
    assert reviewed_by_in_draft(signed_in(app, "ed"), config) == "liaison"
    assert reviewed_by_in_draft(signed_in(app, "pub"), config) == "publisher"


def test_a_display_name_that_is_the_user_name_is_refused(config, monkeypatch, capsys):
    status = make_staff_user(
        monkeypatch,
        config,
        STAFF_USER="ed",
        STAFF_ROLE="editor",
        STAFF_PASSWORD=PASSWORDS["ed"],
        STAFF_DISPLAY_NAME="Ed",
    )
    assert status == 1 and "display name" in capsys.readouterr().err


def try_sign_in(app, name, password, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post("/staff/sign-in", data={"csrf_token": token, "username": name, "password": password})


def test_wrong_passwords_from_other_addresses_do_not_lock_out_the_right_one(app):
    for n in range(1, 5):
        assert try_sign_in(app, "ed", "wrong", f"10.0.0.{n}").status_code == 401
    assert try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.0.5").status_code == 302


def test_guessing_one_account_is_limited_across_addresses_but_a_clean_address_gets_in(app, monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    for n in range(1, 11):  # ten tries a minute, from ten addresses
        assert try_sign_in(app, "ed", "wrong", f"10.0.1.{n}").status_code == 401
    # an address that failed waits, even with the right password
    response = try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.1.1")
    assert response.status_code == 429 and "Try again in" in response.get_data(as_text=True)
    # an address that never failed is let in at once
    assert try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.1.99").status_code == 302
    # a minute later the account takes tries again
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.1.2").status_code == 302


def test_one_address_guessing_many_accounts_is_slowed_down(app):
    for name in ("ed", "pub", "pub2"):
        assert try_sign_in(app, name, "wrong", "10.0.2.1").status_code == 401
    assert try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.2.1").status_code == 429
    assert try_sign_in(app, "ed", PASSWORDS["ed"], "10.0.2.2").status_code == 302


# ---------------------------------------------------------------- undo goes through review


def published_change(app, config) -> str:
    """ed's new summary, published by pub; returns the commit."""
    ed = signed_in(app, "ed")
    edit(ed, TOPIC, NEW_SUMMARY_EDIT)
    ask_review(ed, draft_id(ed))
    assert publish(signed_in(app, "pub"), draft_id(ed)).status_code == 302
    return ContentRepo(config.content).head()


def undo(client, sha, note="Back"):
    return client.post(f"/staff/history/{sha}/revert", data={"csrf_token": token_of(client), "note": note})


def test_an_undo_is_a_draft_that_another_publisher_publishes(app, config):
    before = ContentRepo(config.content).read(TOPIC)
    sha = published_change(app, config)
    pub = signed_in(app, "pub")
    response = undo(pub, sha, "The old summary was right")
    assert response.status_code == 302 and "/staff/drafts/" in response.headers["Location"]
    assert NEW_SUMMARY in live_text(config)  # nothing changed yet
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    page = pub.get(f"/staff/drafts/{number}").get_data(as_text=True)
    assert "in review" in page and "another publisher must publish it" in page
    assert publish(pub, number).status_code == 403
    assert NEW_SUMMARY in live_text(config)
    assert publish(signed_in(app, "pub2"), number).status_code == 302
    assert live_text(config) == before
    log = ContentRepo(config.content).git("log", "-1", "--format=%an|%cn|%s|%b")
    assert log.startswith('pub|pub2|Undo "Edit topics/immigration_status.yml"|The old summary was right')


def test_a_small_office_publishes_its_own_undo(tmp_path, config):
    app = create_app(make_config(tmp_path, self_publish=True))
    before = ContentRepo(config.content).read(TOPIC)
    sha = published_change(app, config)
    pub = signed_in(app, "pub")
    number = int(undo(pub, sha).headers["Location"].rsplit("/", 1)[1])
    assert publish(pub, number).status_code == 302
    assert live_text(config) == before


def test_an_undo_waits_while_the_publisher_has_a_draft_of_their_own(app, config):
    sha = published_change(app, config)
    pub = signed_in(app, "pub")
    edit(pub, "sources.yml", {"f.new.sources.id": "x_source", "f.new.sources.title": "X"})
    response = undo(pub, sha)
    assert response.status_code == 409 and "discard it first" in response.get_data(as_text=True)
    assert list(Drafts(connect(config.database)).get(draft_id(pub)).files) == ["sources.yml"]


# ---------------------------------------------------------------- bounded input


def test_a_field_over_its_limit_is_refused_naming_the_field_and_the_limit(app, config):
    ed = signed_in(app, "ed")
    started = time.monotonic()
    response = edit(ed, TOPIC, {"f.summary.en": "word " * 2000, "f.title.en": "A kept title"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Summary › English" in page and "at most 5,000 characters" in page
    assert "A kept title" in page  # the other boxes keep what was typed
    assert "/staff/drafts/" not in ed.get("/staff/").get_data(as_text=True)  # nothing was saved
    assert len(page) < 100_000 and time.monotonic() - started < 10


def test_a_new_quote_over_its_limits_is_refused_naming_the_box(app):
    ed = signed_in(app, "ed")
    data = {"csrf_token": token_of(ed), "id": "q", "source": "kycir_2017_09_07", "said_on": "2017-09-07"}
    response = ed.post("/staff/quotes/new", data={**data, "text": "x" * 5001})
    assert response.status_code == 422 and "The quote: at most 5,000 characters" in response.get_data(as_text=True)
    response = ed.post("/staff/quotes/new", data={**data, "text": "x", "source_text": "y" * 200_001})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "The source document's full text: at most 200,000 characters" in page


def test_a_note_over_its_limit_is_refused_naming_the_limit(app, config):
    ed = signed_in(app, "ed")
    edit(ed, TOPIC, NEW_SUMMARY_EDIT)
    response = ed.post(f"/staff/drafts/{draft_id(ed)}/review", data={"csrf_token": token_of(ed), "note": "n" * 2001})
    assert response.status_code == 422 and "at most 2,000 characters" in response.get_data(as_text=True)
    assert Drafts(connect(config.database)).get(draft_id(ed)).status == "open"


def test_a_form_larger_than_the_console_takes_is_refused_at_once(app):
    ed = signed_in(app, "ed")
    response = edit(ed, TOPIC, {"f.summary.en": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413 and "at most 1 MB" in response.get_data(as_text=True)


def test_a_long_diff_is_cut_with_a_clear_line(app, config):
    ed = signed_in(app, "ed")
    drafts = Drafts(connect(config.database))
    repo = ContentRepo(config.content)
    long_text = "".join(f"line {n}\n" for n in range(20_000))
    drafts.save_file("ed", repo.head(), "source_texts/kycir_2017_09_07.txt", long_text, None)
    page = ed.get(f"/staff/drafts/{draft_id(ed)}").get_data(as_text=True)
    assert "diff too long to show" in page and "line 19999" not in page
    assert len(page) < 300_000


# ---------------------------------------------------------------- private files, absolute session lifetime


def test_the_staff_database_is_readable_by_its_owner_only(config):
    db = connect(config.database)  # kept open, so that its -wal and -shm files exist
    db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    for suffix in ("", "-wal", "-shm"):
        path = config.database.with_name(config.database.name + suffix)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    db.close()


def test_an_existing_staff_database_is_made_private(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    connect(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_session_ends_twelve_hours_after_sign_in_however_active(app, monkeypatch):
    client = signed_in(app, "ed")
    start = time.time()
    for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes keeps it from idling out
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/staff/").status_code == 200, minutes
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]
