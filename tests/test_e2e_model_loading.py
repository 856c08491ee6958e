"""A new model for the running Rasa server (rasa_server/model_channel.py),
on the real model, as `make run` serves it: the server answers while the
model loads, a conversation begun before carries on after, and the endpoint
is internal (a token, no proxy, only a file of the models folder)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from devtools.paths import MODEL
from devtools.servers import topic_of
from policy_assistant.live_store import shared_store
from tests.conftest import TEST_TURN_SECONDS

pytestmark = pytest.mark.e2e
store = shared_store().get()


def call(live, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
    token = live.env["INTERNAL_TOKEN"] if token is None else token
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{live.url}/webhooks/model{path}", headers=headers, timeout=30, **kwargs)


@pytest.mark.parametrize(
    "method, path, token, headers, body, status",
    [
        ("GET", "/", "", {}, None, 401),
        ("GET", "/", "a" * 64, {}, None, 401),
        ("POST", "/load", "", {}, {"model": MODEL.name}, 401),
        ("GET", "/", None, {"X-Forwarded-For": "203.0.113.9"}, None, 404),  # through a proxy: from outside
        ("POST", "/load", None, {"X-Forwarded-Proto": "https"}, {"model": MODEL.name}, 404),
        ("POST", "/load", None, {}, {"model": "../models/" + MODEL.name}, 400),
        ("POST", "/load", None, {}, {"model": "/etc/passwd"}, 400),
        ("POST", "/load", None, {}, {"model": "nothing-here.tar.gz"}, 404),
        ("POST", "/load", None, {}, ["not", "an", "object"], 400),
    ],
)
def test_the_model_endpoint_is_internal_and_loads_only_model_files(live, method, path, token, headers, body, status):
    reply = call(live, method, path, token, headers=headers, **({"json": body} if body is not None else {}))
    assert reply.status_code == status
    assert not call(live, "GET", "/").json()["loading"]


def test_a_model_loads_while_the_server_answers_and_conversations_carry_on(live):
    me = f"reload-{uuid.uuid4().hex[:8]}"
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    before = call(live, "GET", "/").json()
    started = call(live, "POST", "/load", json={"model": MODEL.name})
    assert started.status_code == 202 and started.json()["loading"]
    assert call(live, "POST", "/load", json={"model": MODEL.name}).status_code == 409  # one load at a time
    seconds: list[float] = []  # how long each question asked while the model loaded took
    deadline = time.monotonic() + 600
    while call(live, "GET", "/").json()["loading"]:
        assert time.monotonic() < deadline, "the model did not load"
        start = time.monotonic()
        reply = live.ask("Can I call 911 if I am undocumented?", sender=f"during-{uuid.uuid4().hex[:8]}", timeout=60)
        seconds.append(time.monotonic() - start)
        assert topic_of(reply) == "report_crime_safely", (seconds, reply)  # not cut at the turn's limit
    # the load (about half a minute) ran beside the turns, not in their way
    assert len(seconds) >= 3 and max(seconds) < TEST_TURN_SECONDS, seconds
    after = call(live, "GET", "/").json()
    # the same file, loaded again: the same model, no failure
    assert (after["model_id"], after["failed"]) == (before["model_id"], "")
    more = live.ask("tell me more", sender=me)
    assert store.topics["home_visits"].summary["en"] in more[0]["text"]
