"""Several Rasa servers and action servers on one machine, behind nginx, with
conversations and locks in Redis: what `make run-scaled` starts, and what the
scaled tests and `make bench-scaled` measure.

    Redis (no persistence, loopback)
    M action servers, each answering from its own clone of the content
      repository, kept in step by staff_console.replica_sync
    N Rasa servers (endpoints-scaled.yml)
    nginx: the Rasa servers on one port (5005), the action servers on another (5055)
    the staff console (run-scaled only)

Every server listens on 127.0.0.1. `python -m devtools.scaled` runs it in the
foreground (RASA_REPLICAS, ACTION_REPLICAS, PORT, ...; see `--help`) until
Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Dict, List

import requests

from devtools.paths import BIN, MODEL, PROJECT
from devtools.servers import free_port, stop_group, wait_for

NGINX_TEMPLATE = PROJECT / "deploy" / "nginx" / "assistant.conf.template"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
KEY_PREFIX = "policyassistant"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # nginx's, kept in the stack's folder


def port_in_use(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def fill(template: str, **values: str) -> str:
    """`template` with each ${NAME} replaced, as envsubst does in the nginx
    image (deploy/compose.yaml); nginx's own $variables stay as they are."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


@dataclass
class Process:
    name: str
    args: List[str]
    log: Path
    env: Dict[str, str]
    port: int | None = None
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.args, cwd=PROJECT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """As a crash would: SIGKILL, no clean-up."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        stop_group(self.proc)


@dataclass
class ScaledStack:
    workdir: Path
    rasa_replicas: int = 2
    action_replicas: int = 2
    port: int = 0  # nginx, for the Rasa servers; 0: any free port
    actions_port: int = 0  # nginx, for the action servers
    redis_port: int = 0
    first_rasa_port: int = 0  # replicas on consecutive ports from here; 0: free ports
    first_actions_port: int = 0
    console_port: int = 0  # 0: no staff console
    content_repo: Path | None = None  # the repository the console publishes to (prepared by the caller)
    sanic_workers: int = 1
    model: Path = MODEL
    extra_env: Dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    # Redis asks every client for it, like the action server's token (new for every start)
    redis_password: str = field(default_factory=lambda: secrets.token_hex(32))
    processes: List[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.actions_port = self.actions_port or free_port()
        self.redis_port = self.redis_port or free_port()
        self.rasa_ports = [
            self.first_rasa_port + i if self.first_rasa_port else free_port() for i in range(self.rasa_replicas)
        ]
        self.action_ports = [
            self.first_actions_port + i if self.first_actions_port else free_port() for i in range(self.action_replicas)
        ]
        self.url = f"http://127.0.0.1:{self.port}"
        self.counts = self.workdir / "question_counts.sqlite3"
        self.env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "ACTION_SERVER_TOKEN": self.token,
            "QUESTION_COUNTS_DB": str(self.counts),
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis_port),
            "REDIS_PASSWORD": self.redis_password,
            "REDIS_KEY_PREFIX": KEY_PREFIX,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            **self.extra_env,
        }

    # --- the parts -------------------------------------------------------------------------------

    def ports(self) -> List[int]:
        return [self.port, self.actions_port, self.redis_port, *self.rasa_ports, *self.action_ports] + (
            [self.console_port] if self.console_port else []
        )

    def _add(self, name: str, args: List[str], port: int | None = None, **env: str) -> Process:
        process = Process(name, args, self.workdir / f"{name}.log", {**self.env, **env}, port)
        self.processes.append(process)
        process.start()
        return process

    def named(self, prefix: str) -> List[Process]:
        return [p for p in self.processes if p.name.startswith(prefix)]

    def start_redis(self) -> Process:
        """Redis on loopback with no persistence: nothing survives its restart.
        When memory runs short, the longest idle conversations go first."""
        return self._add(
            "redis",
            [REDIS_SERVER, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", self.redis_password,
             "--dir", str(self.workdir), "--maxmemory", "512mb", "--maxmemory-policy", "volatile-lru",
             "--loglevel", "warning"],
            self.redis_port,
        )  # fmt: skip

    def restart_redis(self) -> None:
        for old in self.named("redis"):
            old.stop()
            self.processes.remove(old)
        self.start_redis()
        self._wait_port(self.redis_port)

    def content_clone(self, number: int) -> Path:
        """Action server `number`'s answer store: its own clone of the content
        repository, as on a machine of its own (staff_console.replica_sync)."""
        return self.workdir / f"actions-{number}" / "content"

    def start_action_server(self, number: int) -> Process:
        return self._add(
            f"actions-{number}",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_ports[number])],
            self.action_ports[number],
            SANIC_HOST="127.0.0.1",
            ANSWER_STORE=str(self.content_clone(number) if self.content_repo else PROJECT / "answer_store"),
        )

    def start_rasa_server(self, number: int) -> Process:
        env = {"SANIC_WORKERS": str(self.sanic_workers)} if self.sanic_workers > 1 else {}
        if self.content_repo is not None:  # its own replies (fallback, phone texts) from the live answers
            env["ANSWER_STORE"] = str(self.content_repo)
        return self._add(
            f"rasa-{number}",
            [str(BIN / "rasa"), "run", "--model", str(self.model), "--interface", "127.0.0.1",
             "--port", str(self.rasa_ports[number]), "--credentials", "credentials.yml",
             "--endpoints", "endpoints-scaled.yml"],
            self.rasa_ports[number],
            **env,
        )  # fmt: skip

    def nginx_conf(self) -> Path:
        def servers(ports: List[int]) -> str:
            return "\n    ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)

        inner = fill(
            NGINX_TEMPLATE.read_text(),
            RASA_LISTEN=f"127.0.0.1:{self.port}",
            ACTIONS_LISTEN=f"127.0.0.1:{self.actions_port}",
            RASA_SERVERS=servers(self.rasa_ports),
            ACTION_SERVERS=servers(self.action_ports),
        )
        folder = self.workdir / "nginx"
        folder.mkdir(exist_ok=True)
        (folder / "assistant.conf").write_text(inner)
        conf = folder / "nginx.conf"
        conf.write_text(
            f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log stderr crit;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            + "".join(f"  {kind}_temp_path {folder}/{kind};\n" for kind in TEMP_PATHS)
            + f"  include {folder}/assistant.conf;\n}}\n"
        )  # fmt: skip
        return conf

    def start_nginx(self) -> Process:
        conf = self.nginx_conf()
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        return self._add("nginx", [NGINX, "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"], self.port)

    def sync_command(self, number: int, *how: str) -> List[str]:
        """staff_console.replica_sync for action server `number`'s clone."""
        return [str(BIN / "python"), "-m", "staff_console.replica_sync", "--origin", str(self.content_repo),
                "--into", str(self.content_clone(number)), *how]  # fmt: skip

    def start_sync(self, number: int) -> Process:
        assert self.content_repo is not None
        return self._add(
            f"sync-{number}",
            self.sync_command(number, "--every", "0.5"),
        )

    def start_console(self) -> Process:
        return self._add(
            "console",
            [str(BIN / "python"), "-m", "staff_console", "serve"],
            self.console_port,
            STAFF_CONSOLE_HOST="127.0.0.1",
            STAFF_CONSOLE_PORT=str(self.console_port),
            CONTENT_REPO=str(self.content_repo),
        )

    # --- the whole ------------------------------------------------------------------------------

    def start(self) -> None:
        """Everything, and wait until nginx answers for every Rasa server."""
        try:
            self.start_redis()
            self._wait_port(self.redis_port)
            if self.content_repo is not None:
                for number in range(self.action_replicas):
                    self.content_clone(number).parent.mkdir(parents=True, exist_ok=True)
                    subprocess.run(self.sync_command(number, "--once"), cwd=PROJECT, check=True, capture_output=True)
                    self.start_sync(number)
            actions = [self.start_action_server(n) for n in range(self.action_replicas)]
            rasas = [self.start_rasa_server(n) for n in range(self.rasa_replicas)]
            for process in actions:
                assert process.proc is not None
                wait_for(f"http://127.0.0.1:{process.port}/health", process.proc)
            for process in rasas:
                assert process.proc is not None
                wait_for(f"http://127.0.0.1:{process.port}/webhooks/rest/", process.proc, seconds=420)
            self.start_nginx()
            self._wait_port(self.port)
            if self.console_port:
                console = self.start_console()
                assert console.proc is not None
                wait_for(f"http://127.0.0.1:{self.console_port}/staff/sign-in", console.proc)
        except BaseException:
            self.stop()
            raise

    def _wait_port(self, port: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not port_in_use(port):
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port}")
            time.sleep(0.1)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def logs(self) -> Dict[str, str]:
        return {p.name: p.log.read_text(errors="replace") for p in self.processes if p.log.exists()}

    def redis_client(self, db: int = 0) -> Any:
        """A client of the stack's Redis (for tests and the benchmark)."""
        import redis

        return redis.Redis(port=self.redis_port, db=db, password=self.redis_password, decode_responses=True)

    def health(self, number: int) -> Dict[str, object]:
        """One Rasa server's own health report (not through nginx)."""
        return requests.get(f"http://127.0.0.1:{self.rasa_ports[number]}/webhooks/rest/", timeout=5).json()


# --- make run-scaled ------------------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    parser.add_argument(
        "--rasa", type=int, default=int(env("RASA_REPLICAS", "2")), help="Rasa servers (RASA_REPLICAS, 2)"
    )
    parser.add_argument(
        "--actions", type=int, default=int(env("ACTION_REPLICAS", "2")), help="action servers (ACTION_REPLICAS, 2)"
    )
    parser.add_argument("--port", type=int, default=int(env("PORT", "5005")), help="nginx, Rasa side (PORT, 5005)")
    parser.add_argument("--actions-port", type=int, default=5055, help="nginx, action servers side (5055)")
    parser.add_argument(
        "--redis-port", type=int, default=int(env("REDIS_PORT", "6379")), help="Redis (REDIS_PORT, 6379)"
    )
    parser.add_argument("--first-rasa-port", type=int, default=5010, help="Rasa servers from this port on (5010)")
    parser.add_argument("--first-actions-port", type=int, default=5060, help="action servers from this port on (5060)")
    parser.add_argument("--console-port", type=int, default=int(env("STAFF_CONSOLE_PORT", "5002")))
    args = parser.parse_args(argv)
    if args.rasa < 1 or args.actions < 1:
        parser.error("RASA_REPLICAS and ACTION_REPLICAS must be at least 1")
    content = Path(env("CONTENT_REPO") or PROJECT / "var" / "content")
    stack = ScaledStack(
        PROJECT / "var" / "scaled",
        args.rasa,
        args.actions,
        port=args.port,
        actions_port=args.actions_port,
        redis_port=args.redis_port,
        first_rasa_port=args.first_rasa_port,
        first_actions_port=args.first_actions_port,
        console_port=args.console_port,
        content_repo=content,
        token=env("ACTION_SERVER_TOKEN") or secrets.token_hex(32),
        extra_env={"CONTENT_REPO": str(content)},
    )
    busy = [p for p in stack.ports() if port_in_use(p)]
    if busy:
        print(f"Port(s) {', '.join(map(str, busy))} already in use: is the assistant already running? Stop it first.")
        return 1
    for log in stack.workdir.glob("*.log"):
        log.unlink()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    print(
        f"Starting Redis, {args.actions} action server(s), {args.rasa} Rasa server(s) (loading the model takes "
        "about a minute), nginx and the staff console...",
        flush=True,
    )
    try:
        stack.start()
        subprocess.run(
            [str(PROJECT / "scripts" / "banner.sh"), str(args.port), str(args.actions_port), str(args.console_port)],
            env={**stack.env, "SCALED": f"{args.rasa} Rasa servers and {args.actions} action servers behind nginx"},
            check=False,
        )
        print(f"  Logs: {stack.workdir}/*.log (never what people write)\n", flush=True)
        while all(p.alive() for p in stack.processes):
            time.sleep(1)
        gone = [p.name for p in stack.processes if not p.alive()]
        print(f"{', '.join(gone)} stopped; stopping everything (see {stack.workdir}/*.log)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the assistant...", flush=True)
        return 0
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as error:
        print(f"Could not start: {error}; see {stack.workdir}/*.log", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
