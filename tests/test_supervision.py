"""`make run` and `make run-scaled` keep serving when a server dies (issue 25,
item 10). The scaled tests start the make target itself, as a user does, on
its default ports, in a process group of its own (its terminal, as it were);
kill servers with SIGKILL; and at the end send SIGINT to that group, as Ctrl-C
does, and check that every process stopped and no port is left open. Only
processes started by this make are ever signalled, found by the port they
listen on. Every number is printed at the end of the run. The first tests
check supervisord's configuration alone (no server is started)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest
import requests

from devtools.benchmark import unavailable_texts
from devtools.paths import PROJECT
from devtools.scaled import ScaledStack
from devtools.servers import call_action, topic_of
from devtools.supervise import Program, Supervisor, run_programs
from tests.conftest import SCALED_REPORT as REPORT

RASA = "http://127.0.0.1:5005"
RUN_PORTS = (5005, 5055, 5002)  # the Rasa server, the action server, the staff console
# nginx (Rasa side, action side), Redis, the Rasa servers, the action servers, the staff console
SCALED_PORTS = (5005, 5055, 6379, 5010, 5011, 5060, 5061, 5002)
QUESTIONS = [
    ("will police knock on my door for ICE?", "home_visits"),
    ("Can I call 911 if I'm undocumented?", "report_crime_safely"),
    ("will the police ask about my immigration status?", "immigration_status"),
    ("does lmpd enforce immigration law", "enforce_immigration_law"),
]
UNAVAILABLE = unavailable_texts()


# --- processes, seen from /proc -------------------------------------------------------------------


def parents() -> Dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    return found


def descendants(root: int) -> Set[int]:
    children: Dict[int, List[int]] = {}
    for pid, parent in parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def identity(pid: int) -> Tuple[int, str] | None:
    """(pid, start time) while the process lives, so that a reused pid is not taken for it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (pid, fields[19])


def listening(port: int) -> Set[int]:
    """The processes with a socket listening on `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and inodes:
            with contextlib.suppress(OSError):
                if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                    pids.add(int(entry.name))
    return pids


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


# --- make, as a user runs it ----------------------------------------------------------------------


class Made:
    """`make TARGET` in a process group of its own; its output in `log`."""

    def __init__(self, target: str, log: Path, **env: str):
        self.target, self.log = target, log
        self.left: List[str] | None = None  # what Ctrl-C left running (interrupt)
        environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        # make as a terminal's foreground job runs it: with SIGINT (Ctrl-C) at
        # its default. A shell without job control starts its background jobs
        # with SIGINT ignored, and an ignored signal stays ignored in every
        # process started after; a handled one is reset to the default in each.
        # So these tests, started that way, handle it as Python does by default.
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                ["make", target],
                cwd=PROJECT,
                env={**environment, **env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, seconds: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if "Press Ctrl-C to stop." in self.output():
                return time.monotonic() - start
            if self.proc.poll() is not None:
                pytest.fail(f"make {self.target} stopped (exit {self.proc.returncode}):\n{self.output()[-3000:]}")
            time.sleep(1)
        pytest.fail(f"make {self.target} was not serving after {seconds:.0f} s:\n{self.output()[-3000:]}")

    def ours(self, port: int) -> Set[int]:
        """The processes of this make listening on `port`."""
        return listening(port) & descendants(self.proc.pid)

    def kill(self, *ports: int) -> Dict[int, Set[int]]:
        """SIGKILL, at once, to the processes of this make that listen on `ports`."""
        pids = {port: self.ours(port) for port in ports}
        assert all(pids.values()), f"nothing of make {self.target} listens on some of {pids}"
        for pid in set().union(*pids.values()):
            os.kill(pid, signal.SIGKILL)
        return pids

    def interrupt(self, ports: Tuple[int, ...], seconds: float = 180) -> List[str]:
        """Ctrl-C: SIGINT to make's process group. What was left afterwards
        (which is then killed, so that nothing outlives the test)."""
        processes = {i for i in map(identity, descendants(self.proc.pid)) if i}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGINT)
        start = time.monotonic()
        try:
            self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            pass
        REPORT.append(f"make {self.target}: Ctrl-C stopped it in {time.monotonic() - start:.1f} s")
        left = [f"make still running after {seconds:.0f} s"] if self.proc.poll() is None else []
        still = [pid for pid, started in processes if identity(pid) == (pid, started)]
        left += [f"pid {pid} ({cmdline(pid)[:80]})" for pid in still]
        left += [f"port {port} still open" for port in ports if listening(port)]
        for pid in still:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        return left


@contextlib.contextmanager
def made(target: str, log: Path, ports: Tuple[int, ...], **env: str) -> Iterator[Made]:
    busy = [port for port in ports if listening(port)]
    if busy:
        pytest.fail(f"port(s) {busy} in use: stop whatever listens there (another make run?) first")
    process = Made(target, log, **env)
    try:
        yield process
    finally:
        process.left = process.interrupt(ports)


# --- asking ---------------------------------------------------------------------------------------


@dataclass
class Reply:
    start: float  # time.monotonic() when sent
    seconds: float
    real: bool  # HTTP 200 with the answer to the question asked
    detail: str


def ask(url: str, question: str, topic: str, sender: str, session: requests.Session | None = None) -> Reply:
    start = time.monotonic()
    try:
        response = (session or requests).post(
            url + "/webhooks/rest/webhook", json={"sender": sender, "message": question}, timeout=30
        )
    except requests.RequestException as error:
        return Reply(start, time.monotonic() - start, False, type(error).__name__)
    seconds = time.monotonic() - start
    if response.status_code != 200:
        return Reply(start, seconds, False, f"HTTP {response.status_code}")
    messages = response.json()
    if any(m.get("text") in UNAVAILABLE for m in messages):
        return Reply(start, seconds, False, "'unavailable'")
    found = topic_of(messages)
    return Reply(start, seconds, found == topic, f"topic {found}")


class Load:
    """`clients` REST clients, each asking the QUESTIONS in turn through
    `url`, a new conversation every len(QUESTIONS) messages, until stop()."""

    def __init__(self, url: str, clients: int):
        self.url = url
        self.replies: List[Reply] = []
        self.lock, self.done = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def client(self) -> None:
        with requests.Session() as session:
            while not self.done.is_set():
                sender = f"supervision-{uuid.uuid4().hex[:12]}"
                for question, topic in QUESTIONS:
                    if self.done.is_set():
                        break
                    reply = ask(self.url, question, topic, sender, session)
                    with self.lock:
                        self.replies.append(reply)

    def stop(self) -> List[Reply]:
        self.done.set()
        for thread in self.threads:
            thread.join(40)  # a request times out after 30 s
        return sorted(self.replies, key=lambda r: r.start)


def serves(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def supervisor_files(folder: Path) -> None:
    """supervisord's control socket is its owner's only; its configuration is in var/."""
    assert stat.S_IMODE((folder / "supervisord.sock").stat().st_mode) == 0o700
    assert (folder / "supervisord.conf").exists() and (folder / "supervisord.pid").exists()


# --- supervisord's configuration ------------------------------------------------------------------


def test_the_configuration_holds_no_secret_and_keeps_supervisord_to_its_folder(tmp_path: Path) -> None:
    token, password = secrets.token_hex(32), secrets.token_hex(32)
    stack = ScaledStack(tmp_path / "scaled", content_repo=tmp_path / "content", console_port=5002, token=token,
                        redis_password=password)  # fmt: skip
    programs = [*run_programs(5005, 5002, Path("var/content")), *stack.programs()]
    supervisor = Supervisor(programs, tmp_path / "run", stack.env)
    supervisor.write()
    text = supervisor.conf.read_text()
    assert token not in text and password not in text and supervisor.password not in text
    assert stat.S_IMODE(supervisor.conf.stat().st_mode) == 0o600
    assert "nodaemon=true" in text and "chmod=0700" in text and "inet_http_server" not in text
    assert f"file={tmp_path}/run/supervisord.sock" in text and f"pidfile={tmp_path}/run/supervisord.pid" in text
    assert "/tmp/" not in text.replace(str(tmp_path), "").replace(str(PROJECT), "")  # nothing in a shared /tmp
    for program in programs:
        assert f"[program:{program.name}]" in text
        assert f"stdout_logfile={tmp_path}/run/{program.name}.log" in text
        assert token not in " ".join(program.args) and password not in " ".join(program.args)
    # Redis reads its password from a file only its owner reads
    stack.write_redis_conf()
    assert stat.S_IMODE(stack.redis_conf.stat().st_mode) == 0o600
    assert f"requirepass {password}" in stack.redis_conf.read_text()
    assert stack.redis_program().args[1:] == [str(stack.redis_conf)]


def test_what_supervisord_would_read_otherwise_is_escaped_or_refused(tmp_path: Path) -> None:
    odd = Program("odd", ["/bin/echo", "100%"], {"NAME": "a b"})
    text = Supervisor([odd], tmp_path, {}).configuration()
    assert "command=/bin/echo 100%%" in text and 'environment=NAME="a b"' in text
    for bad in (Program("x", ["/bin/echo", "a ;b"]), Program("x", ["/bin/echo"], {"A": 'say "hi"'})):
        with pytest.raises(ValueError):
            Supervisor([bad], tmp_path, {}).configuration()


# --- the real thing, through make -----------------------------------------------------------------


@pytest.mark.scaled
def test_make_run_starts_a_killed_action_server_again(tmp_path: Path) -> None:
    token = secrets.token_hex(32)
    with made("run", tmp_path / "make-run.log", RUN_PORTS, ACTION_SERVER_TOKEN=token) as run:
        run.wait_until_serving(420)
        assert ask(RASA, *QUESTIONS[0], sender="before").real
        old = run.kill(5055)[5055]
        killed = time.monotonic()
        answered = None
        while answered is None and time.monotonic() - killed < 30:
            if ask(RASA, *QUESTIONS[0], sender=f"after-{uuid.uuid4().hex[:8]}").real:
                answered = time.monotonic() - killed
            else:
                time.sleep(0.5)
        REPORT.append(
            "make run, action server killed (SIGKILL): "
            + (f"a real answer again after {answered:.1f} s" if answered is not None else "no real answer within 30 s")
        )
        assert answered is not None, "no real answer within 30 s of the action server's SIGKILL"
        new = run.ours(5055)
        assert new and not new & old  # started again, as a new process
        # logged: which process, and how it ended
        assert re.search(r"exited: actions \(terminated by SIGKILL", run.output())
        supervisor_files(PROJECT / "var" / "run")
        for pid in descendants(run.proc.pid):
            assert token not in cmdline(pid)
        assert token not in (PROJECT / "var" / "run" / "supervisord.conf").read_text()
    assert run.left == [], run.left


@pytest.mark.scaled
def test_make_run_scaled_loses_no_reply_when_a_rasa_server_and_an_action_server_die(tmp_path: Path) -> None:
    token = secrets.token_hex(32)
    with made("run-scaled", tmp_path / "make-run-scaled.log", SCALED_PORTS, ACTION_SERVER_TOKEN=token) as run:
        started = run.wait_until_serving(600)
        load = Load(RASA, clients=4)
        try:
            time.sleep(5)
            victims = {"rasa-0": (5010, "/webhooks/rest/"), "actions-0": (5060, "/health")}
            pids = run.kill(*(port for port, _ in victims.values()))
            killed = time.monotonic()
            old = {name: pids[port] for name, (port, _) in victims.items()}
            back: Dict[str, float] = {}
            while len(back) < len(victims) and time.monotonic() - killed < 60:
                for name, (port, path) in victims.items():
                    if name not in back and serves(f"http://127.0.0.1:{port}{path}"):
                        now = run.ours(port)
                        if now and not now & old[name]:
                            back[name] = time.monotonic() - killed
                time.sleep(0.5)
            # the load goes on while the servers that came back take their share
            time.sleep(max(0.0, killed + max([*back.values(), 10.0]) + 10 - time.monotonic()))
        finally:
            replies = load.stop()
        before = [r for r in replies if r.start + r.seconds < killed]
        # in flight at the kill or sent in the 10 s after it; and sent later
        first = [r for r in replies if r.start < killed + 10 and r.start + r.seconds >= killed]
        after = [r for r in replies if r.start >= killed + 10]
        failed = [r for r in after if not r.real]
        REPORT.append(
            f"make run-scaled (serving {started:.0f} s after make started), rasa-0 and actions-0 killed (SIGKILL) "
            f"under the load of 4 clients: {len(replies)} requests; {sum(not r.real for r in before)} of "
            f"{len(before)} answered before the kill failed; {sum(not r.real for r in first)} of {len(first)} "
            f"in flight at the kill or sent in the 10 s after it failed "
            f"({', '.join(sorted({r.detail for r in first if not r.real})) or 'none'}); "
            f"{len(failed)} of {len(after)} sent later failed; "
            + "; ".join(f"{name} serving again after {back[name]:.1f} s" if name in back else f"{name} not back"
                        for name in victims)
        )  # fmt: skip
        assert before and all(r.real for r in before)
        assert set(back) == set(victims), f"not serving again within 60 s: {set(victims) - set(back)}"
        assert after and not failed, [r.detail for r in failed]
        # the servers that came back answer themselves (past nginx)
        assert ask("http://127.0.0.1:5010", *QUESTIONS[0], sender="rasa-0-back").real
        assert call_action(5060, token, "home_visits")["topic"] == "home_visits"
        for name in victims:
            assert re.search(rf"exited: {name} \(terminated by SIGKILL", run.output())
        # the secrets are on no command line and in no supervisord file
        rasa_environ = Path(f"/proc/{next(iter(run.ours(5011)))}/environ").read_bytes().split(b"\0")
        password = next(e for e in rasa_environ if e.startswith(b"REDIS_PASSWORD=")).split(b"=", 1)[1].decode()
        assert len(password) >= 32
        for pid in descendants(run.proc.pid):
            assert token not in cmdline(pid) and password not in cmdline(pid)
        folder = PROJECT / "var" / "scaled"
        supervisor_files(folder)
        assert token not in (folder / "supervisord.conf").read_text()
        assert password not in (folder / "supervisord.conf").read_text()
        assert stat.S_IMODE((folder / "redis.conf").stat().st_mode) == 0o600
    assert run.left == [], run.left
