"""Print the numbers the project is judged by: training time (with --train),
server start-up time, memory (RSS) and response times over HTTP, sequentially
and under load. A benchmark, not a test: it prints numbers and asserts nothing.

Sections (choose with --only, default all):

* sequential  one request at a time (median, p95, max);
* load        --parallel conversations at once for --seconds, each of --turns
              messages from its own new sender, then a new conversation;
* senders     --senders distinct senders, one message each, --parallel at once
              (what many people asking once costs in time and memory);
* fault       the load, with the action server frozen (SIGSTOP on its process
              group) for --fault-stop seconds after --fault-before seconds, then
              resumed (SIGCONT) and loaded --fault-after seconds more;
* reload      the load, while the Rasa server loads the model again
              (rasa_server/model_channel.py, as a retraining has it load a new
              one) after --fault-before seconds: how long the load takes, the
              Rasa server's memory before, at its highest during and after it,
              and the replies before, during and after; --reloads times in a
              row, to tell memory kept for reuse from memory lost (not in the
              default run);
* follow      the same, while the Rasa server follows a new model from the
              console, as the deployments' pods do (rasa_server/
              model_follower.py): a staff console serves the model, and after
              --fault-before seconds --candidate (another model file) becomes
              its serving model; the server downloads, checks and loads it
              (not in the default run).

With --starter, the sequential and load sections are also run against Rasa's
starter bot (`rasa init`, trained in a temporary folder) in the same run,
because this machine is noisy, and the ratios are printed.

Latencies are client-side, from sending a request to having read its whole
reply; a request that never got a reply counts with the time it waited (at most
--timeout). Percentiles are nearest-rank. A reply is lost when there was no
reply at all (timeout, connection error), a status other than 200, or a 200
with no messages.

Usage: .venv/bin/python -m devtools.benchmark [--starter] [--only load,fault] [--seconds 60] ...
(make bench runs everything with --starter)"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import aiohttp

from devtools.paths import BIN, MODEL, PROJECT
from devtools.retrain import model_id
from devtools.servers import Servers, free_port, group_pids, start_console, stop_group, wait_for
from devtools.supervise import RASA_THREADS

QUESTIONS = [
    "will the police ask about my immigration status?",
    "Can I call 911 if I'm undocumented?",
    "Will police knock on my door for ICE?",
    "¿la policía me va a preguntar por mis papeles?",
    "who said that?",
    "hello",
    "what did the kycir report find",
    "la migra esta en mi puerta",
]

# what the starter bot (rasa init) understands
STARTER_QUESTIONS = ["hello", "I am sad", "yes", "great", "are you a bot?", "goodbye", "hi there", "very good"]

SECTIONS = ("sequential", "load", "senders", "fault", "reload", "follow")
DEFAULT_SECTIONS = SECTIONS[:4]
OURS, STARTER = "this assistant", "rasa init starter"
WEBHOOK = "/webhooks/rest/webhook"

# outcomes of one request
OK = "ok"
NO_REPLY = "no reply"  # timeout or connection error
NON_200 = "non-200"
EMPTY = "empty"  # 200 without any message
LOST = (NO_REPLY, NON_200, EMPTY)
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Rejection|Timeout)\b.*")


def say(*parts: object, sep: str = " ") -> None:
    print(*parts, sep=sep, flush=True)


# --- numbers -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `percent` % of
    the values at or below it (p50 is the lower median). NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = math.ceil(round(percent / 100 * len(ordered), 9))  # round: 0.07 * 100 is 7.000000000000001
    return ordered[min(len(ordered), max(1, rank)) - 1]


def ratio(ours: float, theirs: float) -> str:
    if math.isnan(ours) or math.isnan(theirs) or theirs == 0:
        return "-"
    return f"{ours / theirs:.2f}"


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# --- processes -----------------------------------------------------------------------------------


def rss_mib(pgid: int) -> float:
    """Resident memory of a process group (a server started in its own
    session, so its pid is the group id), in MiB."""
    total = 0
    for pid in group_pids(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def server_rss(proc: subprocess.Popen | None) -> float | None:
    return None if proc is None or proc.poll() is not None else rss_mib(proc.pid)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(procs: Sequence[subprocess.Popen | None]) -> float:
    """CPU time (user + system, every thread) spent so far by the process
    groups of these servers (each started in its own session)."""
    total = 0
    for proc in procs:
        if proc is None:
            continue
        for pid in group_pids(proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return total / CLOCK_TICKS


@contextmanager
def cpu_per_request(procs: Sequence[subprocess.Popen | None], runs: list[Run]) -> Iterator[None]:
    """Sets the CPU milliseconds per request of the runs recorded in the block
    (the servers' CPU over the block divided by its requests)."""
    before, first = cpu_seconds(procs), len(runs)
    yield
    spent = cpu_seconds(procs) - before
    requests = sum(len(run.replies) for run in runs[first:])
    for run in runs[first:]:
        run.cpu_ms = 1000 * spent / requests if requests else math.nan


@contextmanager
def no_interrupts() -> Iterator[None]:
    """Let clean-up finish even if Ctrl-C is pressed again."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def console_model(workdir: Path) -> Path:
    """The staff console's serving model in the follow section."""
    return workdir / "console-models" / MODEL.name


@contextmanager
def our_servers(
    workdir: Path, model: Path = MODEL, threads: int | None = None, follow: bool = False
) -> Iterator[Servers]:
    """The action server and the Rasa server, stopped (process groups) however
    the block ends; `threads` in each of the Rasa server's thread pools (none:
    as `make run` sets them). With `follow`, a staff console serves a copy of
    `model` (console_model: nothing to follow yet), and the Rasa server
    follows it (the follow section)."""
    pools = {name: str(threads) for name in RASA_THREADS} if threads else {}
    # the token of the model loading endpoint (the reload section), and where the model's folder is
    token = secrets.token_hex(32)
    rasa_env = {**pools, "MODELS_DIR": str(model.parent)}
    console = None
    if follow:
        console_model(workdir).parent.mkdir()
        shutil.copyfile(model, console_model(workdir))
        console_port = free_port()
        rasa_env.update(
            MODELS_DIR=str(workdir / "followed"),
            MODEL_ORIGIN=f"http://127.0.0.1:{console_port}/staff/internal/model",
            MODEL_FOLLOW_SECONDS="2",
        )
        console = console_serving(workdir, console_port, console_model(workdir), token)
    servers = Servers(workdir, model, rasa_env=rasa_env, INTERNAL_TOKEN=token)
    try:
        yield servers
    finally:
        with no_interrupts():
            servers.stop()
            stop_group(console)


def console_serving(workdir: Path, port: int, model: Path, token: str) -> subprocess.Popen:
    """A staff console whose serving model is `model` (RETRAIN_MODEL), as the deployments run it."""
    env = {
        **os.environ,
        "CONTENT_REPO": str(workdir / "content"),
        "STAFF_DB": str(workdir / "staff.sqlite3"),
        "STAFF_SECRET_KEY": secrets.token_hex(32),
        "STAFF_CONSOLE_PORT": str(port),
        "INTERNAL_TOKEN": token,
        "RETRAIN_MODEL": str(model),
        "SERVER_TEXTS": str(workdir / "console_texts.json"),
    }
    return start_console(env, workdir / "console.log", port)


@contextmanager
def starter_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """Rasa's starter bot, made and trained by `rasa init` in a temporary
    folder, served on loopback."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", folder],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        say(f"starter bot: rasa init (with training) {time.perf_counter() - start:.0f} s")
        port = free_port()
        proc: subprocess.Popen | None = None
        try:
            with open(Path(folder) / "server.log", "ab") as log:
                proc = subprocess.Popen(
                    [str(BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(port)],
                    cwd=folder,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            start = time.perf_counter()
            wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", proc, seconds=300)
            say(f"starter bot: start-up {time.perf_counter() - start:.1f} s")
            yield f"http://127.0.0.1:{port}", proc
        finally:
            with no_interrupts():
                stop_group(proc)


# --- one request ---------------------------------------------------------------------------------


@dataclass
class Reply:
    start: float  # time.perf_counter() when sent
    end: float  # ... when the reply was read, or the request gave up
    outcome: str  # OK or one of LOST
    detail: str = ""  # "timeout", "HTTP 500", ...
    unavailable: bool = False  # the "can't reach my answers right now" message

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


async def post(session: aiohttp.ClientSession, url: str, sender: str, text: str, unavailable: set[str]) -> Reply:
    start = time.perf_counter()
    try:
        async with session.post(url + WEBHOOK, json={"sender": sender, "message": text}) as response:
            status, body = response.status, await response.read()
    except asyncio.TimeoutError:
        return Reply(start, time.perf_counter(), NO_REPLY, "timeout")
    except aiohttp.ClientError as error:
        return Reply(start, time.perf_counter(), NO_REPLY, type(error).__name__)
    end = time.perf_counter()
    if status != 200:
        return Reply(start, end, NON_200, f"HTTP {status}")
    try:
        messages = json.loads(body)
    except ValueError:
        return Reply(start, end, EMPTY, "not JSON")
    if not isinstance(messages, list) or not messages:
        return Reply(start, end, EMPTY, "no messages")
    texts = {m.get("text") for m in messages if isinstance(m, dict)}
    return Reply(start, end, OK, unavailable=bool(texts & unavailable))


def session(parallel: int, timeout: float) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=parallel),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


# --- the runs ------------------------------------------------------------------------------------


@dataclass
class Run:
    bot: str
    section: str
    replies: list[Reply]
    elapsed: float  # wall-clock seconds of the whole run
    rss: dict[str, float | None] = field(default_factory=dict)
    cpu_ms: float = math.nan  # the servers' CPU per request, every thread (cpu_per_request)

    def latencies(self) -> list[float]:
        return [r.ms for r in self.replies]

    def rps(self) -> float:
        """Requests finished per second (all outcomes)."""
        return len(self.replies) / self.elapsed if self.elapsed > 0 else math.nan

    def good_rps(self) -> float:
        """Real answers per second: neither lost nor the 'unavailable' message."""
        good = sum(r.outcome == OK and not r.unavailable for r in self.replies)
        return good / self.elapsed if self.elapsed > 0 else math.nan

    def p(self, percent: float) -> float:
        return percentile(self.latencies(), percent)

    def lost(self) -> list[Reply]:
        return [r for r in self.replies if r.outcome in LOST]

    def unavailable(self) -> int:
        return sum(r.unavailable for r in self.replies)


def lost_breakdown(replies: Sequence[Reply]) -> str:
    counts = Counter(f"{r.outcome}: {r.detail}" for r in replies if r.outcome != OK)
    return ", ".join(f"{n} {what}" for what, n in counts.most_common()) or "none"


async def warm_up(url: str, questions: Sequence[str], unavailable: set[str]) -> None:
    async with session(1, 120) as s:
        sender = f"warm-{uuid.uuid4().hex[:8]}"
        for q in questions:
            await post(s, url, sender, q, unavailable)


async def sequential(url: str, questions: Sequence[str], count: int, timeout: float, unavailable: set[str]) -> Run:
    """`count` requests one after another, over 10 senders."""
    replies = []
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    async with session(1, timeout) as s:
        start = time.perf_counter()
        for i in range(count):
            replies.append(await post(s, url, f"{sender}-{i % 10}", questions[i % len(questions)], unavailable))
        return Run("", "sequential", replies, time.perf_counter() - start)


async def conversations(
    url: str,
    questions: Sequence[str],
    seconds: float,
    parallel: int,
    turns: int,
    timeout: float,
    unavailable: set[str],
    until: asyncio.Event | None = None,
) -> Run:
    """`parallel` conversations at a time for `seconds` (or until `until` is
    set): each a new sender that sends `turns` messages one after another.
    Requests in flight at the end are waited for (at most `timeout`)."""
    replies: list[Reply] = []
    asked = itertools.count()
    async with session(parallel, timeout) as s:
        start = time.perf_counter()
        deadline = start + seconds

        def over() -> bool:
            return time.perf_counter() >= deadline or (until is not None and until.is_set())

        async def person(number: int) -> None:
            while not over():
                sender = f"load-{number}-{uuid.uuid4().hex[:12]}"
                for _ in range(turns):
                    if over():
                        return
                    replies.append(await post(s, url, sender, questions[next(asked) % len(questions)], unavailable))

        await asyncio.gather(*(person(n) for n in range(parallel)))
        return Run("", "load", replies, time.perf_counter() - start)


async def many_senders(
    url: str,
    questions: Sequence[str],
    count: int,
    parallel: int,
    timeout: float,
    unavailable: set[str],
    rss: Callable[[], float | None] = lambda: None,
    memory: list[tuple[int, float | None]] | None = None,
) -> Run:
    """`count` distinct senders, one message each, `parallel` at a time; the
    Rasa server's RSS (`rss()`) is sampled into `memory` every tenth of them."""
    replies: list[Reply] = []
    step = max(1, count // 10)
    numbers = iter(range(count))
    run_id = uuid.uuid4().hex[:8]
    async with session(parallel, timeout) as s:
        start = time.perf_counter()

        async def worker() -> None:
            for n in numbers:  # shared: each sender is taken once
                replies.append(await post(s, url, f"many-{run_id}-{n}", questions[n % len(questions)], unavailable))
                if memory is not None and (n + 1) % step == 0:
                    memory.append((n + 1, rss()))

        await asyncio.gather(*(worker() for _ in range(parallel)))
        return Run("", "senders", replies, time.perf_counter() - start)


@dataclass
class FaultMarks:
    stopped: float = math.nan
    resumed: float = math.nan


async def under_fault(
    url: str,
    questions: Sequence[str],
    freeze: Callable[[], None],
    thaw: Callable[[], None],
    before: float,
    stop: float,
    after: float,
    parallel: int,
    turns: int,
    timeout: float,
    unavailable: set[str],
) -> tuple[Run, FaultMarks]:
    marks = FaultMarks()

    async def saboteur() -> None:
        await asyncio.sleep(before)
        marks.stopped = time.perf_counter()
        freeze()
        try:
            await asyncio.sleep(stop)
        finally:
            thaw()
            marks.resumed = time.perf_counter()

    load: Awaitable[Run] = conversations(url, questions, before + stop + after, parallel, turns, timeout, unavailable)
    run, _ = await asyncio.gather(load, saboteur())
    run.section = "fault"
    return run, marks


@dataclass
class ReloadMarks:
    asked: float = math.nan  # the load was asked for
    loaded: float = math.nan  # the server said it was no longer loading
    rss: dict[str, float] = field(default_factory=dict)  # the Rasa server's RSS: before, peak, after
    failed: str = ""


async def during_reload(
    servers: Servers,
    model: str,
    before: float,
    after: float,
    args: argparse.Namespace,
    unavailable: set[str],
    follow: tuple[Path, str] | None = None,
) -> tuple[Run, ReloadMarks]:
    """The load of the conversations section, while the Rasa server loads
    `model` (a file of its models folder) again, asked for after `before`
    seconds; the load stops `after` seconds after the model loaded. The
    server's RSS is sampled every quarter of a second meanwhile. With
    `follow` (a candidate model file and its model id), the load is not asked
    for: the candidate becomes the console's serving model (console_model),
    and the server follows it."""
    marks = ReloadMarks()
    headers = {"Authorization": f"Bearer {servers.env['INTERNAL_TOKEN']}"}
    done = asyncio.Event()

    def sample(name: str) -> None:
        value = server_rss(servers.rasa) or math.nan
        marks.rss[name] = max(marks.rss.get(name, 0.0), value) if name == "peak" else value

    def finished(state: dict) -> bool:
        return not state["loading"] and (follow is None or state["model_id"] == follow[1] or bool(state["failed"]))

    async def loader() -> None:
        await asyncio.sleep(before)
        sample("before")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as s:
            marks.asked = time.perf_counter()
            if follow is not None:
                serving = console_model(servers.workdir)
                staged = serving.with_name("staged.tar.gz")
                shutil.copyfile(follow[0], staged)
                os.replace(staged, serving)  # as devtools/retrain.py installs a model that passed
            else:
                async with s.post(f"{servers.url}/webhooks/model/load", json={"model": model}, headers=headers) as r:
                    if r.status != 202:
                        marks.failed = f"HTTP {r.status}"
                        done.set()
                        return
            while True:
                sample("peak")
                async with s.get(f"{servers.url}/webhooks/model/", headers=headers) as r:
                    state = await r.json()
                if finished(state):
                    break
                await asyncio.sleep(0.25)
        marks.loaded, marks.failed = time.perf_counter(), state["failed"]
        await asyncio.sleep(after)
        sample("after")
        done.set()

    load = conversations(servers.url, QUESTIONS, 3600, args.parallel, args.turns, args.timeout, unavailable, done)
    run, _ = await asyncio.gather(load, loader())
    run.section = "reload" if follow is None else "follow"
    return run, marks


# --- printing ------------------------------------------------------------------------------------


def describe(run: Run, parallel: int | None = None) -> None:
    how = "sequential requests" if parallel is None else f"requests, {parallel} in parallel"
    say(
        f"{run.bot} / {run.section}: {len(run.replies)} {how} in {run.elapsed:.1f} s: "
        f"{run.rps():.1f} req/s ({run.good_rps():.1f} real answers/s); latency p50 {ms(run.p(50))} ms, "
        f"p95 {ms(run.p(95))} ms, p99 {ms(run.p(99))} ms, max {ms(run.p(100))} ms"
    )
    say(
        f"  lost replies: {len(run.lost())} ({lost_breakdown(run.replies)}); 'unavailable' replies: {run.unavailable()}"
    )
    if run.unavailable() and run.section != "fault":
        say(
            f"  WARNING: {run.unavailable()} of {len(run.replies)} replies were the 'unavailable' message: the "
            "assistant did not answer them (see the server logs below); these numbers do not measure real answers"
        )


def describe_senders(run: Run) -> None:
    """How latency moved from the first tenth of the senders to the last: the
    server keeps every conversation (for 30 minutes)."""
    tenth = max(1, len(run.replies) // 10)
    ordered = sorted(run.replies, key=lambda r: r.start)
    first = [r.ms for r in ordered[:tenth]]
    last = [r.ms for r in ordered[-tenth:]]
    say(
        f"  p50 of the first {tenth} senders {ms(percentile(first, 50))} ms, "
        f"of the last {tenth} {ms(percentile(last, 50))} ms"
    )


def describe_fault(run: Run, marks: FaultMarks) -> None:
    replies = run.replies

    def count(outcome: str) -> int:
        return sum(r.outcome == outcome for r in replies)

    got = [r for r in replies if r.outcome != NO_REPLY]
    say(
        f"  requests sent {len(replies)}, replies received {len(got)}, lost {len(run.lost())} "
        f"(no reply {count(NO_REPLY)}, non-200 {count(NON_200)}, empty {count(EMPTY)}); "
        f"'unavailable' replies {run.unavailable()}"
    )
    in_flight = [r for r in replies if r.start < marks.resumed and r.end > marks.stopped]
    say(
        f"  during the stop ({marks.resumed - marks.stopped:.1f} s): {len(in_flight)} requests in flight, "
        f"max latency {ms(max((r.ms for r in in_flight), default=math.nan))} ms"
    )
    phases = {
        "sent before the stop": [r for r in replies if r.start < marks.stopped],
        "sent during the stop": [r for r in replies if marks.stopped <= r.start < marks.resumed],
        "sent after SIGCONT": [r for r in replies if r.start >= marks.resumed],
    }
    for name, group in phases.items():
        say(
            f"  {name:>21}: {len(group):5} sent, {sum(r.outcome == OK for r in group):5} replied, "
            f"{sum(r.outcome != OK for r in group):4} lost, {sum(r.unavailable for r in group):4} 'unavailable', "
            f"p50 {ms(percentile([r.ms for r in group], 50))} ms, max {ms(percentile([r.ms for r in group], 100))} ms"
        )
    recovered = [r.end for r in replies if r.start >= marks.resumed and r.outcome == OK and not r.unavailable]
    if recovered:
        say(f"  first normal answer to a request sent after SIGCONT: {min(recovered) - marks.resumed:.1f} s after it")
    else:
        say("  no normal answer to a request sent after SIGCONT")


def describe_reload(run: Run, marks: ReloadMarks) -> None:
    if marks.failed or math.isnan(marks.loaded):
        say(f"  the model did not load: {marks.failed or 'no answer'}")
        return
    rss = {name: mib(marks.rss.get(name)) for name in ("before", "peak", "after")}
    say(
        f"  the model loaded in {marks.loaded - marks.asked:.1f} s; Rasa server RSS before {rss['before']} MiB, "
        f"at its highest during the load {rss['peak']} MiB, after {rss['after']} MiB"
    )
    phases = {
        "sent before the load": [r for r in run.replies if r.start < marks.asked],
        "sent during the load": [r for r in run.replies if marks.asked <= r.start < marks.loaded],
        "sent after it": [r for r in run.replies if r.start >= marks.loaded],
    }
    for name, group in phases.items():
        latencies = [r.ms for r in group]
        say(
            f"  {name:>21}: {len(group):5} sent, {sum(r.outcome != OK for r in group):4} lost, "
            f"{sum(r.unavailable for r in group):4} 'unavailable', p50 {ms(percentile(latencies, 50))} ms, "
            f"p95 {ms(percentile(latencies, 95))} ms, max {ms(percentile(latencies, 100))} ms"
        )


def cells(run: Run) -> dict[str, str]:
    """A run's figures, formatted for a table column each."""
    return {
        "bot": run.bot,
        "section": run.section,
        "requests": str(len(run.replies)),
        "req/s": f"{run.rps():.1f}",
        "p50 ms": ms(run.p(50)),
        "p95 ms": ms(run.p(95)),
        "p99 ms": ms(run.p(99)),
        "max ms": ms(run.p(100)),
        "lost": str(len(run.lost())),
        "unavail.": str(run.unavailable()),
        "CPU ms/req": f"{run.cpu_ms:.1f}",
        "Rasa MiB": mib(run.rss.get("rasa")),
        "actions MiB": mib(run.rss.get("actions")),
    }


def summary(runs: Sequence[Run]) -> None:
    header = ["bot", "section", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost", "unavail."]
    header += ["CPU ms/req", "Rasa MiB", "actions MiB"]
    rows = [header] + [[cells(run)[column] for column in header] for run in runs]
    print_table("summary (latencies nearest-rank; Rasa/actions MiB = RSS after the section):", rows, left=2)


def print_table(title: str, rows: Sequence[Sequence[str]], left: int = 1) -> None:
    """`rows` (the first is the header) in columns: the first `left` to the left, the rest to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    say(f"\n{title}")
    for row in rows:
        cells = enumerate(zip(row, widths, strict=True))
        say("  " + "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in cells))


def memory_line(rss: dict[str, float | None]) -> str:
    return f"Rasa server {mib(rss.get('rasa'))} MiB, action server {mib(rss.get('actions'))} MiB"


def log_digest(path: Path, questions: Sequence[str]) -> None:
    """Errors and warnings in a server log, and whether any question's words got in."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return
    lines = text.splitlines()
    logged = [line for line in lines if re.search(r"\b(ERROR|WARNING|CRITICAL)\b", line)]
    # a log line starts with its date and time; an exception's last line with its class
    counts = Counter(" ".join(line.split()[2:])[:150] for line in logged)
    counts.update(line[:150] for line in lines if EXCEPTION_LINE.match(line))
    leaked = [q for q in questions if q in text]
    say(
        f"  {path.name}: {len(logged)} error/warning lines, {lines.count('Traceback (most recent call last):')} "
        f"tracebacks; question text in the log: {'YES' if leaked else 'no'}"
    )
    for line, n in counts.most_common(6):
        say(f"    {n:5} x {line}")


# --- main ----------------------------------------------------------------------------------------


def unavailable_texts() -> set[str]:
    """The "can't reach my answers right now" message in every language."""
    from policy_assistant.live_store import shared_store

    store = shared_store().get()
    return {store.language(code).messages["unavailable"] for code in ("en", "es")}


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """The load's options: --seconds, --parallel, --turns, --timeout (also devtools.bench_scaled)."""
    parser.add_argument("--seconds", type=float, default=60, help="length of the load run (default 60)")
    parser.add_argument("--parallel", type=int, default=20, help="conversations at once (default 20)")
    parser.add_argument("--turns", type=int, default=5, help="messages per conversation (default 5)")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request (default 30 s)")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", action="store_true", help="also time a full `rasa train --force`")
    parser.add_argument("--starter", action="store_true", help="also measure `rasa init`'s starter bot")
    parser.add_argument("--model", type=Path, default=MODEL, help=f"the model to serve (default {MODEL})")
    parser.add_argument(
        "--threads", type=int, help="threads in each of the Rasa server's pools (default: as make run, 1 each)"
    )
    parser.add_argument(
        "--only", default=",".join(DEFAULT_SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}"
    )
    parser.add_argument("--requests", type=int, default=80, help="sequential requests (default 80)")
    add_load_options(parser)
    parser.add_argument("--senders", type=int, default=5000, help="distinct senders in the senders run (default 5000)")
    parser.add_argument("--fault-before", type=float, default=10, help="load before the stop (default 10 s)")
    parser.add_argument("--fault-stop", type=float, default=15, help="action server stopped for (default 15 s)")
    parser.add_argument("--fault-after", type=float, default=15, help="load after SIGCONT (default 15 s)")
    parser.add_argument("--reloads", type=int, default=2, help="model loads in a row in the reload section (default 2)")
    parser.add_argument(
        "--candidate", type=Path, help="the follow section: another model file, which the server follows"
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown or not args.sections:
        parser.error(f"--only takes some of {','.join(SECTIONS)}; got {args.only!r}")
    return args


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that a SIGTERM stops the servers too


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        run_all(args)
    except KeyboardInterrupt:
        say("\ninterrupted; servers stopped")
        sys.exit(130)


def run_all(args: argparse.Namespace) -> None:
    if args.train:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [str(BIN / "rasa"), "train", "--force", "--out", out, "--fixed-model-name", "bench"],
                cwd=PROJECT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            say(f"training (rasa train --force): {time.perf_counter() - start:.1f} s")
    unavailable = unavailable_texts()
    runs = measure_ours(args, unavailable)
    if args.starter and {"sequential", "load"} & set(args.sections):
        runs += measure_starter(args, unavailable)
        for section in ("sequential", "load"):
            mine = [r for r in runs if r.bot == OURS and r.section == section]
            theirs = [r for r in runs if r.bot == STARTER and r.section == section]
            if mine and theirs:
                a, b = mine[0], theirs[0]
                say(
                    f"ratio {section} (this / starter): req/s {ratio(a.rps(), b.rps())}, "
                    f"p50 {ratio(a.p(50), b.p(50))}, p95 {ratio(a.p(95), b.p(95))}, "
                    f"CPU per request {ratio(a.cpu_ms, b.cpu_ms)}; Rasa RSS "
                    f"{ratio(a.rss.get('rasa') or math.nan, b.rss.get('rasa') or math.nan)}"
                )
    summary(runs)


def start_ours(servers: Servers) -> None:
    start = time.perf_counter()
    try:
        servers.start()
    except (RuntimeError, TimeoutError):
        for log in (servers.actions_log, servers.rasa_log):
            with suppress(OSError):
                say(f"--- last lines of {log.name}:", *log.read_text(errors="replace").splitlines()[-15:], sep="\n")
        raise
    # both servers start at once (as make run starts them; before 2026-12-05 one after the other)
    say(f"start-up (both servers ready): {time.perf_counter() - start:.1f} s")


def measure_ours(args: argparse.Namespace, unavailable: set[str]) -> list[Run]:
    sections, runs = args.sections, []
    follow = None
    if "follow" in sections:
        if args.candidate is None:
            raise SystemExit("the follow section needs --candidate: another model file (a retraining's)")
        follow = (args.candidate, model_id(args.candidate))
    with (
        tempfile.TemporaryDirectory() as work,
        our_servers(Path(work), args.model, args.threads, follow is not None) as servers,
    ):
        start_ours(servers)

        def rss() -> dict[str, float | None]:
            return {"rasa": server_rss(servers.rasa), "actions": server_rss(servers.actions)}

        def record(run: Run) -> Run:
            run.bot, run.rss = OURS, rss()
            runs.append(run)
            return run

        say(f"memory (RSS) after start-up: {memory_line(rss())}")
        asyncio.run(warm_up(servers.url, QUESTIONS, unavailable))
        url = servers.url
        both = [servers.rasa, servers.actions]
        if "sequential" in sections:
            with cpu_per_request(both, runs):
                run = record(asyncio.run(sequential(url, QUESTIONS, args.requests, args.timeout, unavailable)))
            describe(run)
            say(f"  memory (RSS): {memory_line(run.rss)}")
        if "load" in sections:
            say(f"load: {args.parallel} conversations of {args.turns} messages at a time for {args.seconds:.0f} s ...")
            load = conversations(url, QUESTIONS, args.seconds, args.parallel, args.turns, args.timeout, unavailable)
            with cpu_per_request(both, runs):
                run = record(asyncio.run(load))
            describe(run, args.parallel)
            say(f"  memory (RSS) after: {memory_line(run.rss)}")
        if "senders" in sections:
            before = server_rss(servers.rasa)
            say(f"senders: {args.senders} senders, one message each, {args.parallel} at a time ...")
            memory: list[tuple[int, float | None]] = []
            many = many_senders(
                url,
                QUESTIONS,
                args.senders,
                args.parallel,
                args.timeout,
                unavailable,
                rss=lambda: server_rss(servers.rasa),
                memory=memory,
            )
            run = record(asyncio.run(many))
            describe(run, args.parallel)
            describe_senders(run)
            say(f"  Rasa server RSS before {mib(before)} MiB, after {mib(run.rss['rasa'])} MiB")
            say("  Rasa server RSS (MiB) after N senders: " + ", ".join(f"{n}: {mib(m)}" for n, m in sorted(memory)))
        if "fault" in sections:
            say(
                f"fault: {args.parallel} conversations at a time; action server stopped (SIGSTOP) after "
                f"{args.fault_before:.0f} s for {args.fault_stop:.0f} s, "
                f"then SIGCONT and {args.fault_after:.0f} s more ..."
            )
            fault = under_fault(
                url,
                QUESTIONS,
                servers.pause_actions,
                servers.resume_actions,
                args.fault_before,
                args.fault_stop,
                args.fault_after,
                args.parallel,
                args.turns,
                args.timeout,
                unavailable,
            )
            try:
                run, marks = asyncio.run(fault)
            finally:
                servers.resume_actions()
            record(run)
            describe(run, args.parallel)
            describe_fault(run, marks)
        if "reload" in sections:
            for attempt in range(1, args.reloads + 1):
                say(
                    f"reload {attempt} of {args.reloads}: {args.parallel} conversations at a time; the model loaded "
                    f"again after {args.fault_before:.0f} s; the load goes on {args.fault_after:.0f} s after it ..."
                )
                reload = during_reload(servers, args.model.name, args.fault_before, args.fault_after, args, unavailable)
                run, loaded = asyncio.run(reload)
                record(run)
                describe(run, args.parallel)
                describe_reload(run, loaded)
        if follow is not None:
            say(
                f"follow: {args.parallel} conversations at a time; after {args.fault_before:.0f} s the console "
                f"serves {args.candidate.name}, which the server follows; the load goes on {args.fault_after:.0f} s "
                "after it loaded ..."
            )
            following = during_reload(servers, "", args.fault_before, args.fault_after, args, unavailable, follow)
            run, loaded = asyncio.run(following)
            record(run)
            describe(run, args.parallel)
            describe_reload(run, loaded)
        say("server logs:")
        log_digest(servers.rasa_log, QUESTIONS)
        log_digest(servers.actions_log, QUESTIONS)
    return runs


def measure_starter(args: argparse.Namespace, unavailable: set[str]) -> list[Run]:
    runs = []
    with starter_server() as (url, proc):
        asyncio.run(warm_up(url, STARTER_QUESTIONS, unavailable))

        def record(run: Run, parallel: int | None) -> None:
            run.bot, run.rss = STARTER, {"rasa": server_rss(proc)}
            runs.append(run)
            describe(run, parallel)
            say(f"  memory (RSS): starter bot's Rasa server {mib(run.rss['rasa'])} MiB")

        if "sequential" in args.sections:
            with cpu_per_request([proc], runs):
                run = asyncio.run(sequential(url, STARTER_QUESTIONS, args.requests, args.timeout, unavailable))
                record(run, None)
        if "load" in args.sections:
            say(f"starter load: {args.parallel} conversations at a time for {args.seconds:.0f} s ...")
            load = conversations(
                url, STARTER_QUESTIONS, args.seconds, args.parallel, args.turns, args.timeout, unavailable
            )
            with cpu_per_request([proc], runs):
                record(asyncio.run(load), args.parallel)
    return runs


if __name__ == "__main__":
    main()
