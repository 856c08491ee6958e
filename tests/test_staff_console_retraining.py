"""The console's Retraining page (staff_console/views/retraining.py): off
where RETRAIN_SERVERS is not set, publishers only, one retraining at a time,
and every retraining's outcome listed from the content repository. Starting a
real retraining, through the button, is in tests/test_e2e_retrain.py."""

from __future__ import annotations

from pathlib import Path

import yaml

from devtools import retrain
from staff_console.app import create_app
from staff_console.content_repo import RETRAINING_HISTORY, ContentRepo, Person
from tests.test_staff_console import prepared_config, signed_in, token_of

PAGE = "/staff/retraining"


def console(tmp_path: Path, **changes):
    return create_app(prepared_config(tmp_path, retrain_log=tmp_path / "retraining.log", **changes))


def test_off_without_servers_it_says_where_retraining_runs_and_starts_nothing(tmp_path):
    pub = signed_in(console(tmp_path), "pub")
    assert "make retrain" in pub.get(PAGE).get_data(as_text=True)
    started = pub.post(PAGE, data={"csrf_token": token_of(pub, PAGE)}, follow_redirects=True)
    assert "not available from this console" in started.get_data(as_text=True)
    assert not (tmp_path / "retraining.log").exists()


def test_only_a_publisher_starts_one_and_never_while_one_runs(tmp_path, monkeypatch):
    models = tmp_path / "models"
    monkeypatch.setenv("RETRAIN_MODEL", str(models / "policy-assistant.tar.gz"))
    app = console(tmp_path, retrain_servers=("http://127.0.0.1:9",))
    ed, pub = signed_in(app, "ed"), signed_in(app, "pub")
    assert "A publisher can start" in ed.get(PAGE).get_data(as_text=True)
    assert ed.post(PAGE, data={"csrf_token": token_of(ed, PAGE)}).status_code == 403
    assert 'id="retrain"' in pub.get(PAGE).get_data(as_text=True)
    with retrain.only_one(models):  # a retraining holds the lock
        page = pub.get(PAGE).get_data(as_text=True)
        assert "A retraining is running" in page and 'id="retrain"' not in page
        again = pub.post(PAGE, data={"csrf_token": token_of(pub, PAGE)}, follow_redirects=True)
        assert "already running" in again.get_data(as_text=True)
    assert not (tmp_path / "retraining.log").exists()  # nothing was started


def test_every_retraining_is_listed_newest_first_with_the_figures_that_fell(tmp_path, monkeypatch):
    monkeypatch.setenv("RETRAIN_MODEL", str(tmp_path / "models" / "policy-assistant.tar.gz"))
    config = prepared_config(tmp_path, retrain_servers=("http://127.0.0.1:9",))
    entries = [
        {"started": "2026-12-01T10:00:00+00:00", "by": "pub", "accepted_examples": 3,
         "outcome": "refused: the serving model stays", "fell": ["development set, language es: 97.8 -> 95.0 points"]},
        {"started": "2026-12-02T10:00:00+00:00", "by": "pub2", "accepted_examples": 4,
         "outcome": "serving: 1 server(s) loaded it"},
    ]  # fmt: skip
    ContentRepo(config.content).publish(
        {RETRAINING_HISTORY: yaml.safe_dump(entries)}, Person("pub"), Person("pub"), "figures", "Retraining"
    )
    page = signed_in(create_app(config), "ed").get(PAGE).get_data(as_text=True)
    assert page.index("2026-12-02") < page.index("2026-12-01")
    assert "language es: 97.8 -&gt; 95.0 points" in page and "serving: 1 server(s) loaded it" in page


def test_a_retrainings_record_is_in_the_history_with_nothing_to_undo(tmp_path):
    config = prepared_config(tmp_path)
    repo = ContentRepo(config.content)
    sha = repo.publish({RETRAINING_HISTORY: "[]\n"}, Person("pub"), Person("pub"), "figures", "Retraining refused")
    pub = signed_in(create_app(config), "pub")
    page = pub.get("/staff/history").get_data(as_text=True)
    assert "Retraining refused" in page and f"/staff/history/{sha}/revert" not in page
    refused = pub.post(f"/staff/history/{sha}/revert", data={"csrf_token": token_of(pub, "/staff/history")})
    assert refused.status_code == 302 and repo.head() == sha  # no undo draft, nothing published
    assert "nothing to undo" in pub.get("/staff/history").get_data(as_text=True)
