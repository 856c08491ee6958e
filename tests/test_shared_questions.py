"""Shared questions in the staff console (issue 29): the action servers'
authenticated call, the review queue (assign to a topic, needs a new answer,
delete, delete all), the 30 days, with a fake clock, and the accepted examples
that `rasa train` reads. The real application and content repository, as in
test_staff_console.py."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import replace

import pytest
import yaml

from policy_assistant.scrub import REMOVED
from staff_console.app import create_app
from staff_console.shared_questions import ACCEPTED_FILE, KEEP_DAYS
from tests.test_staff_console import prepared_config, signed_in, token_of

TOKEN = "9f2c41d7a8e05b36c1f7e2d94a0b6c8315e7d2a4f9b0c6e1"
QUESTION = "my cousin Maria was stopped near the bus station, will they call immigration on her"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    return create_app(prepared_config(tmp_path))


def share(app, text=QUESTION, token=TOKEN, **changes):
    body = {"text": text, "lang": "en", "channel": "webchat", "topics": ["traffic_stops", "no_such_topic"], **changes}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.test_client().post("/staff/internal/shared-questions", json=body, headers=headers)


def set_today(app, day: dt.date) -> None:
    app.extensions["staff_console"] = replace(app.extensions["staff_console"], today=lambda: day)


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN[:-1]])
def test_the_internal_call_needs_the_token(app, token):
    assert share(app, token=token).status_code == 401
    assert REMOVED not in signed_in(app, "ed").get("/staff/questions").get_data(as_text=True)


def test_a_placeholder_token_opens_nothing(app, monkeypatch):
    monkeypatch.setenv("INTERNAL_TOKEN", "REPLACE_ME_REPLACE_ME_REPLACE_ME")
    assert share(app, token="REPLACE_ME_REPLACE_ME_REPLACE_ME").status_code == 401


def test_the_internal_call_is_not_answered_through_a_proxy(app):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"}
    body = {"text": QUESTION, "lang": "en", "channel": "rest", "topics": []}
    assert client.post("/staff/internal/shared-questions", json=body, headers=headers).status_code == 404


@pytest.mark.parametrize(
    "body",
    [[1, 2], "text", {"text": "", "lang": "en", "channel": "rest", "topics": []}, {"lang": "en"}],
)
def test_what_is_not_a_shared_question_is_refused(app, body):
    client = app.test_client()
    response = client.post("/staff/internal/shared-questions", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400
    assert share(app, lang="xx").status_code == 400
    assert share(app, channel="email").status_code == 400
    assert share(app, text="x" * 1001).status_code == 400


def test_a_shared_question_is_scrubbed_again_and_listed_with_what_the_assistant_thought(app):
    assert share(app).status_code == 201
    page = signed_in(app, "ed").get("/staff/questions").get_data(as_text=True)
    assert "Maria" not in page
    assert f"my cousin {REMOVED} was stopped near the bus station" in page
    assert "the assistant thought of: traffic_stops" in page and "no_such_topic" not in page
    assert "1 shared question kept" in signed_in(app, "pub").get("/staff/").get_data(as_text=True)


def test_newest_first_and_deleted_after_30_days_by_the_console_itself(app):
    first = dt.date(2026, 11, 1)
    set_today(app, first)
    share(app, text="the first question that was shared with staff")
    set_today(app, first + dt.timedelta(days=5))
    share(app, text="the second question that was shared with staff")
    editor = signed_in(app, "ed")
    page = editor.get("/staff/questions").get_data(as_text=True)
    assert page.index("the second question") < page.index("the first question")
    set_today(app, first + dt.timedelta(days=KEEP_DAYS - 1))
    assert "the first question" in editor.get("/staff/questions").get_data(as_text=True)
    set_today(app, first + dt.timedelta(days=KEEP_DAYS))
    # any request deletes it: here the sign-in page, which nobody has to visit
    app.test_client().get("/staff/sign-in")
    rows = app.extensions["staff_console"].config.database
    import sqlite3

    texts = [r[0] for r in sqlite3.connect(rows).execute("SELECT text FROM shared_questions")]
    assert texts == ["the second question that was shared with staff"]


def test_needs_a_new_answer_and_delete(app):
    share(app)
    editor = signed_in(app, "ed")
    qid = 1
    editor.post(f"/staff/questions/{qid}/needs-answer", data={"csrf_token": token_of(editor, "/staff/questions")})
    page = editor.get("/staff/questions").get_data(as_text=True)
    assert "needs a new answer</strong> (marked by ed)" in page
    editor.post(f"/staff/questions/{qid}/delete", data={"csrf_token": token_of(editor, "/staff/questions")})
    assert "No shared question is kept." in editor.get("/staff/questions").get_data(as_text=True)
    assert editor.post(f"/staff/questions/{qid}/delete", data={"csrf_token": token_of(editor)}).status_code == 404


def test_only_a_publisher_deletes_every_shared_question_at_once(app):
    share(app)
    share(app, text="another question people shared with the staff")
    editor = signed_in(app, "ed")
    assert editor.post("/staff/questions/delete-all", data={"csrf_token": token_of(editor)}).status_code == 403
    publisher = signed_in(app, "pub")
    publisher.post("/staff/questions/delete-all", data={"csrf_token": token_of(publisher)})
    assert "0 shared questions kept" in publisher.get("/staff/").get_data(as_text=True)


def test_assigned_to_a_topic_by_a_publisher_it_becomes_a_training_example_rasa_reads(app, monkeypatch):
    share(app)
    editor = signed_in(app, "ed")
    data = {"csrf_token": token_of(editor, "/staff/questions"), "topic": "traffic_stops"}
    assert editor.post("/staff/questions/1/assign", data=data).status_code == 403  # it changes the next model
    publisher = signed_in(app, "pub")
    data = {"csrf_token": token_of(publisher, "/staff/questions"), "topic": "traffic_stops"}
    assert publisher.post("/staff/questions/1/assign", data=data).status_code == 302
    assert "No shared question is kept." in publisher.get("/staff/questions").get_data(as_text=True)
    console = app.extensions["staff_console"]
    kept = yaml.safe_load(console.repo.read(ACCEPTED_FILE))
    [entry] = kept["nlu"]
    assert entry["intent"] == "traffic_stops"
    [example] = entry["examples"]
    # without the brackets, which Rasa would read as an entity's
    assert example["text"] == "my cousin … was stopped near the bus station, will they call immigration on her"
    assert example["metadata"]["accepted_by"] == "pub" and example["metadata"]["lang"] == "en"
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an", "--", ACCEPTED_FILE], cwd=console.repo.path, capture_output=True, text=True
    ).stdout.strip()
    assert author == "pub"
    # the store still loads, and Rasa's importer (config.yml) reads the example beside data/
    assert app.extensions["staff_console"].live.get().topics
    from rasa.shared.importers.importer import TrainingDataImporter

    from devtools.paths import PROJECT

    monkeypatch.setenv("ANSWER_STORE", str(console.repo.path))
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT / "config.yml"), str(PROJECT / "domain.yml"), [str(PROJECT / "data")]
    )
    examples = {(m.get("text"), m.get("intent")) for m in importer.get_nlu_data().intent_examples}
    assert (example["text"], "traffic_stops") in examples


def test_assigning_needs_a_topic(app):
    share(app)
    publisher = signed_in(app, "pub")
    data = {"csrf_token": token_of(publisher, "/staff/questions"), "topic": "not_a_topic"}
    assert publisher.post("/staff/questions/1/assign", data=data).status_code == 422


def test_an_example_is_of_one_topic_and_examples_written_by_hand_are_kept():
    import datetime as dt

    from staff_console.shared_questions import KeptQuestion, accepted_file_text

    by_hand = 'version: "3.1"\nnlu:\n  - intent: home_visits\n    examples: |\n      - a line written by hand\n'
    question = KeptQuestion(1, f"what about the {REMOVED} thing", "en", "rest", dt.date(2026, 12, 1), (), "new", None)
    once = accepted_file_text(by_hand, question, "home_visits", "pub", dt.date(2026, 12, 2))
    twice = yaml.safe_load(accepted_file_text(once, question, "traffic_stops", "pub", dt.date(2026, 12, 3)))
    examples = {e["intent"]: [x["text"] for x in e["examples"]] for e in twice["nlu"]}
    assert examples == {"home_visits": ["a line written by hand"], "traffic_stops": ["what about the … thing"]}
