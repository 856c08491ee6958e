"""Hot reload in the real action server process: staff edit the store while it
runs; a good edit is served at once, a broken one is refused and logged while
the last good store keeps answering. No restart, no retraining."""

import os
import time

import pytest

from devtools.servers import Servers, call_action

pytestmark = pytest.mark.e2e


@pytest.fixture
def action_server(store_copy, tmp_path):
    servers = Servers(tmp_path, ANSWER_STORE=str(store_copy))
    try:
        servers.start_actions()
        yield servers, store_copy, servers.actions_log
    finally:
        servers.stop()


def answer(servers, topic="home_visits"):
    return call_action(servers.actions_port, servers.token, topic, sender="hot-reload")


def edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    later = time.time() + 2
    os.utime(path, (later, later))


def test_running_action_server_picks_up_edits_and_refuses_broken_ones(action_server):
    servers, store, log = action_server
    assert not answer(servers)["summary"].startswith("Updated by staff:")
    topic = store / "topics" / "home_visits.yml"
    edit(topic, "summary:\n  en: >-\n    ", "summary:\n  en: >-\n    Updated by staff: ")
    assert answer(servers)["summary"].startswith("Updated by staff:")
    edit(topic, "reviewed_by: null\nreviewed_on: null", "reviewed_by: A. Staff\nreviewed_on: 2026-02-30")
    assert answer(servers)["summary"].startswith("Updated by staff:")  # last good store still serves
    text = log.read_text(errors="replace")
    assert "Refused an edit" in text and "topics/home_visits.yml" in text and "not a date" in text
