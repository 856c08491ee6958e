"""Retraining that cannot make things worse (issue 29), end to end as staff
run it: a question the model does not understand is shared with consent and
scrubbed, a publisher assigns it to a topic in the console, a retraining whose
gate fails on purpose keeps the serving model, and the console's Retraining
button trains again, passes the gate and has the running Rasa server load the
new model while it serves: the question then gets that topic, and a
conversation begun before the switch carries on. Two more Rasa servers follow
the console's serving model, as the deployments' pods do: they stay on the
old model when the gate refuses, and load the new one one at a time.

The serving model and each candidate use config.yml with the n-gram member
alone (a full training takes over half an hour); everything else is what
`make run` runs: the Rasa server, the action server, the console, and
devtools/retrain.py started by the console's button. The gate fails on
purpose with a candidate whose regression is regularised until it learns
almost nothing. The accepted example's date is set to a fixed one, so that
after a first run the candidates' training is restored from Rasa's cache
(keyed by the data, each component's config and its class's own source: a
change only to a module that a component calls is not trained again here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import requests
import yaml

from devtools.paths import BIN, MODEL, PROJECT, STORE
from devtools.retrain import model_state
from devtools.servers import Servers, free_port, topic_of
from devtools.supervise import console_internal_url
from policy_assistant.answers import SHARE_PAYLOAD
from policy_assistant.live_store import shared_store
from staff_console.content_repo import RETRAINING_HISTORY, ContentRepo, Person
from staff_console.shared_questions import ACCEPTED_FILE
from tests.conftest import STAFF_PASSWORDS, RunningConsole, running_console
from tests.test_staff_console import csrf

pytestmark = pytest.mark.e2e
QUESTION = "what happens at the flea market raids"  # the n-gram model is not sure what this asks
TOPIC = "when_police_help_ice"
ACCEPTED_ON = "2026-12-01"  # before the test was written: never today
TRAIN_SECONDS = 1500  # a candidate: every featurizer again (the data changed), then the regression
store = shared_store().get()


def small_config(path: Path, **ngrams: Any) -> Path:
    """config.yml, its ensemble reduced to the n-gram member, with `ngrams` settings."""
    config = yaml.safe_load((PROJECT / "config.yml").read_text(encoding="utf-8"))
    for step in config["pipeline"]:
        if step["name"].endswith("IntentEnsemble"):
            step["members"] = [{**m, **ngrams} for m in step["members"] if m["kind"] == "ngrams"]
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


Stack = Tuple[Servers, RunningConsole, Path, List[Servers]]
FOLLOW_SECONDS = "2"  # how often the following servers ask the console (30 s by default)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("retrain")
    models = work / "models"
    config = small_config(work / "config.yml")
    subprocess.run(
        [
            str(BIN / "rasa"),
            "train",
            "--skip-validation",  # the project's data: the validate stage checks it
            "--config",
            str(config),
            "--out",
            str(models),
            "--fixed-model-name",
            MODEL.name[:-7],
        ],
        cwd=PROJECT,
        env={**os.environ, "ANSWER_STORE": str(STORE)},
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=TRAIN_SECONDS,
    )
    content = work / "content"
    ContentRepo(content).ensure(STORE)
    console_port = free_port()
    servers = Servers(
        work,
        model=models / MODEL.name,
        rasa_env={"MODELS_DIR": str(models)},
        ANSWER_STORE=str(content),
        INTERNAL_TOKEN=uuid.uuid4().hex + uuid.uuid4().hex,
        CONSOLE_INTERNAL_URL=console_internal_url(console_port),
    )
    servers.console_port = console_port  # type: ignore[attr-defined]
    # Two more Rasa servers, as the deployments run them: they are not named to
    # the retraining, and follow the console's serving model instead, each with
    # its own models folder (rasa_server/model_follower.py). They share the
    # action server.
    followers = []
    for name in ("follower-a", "follower-b"):
        folder = work / name
        (folder / "models").mkdir(parents=True)
        own = folder / "models" / MODEL.name
        shutil.copyfile(models / MODEL.name, own)
        follower = Servers(
            folder,
            model=own,
            rasa_env={
                "MODELS_DIR": str(folder / "models"),
                "MODEL_ORIGIN": console_internal_url(console_port) + "/model",
                "MODEL_FOLLOW_SECONDS": FOLLOW_SECONDS,
            },
            ANSWER_STORE=str(content),
            INTERNAL_TOKEN=servers.env["INTERNAL_TOKEN"],
        )
        follower.endpoints, follower.env["ACTION_SERVER_TOKEN"] = servers.endpoints, servers.token
        followers.append(follower)
    retraining = {
        "RETRAIN_SERVERS": servers.url,
        "RETRAIN_CONFIG": str(config),
        "RETRAIN_MODEL": str(servers.model),
        "RETRAIN_LOG": str(work / "retraining.log"),
    }
    try:

        def start_followers() -> None:
            for follower in followers:
                follower.start_rasa(wait=False)

        servers.start(meanwhile=start_followers)
        for follower in followers:
            follower.wait_for_rasa()
        with running_console(servers, work, **retraining) as console:
            yield servers, console, work, followers
    finally:
        for follower in followers:
            follower.stop()
        servers.stop()


def serving(servers: Servers) -> dict:
    return model_state(servers.url, servers.env["INTERNAL_TOKEN"])


def signed_in(console: RunningConsole, name: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{console.url}/staff/sign-in", timeout=10).text
    form = {"username": name, "password": STAFF_PASSWORDS[name], "csrf_token": csrf(page)}
    assert session.post(f"{console.url}/staff/sign-in", data=form, timeout=10).ok
    return session


class Watch(threading.Thread):
    """Watches the followers' model endpoints every 0.1 s, from before the
    retraining until each serves a model other than `before`: how many were
    loading at once, at most, and how many looks saw a load under way."""

    def __init__(self, followers: List[Servers], before: str):
        super().__init__(daemon=True)
        self.followers, self.before = followers, before
        self.most_at_once, self.loading_seen = 0, 0
        self.last: List[dict] = []
        self.deadline = time.monotonic() + TRAIN_SECONDS + 300

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            self.last = [serving(f) for f in self.followers]
            at_once = sum(state["loading"] for state in self.last)
            self.most_at_once = max(self.most_at_once, at_once)
            self.loading_seen += at_once > 0
            if all(state["model_id"] != self.before and not state["loading"] for state in self.last):
                return
            time.sleep(0.1)


def test_a_shared_question_is_assigned_retrained_through_the_gate_and_then_answered(stack: Stack):
    servers, console, work, followers = stack
    before = serving(servers)["model_id"]
    assert [serving(f)["model_id"] for f in followers] == [before, before]
    # 1. not understood: the offer to share it; the yes keeps it
    me = f"retrain-{uuid.uuid4().hex[:8]}"
    reply = servers.ask(QUESTION, sender=me)
    assert topic_of(reply) is None and any(
        b.get("payload") == SHARE_PAYLOAD for m in reply for b in m.get("buttons") or []
    )
    servers.ask(SHARE_PAYLOAD, sender=me)
    # 2. a publisher assigns it to a topic: a training example in the content repository
    sam = signed_in(console, "sam")
    queue = sam.get(f"{console.url}/staff/questions", timeout=10).text
    question_id = re.search(r'id="question-(\d+)">\s*<blockquote[^>]*>' + re.escape(QUESTION), queue).group(1)  # type: ignore[union-attr]
    assigned = sam.post(
        f"{console.url}/staff/questions/{question_id}/assign", data={"topic": TOPIC, "csrf_token": csrf(queue)}
    )
    accepted = (servers.store / ACCEPTED_FILE).read_text(encoding="utf-8")
    assert assigned.ok and QUESTION in accepted
    # The day it was accepted on, made a fixed one (a commit to the content
    # repository, as an edit by hand would be): the example's metadata is
    # part of the training data's fingerprint, so Rasa's cache restores the
    # candidates trained on an earlier run instead of training them again.
    fixed = re.sub(r"(accepted_on: '?)\d{4}-\d{2}-\d{2}", rf"\g<1>{ACCEPTED_ON}", accepted)
    assert fixed != accepted
    ContentRepo(servers.store).publish({ACCEPTED_FILE: fixed}, Person("sam"), Person("sam"), "date", "Fixed date")

    # 3. the gate fails on purpose (a candidate that learns almost nothing): the serving model stays
    weak = small_config(work / "weak.yml", C=0.0001)
    env = {**os.environ, **servers.env, "RETRAIN_SERVERS": servers.url, "RETRAIN_MODEL": str(servers.model)}
    refused = subprocess.run(
        [str(BIN / "python"), "-m", "devtools.retrain", "--content", str(servers.store), "--config", str(weak)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TRAIN_SECONDS,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Retraining refused" in refused.stdout and "points" in refused.stdout.split("Retraining refused")[1]
    kept = serving(servers)
    assert (kept["model_id"], kept["loading"]) == (before, False)
    assert list((servers.model.parent / "candidates").glob("*.tar.gz")) == []  # the refused candidate is gone
    assert topic_of(servers.ask(QUESTION, sender=f"{me}-2")) is None  # still not understood
    time.sleep(2 * float(FOLLOW_SECONDS))  # the followers asked the console again, and stay
    assert [serving(f)["model_id"] for f in followers] == [before, before]

    # 4. a conversation under way, then the publisher's button: the new model passes and serves
    other = f"retrain-{uuid.uuid4().hex[:8]}"
    assert topic_of(servers.ask("will police knock on my door for ICE?", sender=other)) == "home_visits"
    watch = Watch(followers, before)
    watch.start()
    page = sam.get(f"{console.url}/staff/retraining", timeout=10).text
    started = sam.post(f"{console.url}/staff/retraining", data={"csrf_token": csrf(page)}, timeout=10)
    assert started.ok and "Retraining started" in started.text
    deadline = time.monotonic() + TRAIN_SECONDS
    while "A retraining is running" in (page := sam.get(f"{console.url}/staff/retraining", timeout=10).text):
        assert time.monotonic() < deadline, "the retraining did not end"
        time.sleep(1)
    log = (work / "retraining.log").read_text(encoding="utf-8")
    assert "passed the gate and serves" in log, log
    now = serving(servers)
    assert now["model_id"] != before and not now["loading"] and not now["failed"]
    # the question assigned to the topic now gets it; the conversation begun before carries on
    assert topic_of(servers.ask(QUESTION, sender=f"{me}-3")) == TOPIC
    more = servers.ask("tell me more", sender=other)
    assert store.topics["home_visits"].summary["en"] in more[0]["text"]
    # the servers that follow the console load it too, one at a time, while they answer
    follower = followers[0]
    assert topic_of(follower.ask("will police knock on my door for ICE?", sender=other)) == "home_visits"
    watch.join(timeout=300)
    assert [state["model_id"] for state in watch.last] == [now["model_id"]] * 2, watch.last
    assert not any(state["failed"] for state in watch.last), watch.last
    assert watch.most_at_once == 1 and watch.loading_seen > 0  # it saw them load, never both at once
    for f in followers:
        assert topic_of(f.ask(QUESTION, sender=f"{me}-{f.port}")) == TOPIC
        assert [p.name for p in (f.workdir / "models").glob("followed-*.tar.gz")] != []
    assert store.topics["home_visits"].summary["en"] in follower.ask("tell me more", sender=other)[0]["text"]
    # both retrainings are in the history, and nothing anyone wrote is in a log
    history = yaml.safe_load(ContentRepo(servers.store).read(RETRAINING_HISTORY) or "[]")
    assert [entry["outcome"].split(":")[0] for entry in history] == ["refused", "serving"]
    assert [entry["by"] for entry in history][1] == "sam"
    assert "Retraining refused" in sam.get(f"{console.url}/staff/history", timeout=10).text
    logs = [*work.glob("*.log"), *work.glob("follower-*/*.log")]
    for text in (log, refused.stdout, refused.stderr, *(p.read_text(errors="replace") for p in logs)):
        assert QUESTION not in text and "flea market" not in text
