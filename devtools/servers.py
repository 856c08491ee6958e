"""Start and stop the real action server and Rasa server on free ports, as
`make run` starts them, and talk to them over HTTP. Used by the tests and the
benchmark."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests

from devtools.paths import BIN, MODEL, PROJECT
from devtools.supervise import RASA_THREADS
from policy_assistant import write_server_texts
from policy_assistant.store import load_store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def group_pids(pgid: int) -> List[int]:
    """Every process in process group `pgid` (a server and whatever it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # after "pid (command)": state ppid pgrp ...
        if len(fields) > 2 and int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def signal_group(proc: subprocess.Popen | None, sig: signal.Signals) -> None:
    if proc is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)


def stop_group(proc: subprocess.Popen | None) -> None:
    """Stop a server's whole process group, even a frozen one: resume it (a
    frozen process keeps a SIGTERM pending), SIGTERM, SIGKILL what is left
    after 30 s, and wait for members that outlive the leader."""
    if proc is None:
        return
    signal_group(proc, signal.SIGCONT)
    if proc.poll() is None:
        signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            signal_group(proc, signal.SIGKILL)
            proc.wait(10)
    deadline = time.monotonic() + 5
    while group_pids(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_pids(proc.pid):
        signal_group(proc, signal.SIGKILL)


def start_console(env: Dict[str, str], log: Path, port: int) -> subprocess.Popen:
    """The staff console (`python -m staff_console`: prepare, then serve) with
    `env`, its output appended to `log`; returns once it serves on `port`."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(BIN / "python"), "-m", "staff_console"],
            env=env,
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(f"http://127.0.0.1:{port}/staff/sign-in", proc, seconds=120)
    return proc


class Servers:
    """The real action server and Rasa server, as `make run` starts them."""

    def __init__(self, workdir: Path, model: Path = MODEL, rasa_env: Dict[str, str] | None = None, **env: str):
        self.workdir = workdir
        self.rasa_env = rasa_env or {}  # the Rasa server's own, over its thread settings
        self.model = model
        self.port, self.actions_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            (PROJECT / "endpoints.yml").read_text().replace("localhost:5055", f"127.0.0.1:{self.actions_port}")
        )
        self.rasa_log = workdir / "rasa.log"
        self.actions_log = workdir / "actions.log"
        self.token = secrets.token_hex(32)
        self.store = Path(env.get("ANSWER_STORE") or os.environ.get("ANSWER_STORE") or PROJECT / "answer_store")
        # the Rasa server's own texts, written from the store before it starts (as the console does)
        self.server_texts = Path(env.get("SERVER_TEXTS") or workdir / "server_texts.json")
        self.env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "ACTION_SERVER_TOKEN": self.token,
            "SERVER_TEXTS": str(self.server_texts),
            **env,
        }
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None

    def _start(self, args: List[str], log: Path, **env: str) -> subprocess.Popen:
        with open(log, "ab") as out:
            return subprocess.Popen(
                [str(BIN / "rasa"), *args],
                cwd=PROJECT,
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self, meanwhile: Callable[[], Any] | None = None) -> None:
        """Both servers, started together; `meanwhile` runs while they load
        (the retraining test starts its following Rasa servers then)."""
        self.start_actions(wait=False)
        self.start_rasa(wait=False)
        if meanwhile is not None:
            meanwhile()
        self.wait_for_actions()
        self.wait_for_rasa()

    def wait_for_actions(self) -> None:
        assert self.actions is not None, "start the action server first"
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", self.actions)

    def wait_for_rasa(self) -> None:
        assert self.rasa is not None, "start the Rasa server first"
        wait_for(f"{self.url}/webhooks/rest/", self.rasa, seconds=300)

    def start_actions(self, wait: bool = True) -> None:
        stop_group(self.actions)
        self.actions = self._start(
            ["run", "actions", "--actions", "actions", "--port", str(self.actions_port)],
            self.actions_log,
            SANIC_HOST="127.0.0.1",
        )
        if wait:
            self.wait_for_actions()

    def start_rasa(self, wait: bool = True) -> None:
        write_server_texts.write(load_store(self.store), self.server_texts)
        self.rasa = self._start(
            [
                "run",
                "--model",
                str(self.model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                str(self.endpoints),
            ],
            self.rasa_log,
            **{**RASA_THREADS, **self.rasa_env},
        )
        if wait:
            self.wait_for_rasa()

    def stop_actions(self) -> None:
        stop_group(self.actions)

    def pause_actions(self) -> None:
        """Freeze the action server (SIGSTOP): it accepts connections but never answers."""
        signal_group(self.actions, signal.SIGSTOP)

    def resume_actions(self) -> None:
        signal_group(self.actions, signal.SIGCONT)

    def stop(self) -> None:
        try:
            stop_group(self.actions)
        finally:
            stop_group(self.rasa)

    def ask(
        self,
        message: Any,
        sender: str = "pytest",
        metadata: Dict[str, Any] | None = None,
        path: str = "/webhooks/rest/webhook",
        timeout: float = 60,
    ) -> Any:
        body: Dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(self.url + path, json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()


def call_action(port: int, token: str, topic: str, sender: str = "action-call") -> Dict[str, Any]:
    """Ask one action server directly, as the Rasa server does, to answer
    `topic`; its custom payload."""
    user = {"event": "user", "text": "question", "parse_data": {"intent": {"name": topic}}, "metadata": {}}
    body = {
        "next_action": "action_answer_topic",
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "events": [user],
            "paused": False,
            "latest_message": {"text": "question", "intent": {"name": topic}},
        },
    }
    response = requests.post(
        f"http://127.0.0.1:{port}/webhook", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    return next(r["custom"] for r in response.json()["responses"] if r.get("custom"))


def payloads(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The custom payloads of a REST reply."""
    return [m["custom"] for m in messages if "custom" in m]


def topic_of(messages: List[Dict[str, Any]]) -> str | None:
    """The policy topic a REST reply answered, or None."""
    found = [p.get("topic") for p in payloads(messages) if "topic" in p]
    return found[0] if found else None
