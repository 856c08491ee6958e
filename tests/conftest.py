"""Shared fixtures: the real answer store (or a copy of it to edit), and the
real action server and Rasa server started on free ports."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parent.parent
STORE = PROJECT / "answer_store"
MODEL = PROJECT / "models" / "policy-assistant.tar.gz"
ARTICLE = PROJECT.parent / "shared" / "source" / "rotary-club-article.txt"
BIN = Path(sys.executable).parent


@pytest.fixture
def store_copy(tmp_path):
    """A copy of the real answer store that a test may edit."""
    target = tmp_path / "answer_store"
    shutil.copytree(STORE, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


class Servers:
    """The real action server and Rasa server, as `make run` starts them."""

    def __init__(self, workdir: Path, **env: str):
        self.workdir = workdir
        self.port, self.actions_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            (PROJECT / "endpoints.yml").read_text().replace("localhost:5055", f"127.0.0.1:{self.actions_port}"))
        self.rasa_log = workdir / "rasa.log"
        self.actions_log = workdir / "actions.log"
        self.env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env}
        self.actions = self.rasa = None

    def start_actions(self) -> None:
        self.actions = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=PROJECT, env=self.env, stdout=open(self.actions_log, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", self.actions)

    def stop_actions(self) -> None:
        if self.actions and self.actions.poll() is None:
            os.killpg(self.actions.pid, signal.SIGTERM)
            self.actions.wait(30)

    def start_rasa(self) -> None:
        self.rasa = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(self.port),
             "--credentials", "credentials.yml", "--endpoints", str(self.endpoints)],
            cwd=PROJECT, env=self.env, stdout=open(self.rasa_log, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(f"{self.url}/webhooks/rest/", self.rasa, seconds=300)

    def stop(self) -> None:
        self.stop_actions()
        if self.rasa and self.rasa.poll() is None:
            os.killpg(self.rasa.pid, signal.SIGTERM)
            self.rasa.wait(30)

    def ask(self, message, sender="pytest", metadata=None, path="/webhooks/rest/webhook", timeout=60):
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(self.url + path, json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    s = Servers(tmp_path_factory.mktemp("servers"))
    try:
        s.start_actions()
        s.start_rasa()
        yield s
    finally:
        s.stop()


@pytest.fixture
def live(servers):
    """The running servers, with the action server up even if a test stopped it."""
    if servers.actions is None or servers.actions.poll() is not None:
        servers.start_actions()
    return servers


def payloads(messages):
    return [m["custom"] for m in messages if "custom" in m]


def topic_of(messages):
    found = [p.get("topic") for p in payloads(messages) if "topic" in p]
    return found[0] if found else None


def pytest_terminal_summary(terminalreporter):
    from tests import test_nlu_holdout

    if test_nlu_holdout.REPORT:
        terminalreporter.section("held-out NLU accuracy")
        for line in test_nlu_holdout.REPORT:
            terminalreporter.write_line(line)
