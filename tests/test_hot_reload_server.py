"""Hot reload in the real action server process: staff edit the store while it
runs; a good edit is served at once, a broken one is refused and logged while
the last good store keeps answering. No restart, no retraining."""
import os
import signal
import subprocess
import time

import pytest
import requests

from tests.conftest import BIN, PROJECT, free_port, wait_for


@pytest.fixture
def action_server(store_copy, tmp_path):
    port = free_port()
    log = tmp_path / "actions.log"
    proc = subprocess.Popen([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                            cwd=PROJECT, env={**os.environ, "ANSWER_STORE": str(store_copy)},
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc)
        yield f"http://127.0.0.1:{port}/webhook", store_copy, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def answer(url, topic="home_visits"):
    user = {"event": "user", "text": "question", "parse_data": {"intent": {"name": topic}}, "metadata": {}}
    body = {"next_action": "action_answer_topic", "sender_id": "hot-reload", "version": "3.6.2", "domain": {},
            "tracker": {"sender_id": "hot-reload", "slots": {}, "events": [user], "paused": False,
                        "latest_message": {"text": "question", "intent": {"name": topic}}}}
    response = requests.post(url, json=body, timeout=30)
    response.raise_for_status()
    return next(r["custom"] for r in response.json()["responses"] if r.get("custom"))


def edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    later = time.time() + 2
    os.utime(path, (later, later))


def test_running_action_server_picks_up_edits_and_refuses_broken_ones(action_server):
    url, store, log = action_server
    assert answer(url)["summary"].startswith("The 2017 report")
    topic = store / "topics" / "home_visits.yml"
    edit(topic, '  en: "The 2017 report', '  en: "Updated by staff. The 2017 report')
    assert answer(url)["summary"].startswith("Updated by staff.")
    edit(topic, "reviewed_on: 2026-11-25", "reviewed_on: 2026-02-30")
    assert answer(url)["summary"].startswith("Updated by staff.")  # last good store still serves
    text = log.read_text(errors="replace")
    assert "Refused an edit" in text and "topics/home_visits.yml" in text and "not a date" in text
