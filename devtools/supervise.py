"""The assistant's processes under supervisord, as `make run` and `make
run-scaled` start them. A process that stops is started again; the others keep
serving; only Ctrl-C (SIGINT or SIGTERM) stops everything.

What supervisord does when a process stops (RESTART below): a process that
had been up for more than 5 s is started again at once; one that stops within
5 s of its start is started again after 1 s, then 2 s, 3 s, ... and left
stopped (FATAL) after 10 such retries in a row, about a minute of trying. Each
stop and start is one line of supervisord's log, on the terminal and in
supervisord.log: the process's name and its exit status or signal, never
anything the process printed (that goes to its own log file).

Each mode lists its processes in one place, as Programs: run_programs() here
for `make run` (`python -m devtools.supervise`, from scripts/run.sh), and
ScaledStack.programs() in devtools/scaled.py for `make run-scaled`. serve()
takes the list: it checks that their ports are free, prepares the staff
console's content repository, writes supervisord's configuration, runs
supervisord in the foreground, waits until every process serves, prints where
to talk to the assistant, and stops everything on Ctrl-C.

supervisord's configuration, control socket, pid file and logs are in the
mode's folder under var/ (var/run, var/scaled). Its control socket is for its
owner only (0700) and asks for a password made at each start (only its SHA-1
is in the configuration); there is no TCP control port. Secrets
(ACTION_SERVER_TOKEN, REDIS_PASSWORD) reach the processes through supervisord's
own environment, never through a command line or a configuration file."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Dict, List, Sequence, Tuple

import requests

from devtools.paths import BIN, MODEL, PROJECT

# The Rasa server's thread pools: one thread each. The server answers many
# small messages at once, one at a time on its event loop; a pool of several
# threads only spins while waiting for the next small matrix, burning CPU the
# other requests need (OpenBLAS reads OMP_NUM_THREADS too). More throughput
# comes from more Rasa processes (make run-scaled), not from more threads.
# deploy/ sets the same (deploy/check_consistency.py checks it).
RASA_THREADS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1", "OMP_NUM_THREADS": "1"}

ACTIONS_PORT = 5055  # make run: the action_endpoint in endpoints.yml
READY_SECONDS = 420  # loading the model takes half a minute alone, longer with replicas on two cores
STOP_SECONDS = 20  # each process's time to stop after SIGTERM, before SIGKILL

# What supervisord does with every process (see the module's docstring).
RESTART = {
    "autostart": "true",
    "autorestart": "true",  # whatever the exit status
    "startsecs": "5",
    "startretries": "10",
    "stopsignal": "TERM",
    "stopwaitsecs": str(STOP_SECONDS),
    "stopasgroup": "true",  # the signals go to the process's whole group (nginx's workers too)
    "killasgroup": "true",
    "redirect_stderr": "true",
    "stdout_logfile_maxbytes": "20MB",
    "stdout_logfile_backups": "2",
}
# Like Ctrl-C (SIGINT): stop everything (SIGHUP: the terminal was closed)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# supervisord's states of a process that stopped on its own
STOPPED_STATES = ("BACKOFF", "EXITED", "FATAL")


def port_in_use(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@dataclass
class Program:
    """One long-running process of the assistant."""

    name: str
    args: List[str]
    # its own settings, beside the environment every process shares; never a secret
    env: Dict[str, str] = field(default_factory=dict)
    ports: Tuple[int, ...] = ()  # where it listens; free before the start, free again after the stop
    ready_url: str | None = None  # answers 2xx once it serves; without it, its first port accepting connections
    priority: int = 100  # started lowest first, stopped in the reverse order

    def serving(self) -> bool:
        if self.ready_url:
            try:
                return requests.get(self.ready_url, timeout=2).ok
            except requests.RequestException:
                return False
        return port_in_use(self.ports[0]) if self.ports else True


# --- supervisord's configuration -----------------------------------------------------------------


def _value(value: object) -> str:
    """`value` as supervisord reads it back: `%` doubled (its own expansions),
    and nothing that its parser would take for a comment or a new line."""
    text = str(value)
    if "\n" in text or re.search(r"\s[;#]", text):
        raise ValueError(f"cannot be written into supervisord's configuration: {text!r}")
    return text.replace("%", "%%")


def _environment(env: Dict[str, str]) -> str:
    for name, value in env.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or '"' in value:
            raise ValueError(f"cannot be written into supervisord's configuration: {name}={value!r}")
    return ",".join(f'{name}="{value}"' for name, value in env.items())


def write_private(path: Path, text: str) -> None:
    """`path` readable by its owner only (0600), even if it was there before."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(fd, 0o600)
        out.write(text)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class Supervisor:
    """supervisord running `programs`, its files in `folder`, each program's
    output in `folder`/NAME.log."""

    programs: Sequence[Program]
    folder: Path
    env: Dict[str, str]  # supervisord's environment, which every program inherits (the secrets are here)
    user: str = field(default_factory=lambda: secrets.token_hex(8))
    password: str = field(default_factory=lambda: secrets.token_hex(32))
    proc: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.conf = self.folder / "supervisord.conf"
        self.socket = self.folder / "supervisord.sock"

    def log(self, program: Program) -> Path:
        return self.folder / f"{program.name}.log"

    def configuration(self) -> str:
        sections: Dict[str, Dict[str, object]] = {
            "supervisord": {
                "nodaemon": "true",  # in the foreground, its log on the terminal too
                "logfile": self.folder / "supervisord.log",
                "logfile_maxbytes": "5MB",
                "logfile_backups": "2",
                "loglevel": "info",  # starts, stops and exit statuses; a process's output is never copied here
                "pidfile": self.folder / "supervisord.pid",
                "childlogdir": self.folder,
                "umask": f"{_umask():03o}",  # the processes create files as they would without it
            },
            "unix_http_server": {
                "file": self.socket,
                "chmod": "0700",
                "username": self.user,
                "password": "{SHA}" + hashlib.sha1(self.password.encode()).hexdigest(),  # noqa: S324 (supervisord's format)
            },
            "rpcinterface:supervisor": {
                "supervisor.rpcinterface_factory": "supervisor.rpcinterface:make_main_rpcinterface"
            },
        }
        for program in self.programs:
            sections[f"program:{program.name}"] = {
                "command": shlex.join(program.args),
                "directory": PROJECT,
                "priority": program.priority,
                **({"environment": _environment(program.env)} if program.env else {}),
                **RESTART,
                "stdout_logfile": self.log(program),
            }
        if os.getuid() == 0:  # as root, supervisord warns unless told that root is meant
            sections["supervisord"]["user"] = "root"
        text = "; Written by devtools/supervise.py at each start; changes here are lost.\n"
        for name, options in sections.items():
            text += f"\n[{name}]\n" + "".join(f"{key}={_value(value)}\n" for key, value in options.items())
        return text

    def write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in [*self.folder.glob("*.log"), *self.folder.glob("*.log.[0-9]*")]:
            old.unlink()
        write_private(self.conf, self.configuration())

    def start(self) -> None:
        """supervisord in the foreground, its log lines on this terminal. In a
        session of its own: the terminal's signals reach only the caller,
        which stops it (a SIGHUP would make supervisord start everything again)."""
        self.proc = subprocess.Popen(
            [str(BIN / "supervisord"), "-c", str(self.conf)], cwd=PROJECT, env=self.env, start_new_session=True
        )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def states(self) -> Dict[str, Dict[str, Any]]:
        """supervisord's view of each process (statename, pid, description,
        ...); empty while its socket does not answer yet."""
        proxy = xmlrpc.client.ServerProxy(
            f"http://{self.user}:{self.password}@localhost", transport=_UnixTransport(str(self.socket))
        )
        try:
            infos: List[Dict[str, Any]] = proxy.supervisor.getAllProcessInfo()  # type: ignore[assignment]
        except (OSError, xmlrpc.client.Error, http.client.HTTPException):
            return {}
        return {info["name"]: info for info in infos}

    def wait_serving(self, seconds: float = READY_SECONDS) -> None:
        """Until every program serves. A program that stops before then did not
        start (a wrong setting, a port taken): StartError, and serve() stops
        everything rather than start it again and again."""
        deadline = time.monotonic() + seconds
        first_pid: Dict[str, int] = {}
        waiting = list(self.programs)
        while waiting:
            if not self.running():
                assert self.proc is not None
                raise StartError(f"supervisord stopped (exit status {self.proc.returncode})")
            for name, info in self.states().items():
                first_pid[name] = first_pid.get(name) or info["pid"]
                restarted = info["pid"] and info["pid"] != first_pid[name]
                if info["statename"] in STOPPED_STATES or restarted:
                    raise StartError(
                        f"{name} stopped while starting ({info['description']}); see {self.folder}/{name}.log"
                    )
            waiting = [p for p in waiting if not p.serving()]
            if waiting and time.monotonic() > deadline:
                raise StartError(f"not serving after {seconds:.0f} s: {', '.join(p.name for p in waiting)}")
            if waiting:
                time.sleep(1)

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self) -> None:
        """supervisord stops every process (SIGTERM to its group, SIGKILL after
        STOP_SECONDS), then itself."""
        if not self.running():
            return
        assert self.proc is not None
        pids = [info["pid"] for info in self.states().values() if info["pid"]]
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_SECONDS * len(self.programs) + 10)
        except subprocess.TimeoutExpired:
            for pid in pids:  # each program leads a process group of its own (supervisord's setpgrp)
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait(10)


class StartError(RuntimeError):
    pass


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=5)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.path)
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    """XML-RPC to supervisord through its unix socket."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        _, self._extra_headers, _ = self.get_host_info(host)  # the password, from the URL
        return _UnixConnection(self.path)


# --- make run, make run-scaled --------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    programs: Sequence[Program],
    folder: Path,
    env: Dict[str, str],
    banner: Tuple[int, int, int],
    starting: str,
    label: str = "",
    prepare: Callable[[], None] | None = None,
) -> int:
    """Run `programs` under supervisord until Ctrl-C (SIGINT, or SIGTERM,
    SIGHUP, SIGQUIT).
    `banner`: the ports scripts/banner.sh names (Rasa, action server, staff
    console); `prepare`: what the mode does before supervisord starts."""
    busy = sorted({port for p in programs for port in p.ports if port_in_use(port)})
    if busy:
        print(f"Port(s) {', '.join(map(str, busy))} already in use: is the assistant already running? Stop it first.")
        return 1
    for stop in STOP_SIGNALS:
        signal.signal(stop, _raise_interrupt)
    supervisor = Supervisor(programs, folder, env)
    try:
        if subprocess.run([str(BIN / "python"), "-m", "staff_console", "prepare"], cwd=PROJECT, env=env).returncode:
            return 1
        supervisor.write()
        if prepare is not None:
            prepare()
        print(starting, flush=True)
        supervisor.start()
        supervisor.wait_serving()
        logs = folder.relative_to(PROJECT) if folder.is_relative_to(PROJECT) else folder
        subprocess.run(
            [str(PROJECT / "scripts" / "banner.sh"), *map(str, banner), f"{logs}/*.log"],
            env={**env, "SCALED": label},
            check=False,
        )
        status = supervisor.wait()  # until Ctrl-C: supervisord itself never stops for a process
        print(f"supervisord stopped (exit status {status}); see {folder}/supervisord.log", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the assistant...", flush=True)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as error:  # StartError among them
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    finally:
        for stop in (signal.SIGINT, *STOP_SIGNALS):
            signal.signal(stop, signal.SIG_IGN)
        if supervisor.proc is not None:
            supervisor.stop()
            print("Stopped.", flush=True)


def console_internal_url(console_port: int) -> str:
    """Where the action servers pass a question a person agreed to share and
    send the usage counts (policy_assistant.console_client): the console's
    internal endpoints, which ask for $INTERNAL_TOKEN (scripts/env.sh makes one)."""
    return f"http://127.0.0.1:{console_port}/staff/internal"


def run_programs(port: int, console_port: int, content: Path) -> List[Program]:
    """make run: the action server, the Rasa server (conversations in its own
    memory) and the staff console, each on 127.0.0.1; the action server
    answers from the content repository, and the Rasa server says its own
    texts from the file the console writes from it ($SERVER_TEXTS, by default
    var/server_texts.json; `python -m staff_console prepare` writes it first)."""
    return [
        Program(
            "actions",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(ACTIONS_PORT)],
            {
                "ANSWER_STORE": str(content),
                "SANIC_HOST": "127.0.0.1",
                "CONSOLE_INTERNAL_URL": console_internal_url(console_port),
            },
            (ACTIONS_PORT,),
            f"http://127.0.0.1:{ACTIONS_PORT}/health",
            priority=10,
        ),
        Program(
            "rasa",
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            # where a retraining's new model is loaded from (rasa_server/model_channel.py)
            {**RASA_THREADS, "MODELS_DIR": str(MODEL.parent)},
            (port,),
            f"http://127.0.0.1:{port}/webhooks/rest/",
            priority=20,
        ),  # fmt: skip
        Program(
            "console",
            [str(BIN / "python"), "-m", "staff_console", "serve"],
            {
                "STAFF_CONSOLE_HOST": "127.0.0.1",
                "STAFF_CONSOLE_PORT": str(console_port),
                # a retraining's new model is loaded on the Rasa server while it serves (devtools/retrain.py)
                "RETRAIN_SERVERS": f"http://127.0.0.1:{port}",
            },
            (console_port,),
            f"http://127.0.0.1:{console_port}/staff/sign-in",
            priority=30,
        ),
    ]


def main(argv: List[str] | None = None) -> int:
    """make run (scripts/run.sh, after scripts/env.sh)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    parser.add_argument("--port", type=int, default=int(env("PORT", "5005")), help="the Rasa server (PORT, 5005)")
    parser.add_argument(
        "--console-port", type=int, default=int(env("STAFF_CONSOLE_PORT", "5002")), help="(STAFF_CONSOLE_PORT, 5002)"
    )
    args = parser.parse_args(argv)
    if not os.environ.get("ACTION_SERVER_TOKEN"):
        parser.error("ACTION_SERVER_TOKEN is not set (scripts/env.sh makes one)")
    content = Path(env("CONTENT_REPO") or "var/content")
    return serve(
        run_programs(args.port, args.console_port, content),
        PROJECT / "var" / "run",
        dict(os.environ),
        (args.port, ACTIONS_PORT, args.console_port),
        "Starting the action server, the Rasa server (loading the model takes about half a minute) and the staff "
        "console...",
    )


if __name__ == "__main__":
    sys.exit(main())
