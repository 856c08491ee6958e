"""Scale-out, end to end (make test-scaled): Redis, nginx, two Rasa servers and
two action servers, as `make run-scaled` starts them (devtools/scaled.py),
each answering from its own clone of the content repository. Then faults,
each under load: Redis restarted, an action server killed, a Rasa server
killed. Every number is printed at the end of the run."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
import redis
import requests

from devtools import benchmark, retrain
from devtools.benchmark import OK, Reply, Run
from devtools.paths import STORE
from devtools.scaled import KEY_PREFIX, ScaledStack
from devtools.servers import call_action, free_port, stop_group, topic_of, wait_for
from policy_assistant.live_store import shared_store
from policy_assistant.usage_counts import ASKED
from rasa_server.settings import TurnSettings
from staff_console.config import connect
from staff_console.content_repo import MAIN, ContentRepo
from staff_console.usage import Usage
from tests.conftest import SCALED_REPORT as REPORT

pytestmark = pytest.mark.scaled

QUESTION = "will police knock on my door for ICE?"
store = shared_store().get()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledStack]:
    work = tmp_path_factory.mktemp("scaled")
    content = work / "content"
    ContentRepo(content).ensure(STORE)
    # sharing a question is on (the offer quotes the question, which must never
    # reach Redis or a log), and every action server sends its counts, to a
    # console that test_every_action_server_counts_in_the_consoles_database
    # starts (before it, the counts wait in each action server's memory)
    console_port = free_port()
    scaled = ScaledStack(
        work / "stack",
        rasa_replicas=2,
        action_replicas=2,
        content_repo=content,
        extra_env={
            "CONSOLE_INTERNAL_URL": f"http://127.0.0.1:{console_port}/staff/internal",
            "STAFF_DB": str(work / "staff.sqlite3"),
        },
    )
    scaled.start()
    scaled.console_port = console_port  # its console: started by the test that needs it
    try:
        yield scaled
    finally:
        scaled.stop()


def sender() -> str:
    return f"scaled-{uuid.uuid4().hex[:12]}"


def ask(url: str, message: str, conversation: str) -> List[Dict[str, Any]]:
    response = requests.post(
        url + "/webhooks/rest/webhook",
        json={"sender": conversation, "message": message},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def direct(stack: ScaledStack, number: int) -> str:
    """One Rasa server's own address, past nginx."""
    return f"http://127.0.0.1:{stack.rasa_ports[number]}"


def kept(stack: ScaledStack, conversation: str) -> Dict[str, Any] | None:
    """The conversation as Redis holds it (REST conversations are rest:<sender>)."""
    raw = stack.redis_client().get(f"{KEY_PREFIX}:tracker:rest:{conversation}")
    return json.loads(raw) if raw else None


def user_turns(stack: ScaledStack, conversation: str) -> int:
    tracker = kept(stack, conversation)
    return sum(e["event"] == "user" for e in tracker["events"]) if tracker else 0


# --- the same assistant through nginx --------------------------------------------------------------


def test_a_conversation_continues_on_the_other_server(stack: ScaledStack) -> None:
    me = sender()
    assert topic_of(ask(direct(stack, 0), QUESTION, me)) == "home_visits"
    who = ask(direct(stack, 1), "who said that?", me)  # a server that never saw the question
    assert "Steve Conrad" in who[0]["text"] and topic_of(who) is None
    when = ask(stack.url, "when was that said?", me)
    assert "7 September 2017" in when[0]["text"]


def test_web_page_rest_and_fallback_through_nginx(stack: ScaledStack) -> None:
    page = requests.get(stack.url + "/webhooks/webchat/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert requests.get(stack.url + "/webhooks/webchat/app.js", timeout=10).ok
    assert topic_of(ask(stack.url, "Can I call 911 if I'm undocumented?", sender())) == "report_crime_safely"
    fallback = ask(stack.url, "zxqv blorp wug", sender())
    assert topic_of(fallback) is None
    assert fallback[0]["text"].startswith("I'm not sure I understood")
    big = requests.post(stack.url + "/webhooks/rest/webhook", data=b"{" + b"x" * 100_000, timeout=10)
    assert big.status_code in (400, 413) and "nginx" not in big.text  # the assistant's own refusal


def test_conversations_in_redis_keep_no_words_and_expire(stack: ScaledStack) -> None:
    me = sender()
    words = "will the police ask about my immigration status while I'm at the bus stop?"
    ask(stack.url, words, me)
    tracker = kept(stack, me)
    assert tracker is not None and user_turns(stack, me) == 1
    client = stack.redis_client()
    everything = " ".join(str(client.get(k)) for k in client.keys("*") if client.type(k) == "string")
    assert "bus stop" not in everything and words not in everything
    assert 1790 <= client.ttl(f"{KEY_PREFIX}:tracker:rest:{me}") <= 1800  # forgotten 30 minutes after
    with pytest.raises(redis.RedisError, match="(?i)auth"):  # Redis asks every client for the password
        redis.Redis(port=stack.redis_port).keys("*")
    for number in range(stack.rasa_replicas):
        assert stack.health(number) == {"status": "ok", "conversations": "kept in Redis", "redis": "up"}
    for log in stack.logs().values():
        assert "bus stop" not in log


def test_a_question_offered_for_sharing_never_reaches_redis_or_a_log(stack: ScaledStack) -> None:
    me, marker = sender(), "quorbleflax"
    offer = ask(stack.url, f"my neighbour Rosalind says the {marker} people came by twice this week", me)
    assert any(marker in m.get("text", "") for m in offer) and not any("Rosalind" in m.get("text", "") for m in offer)
    said = ask(stack.url, "/share_question", me)  # no console here: nothing is kept, and the person is told
    en = store.language("en").messages
    assert said[0]["text"] in (en["share_failed"], en["share_expired"])
    client = stack.redis_client()
    everything = " ".join(str(client.get(k)) for k in client.keys("*") if client.type(k) == "string")
    assert marker not in everything and "Rosalind" not in everything
    for log in stack.logs().values():
        assert marker not in log and "Rosalind" not in log


@pytest.mark.parametrize("way", ["through nginx", "past nginx, to two servers"])
def test_two_messages_of_one_conversation_at_once_keep_both_turns(stack: ScaledStack, way: str) -> None:
    """The conversation's lock keeps them in order, even on two servers
    (rasa_server/redis_stores.py; Rasa's own lock store lost a turn in 20 of
    50 conversations sent past nginx: make bench-scaled measures both)."""
    targets = [stack.url, stack.url] if way == "through nginx" else [direct(stack, 0), direct(stack, 1)]

    async def both(conversation: str) -> None:
        async with benchmark.session(2, 60) as s:
            replies = await asyncio.gather(
                benchmark.post(s, targets[0], conversation, QUESTION, set()),
                benchmark.post(s, targets[1], conversation, "Can I call 911 if I'm undocumented?", set()),
            )
        assert all(r.outcome == OK for r in replies)

    conversations = [sender() for _ in range(20)]
    for conversation in conversations:
        asyncio.run(both(conversation))
    missing = [c for c in conversations if user_turns(stack, c) != 2]
    REPORT.append(f"two messages at once, {way}: {len(missing)} of {len(conversations)} conversations lost one")
    assert not missing


def test_every_action_server_counts_in_the_consoles_database(stack: ScaledStack) -> None:
    database = Path(stack.env["STAFF_DB"])
    console = stack.console_program()
    with open(stack.workdir / "console.log", "ab") as log:
        proc = subprocess.Popen(
            console.args, env={**stack.env, **console.env}, stdout=log, stderr=log, start_new_session=True
        )
    try:
        assert console.ready_url is not None
        wait_for(console.ready_url, proc, 60)
        counted_by_every_action_server(stack, database)
    finally:
        stop_group(proc)


def counted_by_every_action_server(stack: ScaledStack, database: Path) -> None:
    def counted(topic: str = "home_visits") -> int:
        with contextlib.closing(connect(database)) as db:
            rows = Usage(db).since(dt.date.today())
        return sum(c.n for c in rows if c.kind == ASKED and c.topic == topic)

    def until(done: Callable[[], bool], seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds  # each action server sends its counts within a second of an answer
        while not done() and time.monotonic() < deadline:
            time.sleep(0.2)

    # what the earlier tests' answers counted waits in each action server: one
    # more count on each sends it, in the same call
    stops = counted("traffic_stops")
    for port in stack.action_ports:
        call_action(port, stack.token, "traffic_stops")
    until(lambda: counted("traffic_stops") >= stops + len(stack.action_ports), seconds=30)  # a cold console is slow
    assert counted("traffic_stops") == stops + len(stack.action_ports)
    before = counted()
    for _ in range(6):  # spread over both action servers, by nginx
        ask(stack.url, QUESTION, sender())
    until(lambda: counted() >= before + 6)
    REPORT.append(f"counts from both action servers reached the console's database: {counted() - before} of 6")
    assert counted() == before + 6


def test_a_published_change_reaches_every_action_server_within_two_seconds(stack: ScaledStack) -> None:
    assert stack.content_repo is not None
    topic = stack.content_repo / "topics" / "home_visits.yml"
    for port in stack.action_ports:  # each is serving (the old answer) before the publish
        assert not call_action(port, stack.token, "home_visits")["summary"].startswith("Updated")
    lead = "summary:\n  en: >-\n    "
    topic.write_text(topic.read_text().replace(lead, lead + "Updated by staff: ", 1))
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=stack.content_repo, capture_output=True, text=True)
    assert branch.stdout.strip() == MAIN  # the console publishes to this branch (staff_console.content_repo)
    subprocess.run(["git", "commit", "-qam", "A test publish"], cwd=stack.content_repo, check=True, capture_output=True)
    published = time.monotonic()

    def until_updated(port: int) -> float:
        """Seconds until this action server answers with the change (each
        replica asked on its own, so that one's reload does not delay another's)."""
        while time.monotonic() - published < 10:
            if call_action(port, stack.token, "home_visits")["summary"].startswith("Updated"):
                return time.monotonic() - published
            # each probe is a whole answer: at 20 a second per replica they took
            # a good part of the two cores from the reload being timed
            time.sleep(0.1)
        return float("inf")

    with ThreadPoolExecutor(stack.action_replicas) as pool:
        waited = dict(enumerate(pool.map(until_updated, stack.action_ports)))
    REPORT.append(
        "a publish reached the action servers after "
        + ", ".join(f"{waited.get(n, float('nan')):.2f} s" for n in range(stack.action_replicas))
    )
    assert max(waited.values()) <= 2.0


# --- faults under load -----------------------------------------------------------------------------


def test_a_new_model_reaches_every_rasa_server_one_at_a_time_while_conversations_go_on(stack: ScaledStack) -> None:
    """What a retraining that passed its gate does last (devtools/retrain.py):
    each Rasa server loads the model while it serves, one at a time; here the
    same model file again, which exercises the same path."""
    me = sender()
    assert topic_of(ask(stack.url, QUESTION, me)) == "home_visits"
    servers = [direct(stack, n) for n in range(stack.rasa_replicas)]
    headers = {"Authorization": f"Bearer {stack.env['INTERNAL_TOKEN']}"}
    loaded_before = [log.count("Loading model") for log in (stack.logs()[f"rasa-{n}"] for n in range(len(servers)))]
    loading: List[int] = []  # how many servers were loading, at each look
    answers: List[str | None] = []  # the topic of each question asked through nginx meanwhile
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            states = [requests.get(f"{s}/webhooks/model/", headers=headers, timeout=10).json() for s in servers]
            loading.append(sum(state["loading"] for state in states))
            answers.append(topic_of(ask(stack.url, "Can I call 911 if I'm undocumented?", sender())))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        model_id = retrain.model_id(stack.model)
        retrain.serve_everywhere(stack.model, model_id, stack.model, servers, stack.env["INTERNAL_TOKEN"])
    finally:
        done.set()
        watcher.join()
    assert max(loading) == 1 and loading.count(1) >= 2, loading  # seen loading, never two at once
    assert answers and set(answers) == {"report_crime_safely"}  # every question meanwhile answered
    loaded_after = [log.count("Loading model") for log in (stack.logs()[f"rasa-{n}"] for n in range(len(servers)))]
    assert loaded_after == [n + 1 for n in loaded_before]  # each server loaded it once
    who = ask(stack.url, "who said that?", me)  # the conversation begun before goes on
    assert "Steve Conrad" in who[0]["text"]
    REPORT.append(
        f"model loaded on {len(servers)} Rasa servers one at a time: {len(answers)} questions answered meanwhile"
    )


def load_with_fault(stack: ScaledStack, fault: Any, repair: Any, before: float, during: float, after: float) -> Any:
    unavailable = benchmark.unavailable_texts()
    return asyncio.run(
        benchmark.under_fault(
            stack.url, benchmark.QUESTIONS, fault, repair, before, during, after, 20, 5, 30, unavailable
        )
    )


def phases(name: str, run: Run, marks: benchmark.FaultMarks, settle: float) -> tuple[List[Reply], List[Reply]]:
    """The requests sent while the process was going (from the fault until
    `settle` seconds after it) and those sent later; one line for the report."""
    dying = [r for r in run.replies if marks.stopped - 1 <= r.start < marks.stopped + settle]
    later = [r for r in run.replies if r.start >= marks.stopped + settle]
    failed = [r for r in dying if r.outcome != OK or r.unavailable]
    REPORT.append(
        f"{name}: {len(run.replies)} requests under load; {len(failed)} of {len(dying)} sent while it went failed "
        f"({benchmark.lost_breakdown(dying)}, 'unavailable' {sum(r.unavailable for r in dying)}); "
        f"{sum(r.outcome != OK or r.unavailable for r in later)} of {len(later)} sent later failed; "
        f"p95 {run.p(95):.0f} ms"
    )
    return dying, later


def test_redis_restart_under_load_keeps_answering_and_recovers(stack: ScaledStack) -> None:
    redis_process = stack.named("redis")[0]
    health_while_down: List[Dict[str, Any]] = []

    def stop_redis() -> None:
        redis_process.stop()
        health_while_down.append(stack.health(0))

    run, marks = load_with_fault(stack, stop_redis, stack.restart_redis, 5, 6, 8)
    dying, later = phases("Redis stopped for 6 s, then started again", run, marks, 0)
    assert all(r.outcome == OK for r in run.replies), benchmark.lost_breakdown(run.replies)
    assert health_while_down[0]["status"] == "degraded" and health_while_down[0]["redis"] == "down"
    assert stack.health(0)["status"] == "ok" and stack.health(1)["status"] == "ok"
    # conversations are kept again: a follow-up works on the other server
    me = sender()
    ask(direct(stack, 0), QUESTION, me)
    assert "Steve Conrad" in ask(direct(stack, 1), "who said that?", me)[0]["text"]
    logs = stack.logs()
    assert "cannot be reached" in logs["rasa-0"] and "is back after" in logs["rasa-0"]


def test_killing_an_action_server_under_load_loses_no_reply(stack: ScaledStack) -> None:
    victim = stack.named("actions-0")[0]
    run, marks = load_with_fault(stack, victim.kill, lambda: None, 5, 0.1, 10)
    dying, later = phases("action server 0 killed (SIGKILL)", run, marks, 0)
    assert all(r.outcome == OK for r in run.replies), benchmark.lost_breakdown(run.replies)
    assert run.unavailable() == 0  # nginx made the call again on the other action server
    stack.processes.remove(victim)
    stack.start_action_server(0)


def test_killing_a_rasa_server_under_load_loses_no_conversation(stack: ScaledStack) -> None:
    me = sender()
    assert topic_of(ask(direct(stack, 0), QUESTION, me)) == "home_visits"  # this conversation was on server 0
    victim = stack.named("rasa-0")[0]
    run, marks = load_with_fault(stack, victim.kill, lambda: None, 5, 0.1, 20)
    # a conversation that was mid-turn on the dead server waits for its lock to
    # expire (TURN_SECONDS, rasa_server/redis_stores.py) before it goes on
    dying, later = phases("Rasa server 0 killed (SIGKILL)", run, marks, TurnSettings().turn_seconds + 1)
    assert later and all(r.outcome == OK and not r.unavailable for r in later), benchmark.lost_breakdown(later)
    assert all(r.outcome == OK or r.detail == "HTTP 502" for r in dying), benchmark.lost_breakdown(dying)
    # nginx sends the conversation to the server left, which finds it in Redis
    who = ask(stack.url, "who said that?", me)
    assert "Steve Conrad" in who[0]["text"]
    assert user_turns(stack, me) == 2
