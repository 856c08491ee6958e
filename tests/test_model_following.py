"""The Rasa servers follow the console's serving model (issue 29, in the
deployments): the console's internal model endpoints and their one-at-a-time
turn (staff_console/views/internal.py), a round of the follower
(rasa_server/model_follower.py) against the real console application served
over HTTP, and a newly deployed image's model taking over
(devtools/retrain.py, take_image_model). Model files here are small files of
random bytes: what is checked is which file, not what it holds. A real model
followed by real Rasa servers is in tests/test_e2e_retrain.py."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, List

import pytest
from werkzeug.serving import make_server

from devtools import retrain
from policy_assistant.model_files import fingerprint
from rasa_server.model_follower import FOLLOWED, Console, Following, Mismatch, follow
from rasa_server.settings import ModelSettings
from staff_console.app import create_app
from tests.test_staff_console import prepared_config

TOKEN = "5c0e9a7d21f4b8e36a90c2d7f1e4b5a8c3d6e9f2a1b4c7d0"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def model_file(path: Path, seed: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha512(seed).digest() * 4096)  # 256 KiB
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "console-models" / "policy-assistant.tar.gz"
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    monkeypatch.setenv("RETRAIN_MODEL", str(path))
    return path


@pytest.fixture
def app(tmp_path: Path, serving: Path) -> Any:
    return create_app(prepared_config(tmp_path))


def test_a_fingerprint_is_the_files_sha256_and_changes_when_the_file_is_replaced(tmp_path):
    first = model_file(tmp_path / "m.tar.gz", b"one")
    assert fingerprint(first) == sha(first)
    newer = model_file(tmp_path / "new.tar.gz", b"two")
    os.replace(newer, first)  # as devtools/retrain.py installs a model
    assert fingerprint(first) == sha(first) != sha(model_file(tmp_path / "x", b"one"))


def test_the_console_says_which_model_serves_and_serves_its_file(app, serving):
    client = app.test_client()
    assert client.get("/staff/internal/model", headers=AUTH).status_code == 404  # none yet
    model_file(serving, b"serving")
    said = client.get("/staff/internal/model", headers=AUTH).get_json()
    assert said == {"sha256": sha(serving), "size": serving.stat().st_size}
    assert client.get("/staff/internal/model/file", headers=AUTH).data == serving.read_bytes()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {**AUTH, "X-Forwarded-For": "203.0.113.9"}],
    ids=["no token", "wrong token", "through a proxy"],
)
def test_the_model_endpoints_are_internal(app, serving, headers):
    model_file(serving, b"serving")
    client = app.test_client()
    body = {"holder": "rasa-1:7", "sha256": sha(serving)}
    for status in (
        client.get("/staff/internal/model", headers=headers).status_code,
        client.get("/staff/internal/model/file", headers=headers).status_code,
        client.post("/staff/internal/model/turn", json=body, headers=headers).status_code,
    ):
        assert status in (401, 404)


def test_one_server_at_a_time_has_the_turn_to_load(app, serving):
    model_file(serving, b"serving")
    client = app.test_client()

    def take(holder: str, wanted: str = sha(serving)) -> int:
        return client.post(
            "/staff/internal/model/turn", json={"holder": holder, "sha256": wanted}, headers=AUTH
        ).status_code

    assert take("rasa-1:7") == 200
    assert take("rasa-2:7") == 409  # rasa-1 is loading
    assert take("rasa-1:7") == 200  # asking again keeps it
    client.delete("/staff/internal/model/turn", json={"holder": "rasa-2:7"}, headers=AUTH)  # not its turn: nothing
    assert take("rasa-2:7") == 409
    client.delete("/staff/internal/model/turn", json={"holder": "rasa-1:7"}, headers=AUTH)
    assert take("rasa-2:7") == 200
    assert take("rasa-3:7", "0" * 64) == 409  # a model that no longer serves: ask again
    for bad in ({"holder": "a b", "sha256": sha(serving)}, {"holder": "x"}, ["x"], {"holder": "x" * 201}):
        assert client.post("/staff/internal/model/turn", json=bad, headers=AUTH).status_code == 400


def test_a_turn_not_given_back_ends_by_itself(app, serving):
    from staff_console.views.internal import Turn

    model_file(serving, b"serving")
    app.extensions["model_turn"] = Turn(seconds=0.2)
    client = app.test_client()
    body = {"sha256": sha(serving)}
    assert client.post("/staff/internal/model/turn", json={**body, "holder": "died:1"}, headers=AUTH).status_code == 200
    assert client.post("/staff/internal/model/turn", json={**body, "holder": "b:2"}, headers=AUTH).status_code == 409
    threading.Event().wait(0.3)
    assert client.post("/staff/internal/model/turn", json={**body, "holder": "b:2"}, headers=AUTH).status_code == 200


@pytest.fixture
def console_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/staff/internal/model"
    finally:
        server.shutdown()


class Server:
    """A Rasa server as the follower sees it: the file its processor loaded,
    and a load that records what it was asked to load."""

    def __init__(self, model: Path, fails: bool = False):
        self.agent = SimpleNamespace(processor=SimpleNamespace(model_path=model))
        self.fails = fails
        self.loaded: List[Path] = []

    async def load(self, path: Path) -> str:
        assert path.is_file() and sha(path) == path.name[len(FOLLOWED) : -len(".tar.gz")]
        self.loaded.append(path)
        if self.fails:
            return "ValueError"
        self.agent.processor.model_path = path
        return ""


def round_of(server: Server, following: Following, settings: ModelSettings) -> str:
    return asyncio.run(follow(server.agent, server.load, following, settings))


def test_a_server_follows_the_consoles_model_once_and_drops_the_one_it_followed_before(tmp_path, serving, console_url):
    own = model_file(tmp_path / "image" / "policy-assistant.tar.gz", b"image")
    model_file(serving, b"image")  # the console serves the image's model: nothing to do
    server, following = Server(own), Following(holder="rasa-1:7")
    settings = ModelSettings(model_origin=console_url, internal_token=TOKEN, models_dir=tmp_path / "followed")
    assert round_of(server, following, settings) == "current" and server.loaded == []

    model_file(serving, b"retrained")  # a retraining passed the gate
    assert round_of(server, following, settings) == "loaded"
    first = server.loaded[-1]
    assert first.parent == settings.models_dir and sha(first) == sha(serving)
    assert round_of(server, following, settings) == "current" and len(server.loaded) == 1

    model_file(serving, b"retrained again")
    assert round_of(server, following, settings) == "loaded"
    assert [p.name for p in settings.models_dir.iterdir()] == [server.loaded[-1].name]  # the first is gone
    assert own.is_file()  # never the file it started with


def test_a_model_that_fails_to_load_is_not_tried_again_and_the_turn_is_given_back(tmp_path, serving, console_url):
    model_file(serving, b"retrained")
    server, following = Server(model_file(tmp_path / "own.tar.gz", b"image"), fails=True), Following(holder="a:1")
    settings = ModelSettings(model_origin=console_url, internal_token=TOKEN, models_dir=tmp_path / "followed")
    assert round_of(server, following, settings) == "failed"
    assert round_of(server, following, settings) == "current" and len(server.loaded) == 1
    other = Server(model_file(tmp_path / "other.tar.gz", b"image"))
    assert round_of(other, Following(holder="b:2"), settings) == "loaded"  # the failed server gave the turn back


def test_a_server_waits_while_another_loads_and_serves_on_when_the_console_is_away(tmp_path, serving, console_url):
    model_file(serving, b"retrained")
    settings = ModelSettings(model_origin=console_url, internal_token=TOKEN, models_dir=tmp_path / "followed")
    loading_elsewhere = Following(holder="rasa-1:7")
    import requests

    taken = requests.post(
        f"{console_url}/turn",
        json={"holder": loading_elsewhere.holder, "sha256": sha(serving)},
        headers=AUTH,
        timeout=5,
    )
    assert taken.status_code == 200
    server = Server(model_file(tmp_path / "own.tar.gz", b"image"))
    assert round_of(server, Following(holder="rasa-2:7"), settings) == "waiting for the turn"
    assert server.loaded == [] and not settings.models_dir.exists()
    away = ModelSettings(model_origin="http://127.0.0.1:9/staff/internal/model", internal_token=TOKEN)
    assert round_of(server, Following(), away) == "not reached"
    wrong = ModelSettings(model_origin=console_url, internal_token="x" * 48)
    assert round_of(server, Following(), wrong) == "not reached"


def test_a_server_whose_own_model_did_not_load_follows_the_console(tmp_path, serving, console_url):
    model_file(serving, b"retrained")
    server = Server(tmp_path / "never-loaded.tar.gz")
    server.agent.processor = None  # Rasa started without a model
    settings = ModelSettings(model_origin=console_url, internal_token=TOKEN, models_dir=tmp_path / "followed")
    server.load = lambda path: started(server, path)  # type: ignore[method-assign]
    assert round_of(server, Following(), settings) == "loaded" and server.loaded[0].is_file()


async def started(server: Server, path: Path) -> str:
    """A load into a server with no processor yet: Rasa's Agent.load_model makes one."""
    server.agent.processor = SimpleNamespace(model_path=path)
    server.loaded.append(path)
    return ""


def test_a_download_that_is_not_the_model_named_is_not_kept(tmp_path, serving, console_url):
    model_file(serving, b"retrained")
    with pytest.raises(Mismatch):  # the console installed another model after it was asked
        Console(console_url, TOKEN).download("0" * 64, tmp_path / "followed")
    assert list((tmp_path / "followed").iterdir()) == []
    kept = Console(console_url, TOKEN).download(sha(serving), tmp_path / "followed")
    assert kept.read_bytes() == serving.read_bytes()


def test_a_newly_deployed_images_model_takes_over_once_and_the_last_is_kept(tmp_path):
    image = model_file(tmp_path / "app" / "policy-assistant.tar.gz", b"image 1")
    serving = tmp_path / "data" / "models" / "policy-assistant.tar.gz"
    assert retrain.take_image_model(image, serving) and sha(serving) == sha(image)
    model_file(tmp_path / "candidate", b"retrained")
    retrain.install(tmp_path / "candidate", serving)  # a retraining passed
    assert not retrain.take_image_model(image, serving)  # the same image started again: the retrained model stays
    assert sha(serving) == sha(model_file(tmp_path / "c2", b"retrained"))
    model_file(image, b"image 2")  # a new image
    assert retrain.take_image_model(image, serving) and sha(serving) == sha(image)
    previous = serving.with_name("policy-assistant.previous.tar.gz")
    assert sha(previous) == sha(tmp_path / "c2")
    assert not retrain.take_image_model(serving, serving)
