"""Hostile input, faults and privacy, against the real servers (issue 10):
nothing people write reaches a log by any route, the action server answers
only the Rasa server, bodies are limited, conversations are private, a slow
action server still gets every message a reply within a bounded time, and
thousands of hostile requests get no 5xx."""

import json
import os
import subprocess
import threading
import time
import uuid
import zlib

import pytest
import requests

from devtools import hostile
from devtools.paths import BIN, PROJECT, STORE
from devtools.servers import topic_of
from policy_assistant.store import load_store
from tests.conftest import TEST_TURN_SECONDS

pytestmark = pytest.mark.e2e

store = load_store(STORE)
en = store.language("en").messages
REST = "/webhooks/rest/webhook"
PAGE = "/webhooks/webchat/webhook"


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def post(live, body, path=REST, timeout=60, **headers):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(
        live.url + path, data=data, headers={"Content-Type": "application/json", **headers}, timeout=timeout
    )


def texts(messages):
    return [m.get("text") for m in messages]


def timed_out_turns(live) -> int:
    """How many turns the Rasa server has cancelled at its limit (rasa_server/turns.py)."""
    return live.rasa_log.read_text(errors="replace").count("A turn took longer than")


def test_nothing_written_reaches_a_log_by_any_route(live):
    mark = f"Wqzj{uuid.uuid4().hex[:6]}"
    words = f"my name is {mark} and I live at 12 Elm"
    for path in (REST, PAGE):
        assert post(live, {"sender": sender(), "message": words}, path).status_code == 200
        assert post(live, {"sender": f"{mark}-id", "message": "hello", "metadata": {"lang": mark}}, path).ok
    for slashed in (
        f"/{mark}",
        f"/ {words}",
        f"/greet{{{mark}}}",
        f'/home_visits{{"place": "{mark}"}}',
        f"/greet@0.1 {mark}",
    ):
        assert post(live, {"sender": sender(), "message": slashed}).status_code == 200
    # a failing action: the action server's error must not carry the tracker
    failing = {
        "next_action": "action_answer_topic",
        "sender_id": mark,
        "tracker": {"sender_id": mark, "events": f"{mark} not a list", "slots": mark},
        "domain": {},
        "version": "3.6.21",
    }
    action = requests.post(
        f"http://127.0.0.1:{live.actions_port}/webhook",
        json=failing,
        headers={"Authorization": f"Bearer {live.token}"},
        timeout=30,
    )
    assert action.status_code == 500 and mark not in action.text
    # a slow action server: the turn times out; and a client that gives up early
    live.pause_actions()
    before = timed_out_turns(live)
    try:
        assert texts(post(live, {"sender": sender(), "message": words + " slow"}).json()) == [en["unavailable"]]
        with pytest.raises(requests.Timeout):
            post(live, {"sender": sender(), "message": words + " gone"}, timeout=0.5)
        deadline = time.monotonic() + TEST_TURN_SECONDS + 20
        while timed_out_turns(live) < before + 2:  # the abandoned turn times out on the server too
            assert time.monotonic() < deadline, "the abandoned turn was not cancelled"
            time.sleep(0.2)
    finally:
        live.resume_actions()
    # the action server down
    live.stop_actions()
    try:
        assert texts(post(live, {"sender": sender(), "message": words + " down"}).json()) == [en["unavailable"]]
    finally:
        live.start_actions()
    for log in (live.rasa_log, live.actions_log):
        assert mark not in log.read_text(errors="replace"), log


def test_the_action_server_answers_only_the_rasa_server(live):
    url = f"http://127.0.0.1:{live.actions_port}"
    call = {"next_action": "action_fixed_reply", "tracker": {}, "domain": {}}
    assert requests.post(url + "/webhook", json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer " + "0" * 64}
    assert requests.post(url + "/webhook", json=call, headers=wrong, timeout=10).status_code == 401
    assert requests.get(url + "/actions", timeout=10).status_code == 401
    assert requests.get(url + "/health", timeout=10).ok
    # 16 KiB of deflate that would inflate to 16 MiB is refused before it is inflated
    bomb = zlib.compress(b'{"a": "' + b" " * (16 * 1024 * 1024) + b'"}', 9)
    assert len(bomb) < 20 * 1024
    auth = {"Authorization": f"Bearer {live.token}", "Content-Encoding": "deflate"}
    assert requests.post(url + "/webhook", data=bomb, headers=auth, timeout=30).status_code == 413
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=sender())) == "home_visits"


def test_the_action_server_will_not_start_without_a_token():
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    started = subprocess.run(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", "0"],
        cwd=PROJECT,
        env={**env, "SANIC_HOST": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "ACTION_SERVER_TOKEN is not set" in started.stdout + started.stderr


@pytest.mark.parametrize("path", [REST, PAGE])
@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b'"x"', b"42", b"true", b"\xff\xfe not json", b"[" * 9000 + b"]" * 9000, b'{"message": 7}'],
)
def test_a_body_that_is_not_a_json_object_gets_a_friendly_400(live, path, body):
    response = post(live, body, path)
    assert response.status_code == 400
    text = response.json()["messages"][0]["text"]  # the body's language is unknown: every language
    assert en["unreadable"] in text and store.language("es").messages["unreadable"] in text


@pytest.mark.parametrize("path", [REST, PAGE])
@pytest.mark.parametrize(
    "body",
    [
        b'{"sender": "e2e-surrogate", "message": "\\ud800"}',  # half a UTF-16 surrogate pair, escaped
        b'{"message": "will police ask \\udc00 about my status?"}',
        b'{"message": "hola \xed\xa0\x80"}',  # the same, as its UTF-8 bytes
    ],
)
def test_malformed_unicode_gets_the_friendly_400_not_an_outage(live, path, body):
    response = post(live, body, path)
    assert response.status_code == 400, response.text
    text = response.json()["messages"][0]["text"]
    assert en["unreadable"] in text and store.language("es").messages["unreadable"] in text
    assert en["unavailable"] not in text


def test_limits_hold_before_parsing_and_chunked_bodies_are_read(live):
    huge = post(live, {"sender": sender(), "message": "x" * 100_000})
    assert huge.status_code == 413 and huge.json()["messages"][0]["text"]

    def chunks():
        yield b'{"sender": "e2e-chunked", '
        yield b'"message": "will police knock on my door for ICE?"}'

    chunked = requests.post(live.url + REST, data=chunks(), headers={"Content-Type": "application/json"}, timeout=60)
    assert chunked.ok and topic_of(chunked.json()) == "home_visits"
    assert post(live, {"sender": "a b <c>", "message": "hi"}).status_code == 400


def test_a_request_without_a_sender_gets_a_conversation_of_its_own(live):
    first = post(live, {"message": "will police knock on my door for ICE?"}).json()
    assert topic_of(first) == "home_visits"
    for missing in ({"message": "who said that?"}, {"sender": "", "message": "who said that?"}):
        reply = post(live, missing).json()
        assert texts(reply) == [en["no_topic_yet"]]  # not the stranger's conversation
        assert reply[0]["recipient_id"] != first[0]["recipient_id"]
    # the id given back continues that conversation
    again = post(live, {"sender": first[0]["recipient_id"], "message": "who said that?"}).json()
    assert "Steve Conrad" in again[0]["text"]


def test_a_rest_client_cannot_join_a_page_conversation(live):
    page_id = str(uuid.uuid4())
    assert topic_of(post(live, {"sender": page_id, "message": "will police knock on my door for ICE?"}, PAGE).json())
    assert texts(post(live, {"sender": page_id, "message": "who said that?"}, REST).json()) == [en["no_topic_yet"]]
    assert "Steve Conrad" in post(live, {"sender": page_id, "message": "who said that?"}, PAGE).json()[0]["text"]


@pytest.mark.parametrize("control", ["/restart", "/session_start", "/back"])
def test_a_turn_that_rightly_says_nothing_gets_a_greeting_not_an_outage(live, control):
    response = post(live, {"sender": sender(), "message": control}, PAGE)
    assert response.status_code == 200
    assert texts(response.json()) == [en["greet"]]


def test_rasa_version_is_not_disclosed_and_the_page_address_without_slash_redirects(live):
    root = requests.get(live.url + "/", timeout=10)
    assert root.ok and "Rasa" not in root.text and "3.6" not in root.text
    assert "rasa" not in " ".join(f"{k}: {v}" for k, v in root.headers.items()).lower()
    bare = requests.get(live.url + "/webhooks/webchat", timeout=10, allow_redirects=False)
    assert bare.status_code in (301, 302, 307, 308) and bare.headers["Location"] == "/webhooks/webchat/"
    page = requests.get(live.url + "/webhooks/webchat", timeout=10)
    assert page.url.endswith("/webhooks/webchat/") and 'src="app.js"' in page.text
    assert requests.get(page.url + "app.js", timeout=10).ok


def test_a_slow_action_server_gets_every_message_a_reply_in_bounded_time_in_order(live):
    me = sender()
    replies: dict = {}

    def ask(n: int) -> None:
        start = time.monotonic()
        reply = post(live, {"sender": me, "message": f"will police knock on my door for ICE? {n}"}, timeout=60)
        replies[n] = (reply.status_code, texts(reply.json()), time.monotonic() - start)

    live.pause_actions()
    try:
        threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
            time.sleep(0.2)
        for t in threads:
            t.join(60)
    finally:
        live.resume_actions()
    assert sorted(replies) == [0, 1, 2, 3]
    got = [replies[n][1] for n in range(4)]
    assert all(status == 200 for status, _, _ in replies.values())
    assert got.count([en["busy"]]) == 1 and got.count([en["unavailable"]]) == 3, got
    assert max(seconds for _, _, seconds in replies.values()) < TEST_TURN_SECONDS + 3
    # the conversation goes on, in order, once the action server is back
    assert topic_of(live.ask("does lmpd enforce immigration law", sender=me)) == "enforce_immigration_law"
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    assert "Steve Conrad" in live.ask("who said that?", sender=me)[0]["text"]


def test_a_thousand_hostile_requests_get_no_5xx_and_leave_no_trace(live):
    count = int(os.environ.get("FUZZ_REQUESTS", "1000"))  # make fuzz sends 10,000
    result = hostile.send_all(live.url, list(hostile.requests_for(count, seed=7)))
    assert result.server_errors == 0, result.statuses
    assert not result.errors, result.errors
    assert sum(result.statuses.values()) == count
    for log in (live.rasa_log, live.actions_log):
        assert hostile.markers_in(log) == [], log
    assert (
        topic_of(live.ask("will the police ask about my immigration status?", sender=sender())) == "immigration_status"
    )
