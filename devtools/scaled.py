"""Several Rasa servers and action servers on one machine, behind nginx, with
conversations and locks in Redis: what `make run-scaled` starts, and what the
scaled tests and `make bench-scaled` measure.

    Redis (no persistence, loopback)
    M action servers, each answering from its own clone of the content
      repository, kept in step by staff_console.replica_sync
    N Rasa servers (endpoints-scaled.yml), their own texts from one file
      written from the live answers (SERVER_TEXTS)
    nginx: the Rasa servers on one port (5005), the action servers on another (5055)
    the staff console (run-scaled only)

ScaledStack.programs() is the one list of these processes. `python -m
devtools.scaled` (make run-scaled) runs them under supervisord
(devtools/supervise.py), which starts again any that stops, until Ctrl-C
(RASA_REPLICAS, ACTION_REPLICAS, PORT, ...; see `--help`). The tests and the
benchmark start the same list themselves (ScaledStack.start), so that a test
decides when a process stops and starts again. Every server listens on
127.0.0.1."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import requests

from devtools.paths import BIN, MODEL, PROJECT
from devtools.servers import free_port, stop_group
from devtools.supervise import RASA_THREADS, Program, console_internal_url, port_in_use, serve, write_private
from policy_assistant import write_server_texts
from policy_assistant.store import load_store

NGINX_TEMPLATE = PROJECT / "deploy" / "nginx" / "assistant.conf.template"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
KEY_PREFIX = "policyassistant"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # nginx's, kept in the stack's folder


def fill(template: str, **values: str) -> str:
    """`template` with each ${NAME} replaced, as envsubst does in the nginx
    image (deploy/compose.yaml); nginx's own $variables stay as they are."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


@dataclass
class Process:
    """A program that ScaledStack started itself (tests, benchmark)."""

    program: Program
    log: Path
    env: Dict[str, str]
    proc: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return self.program.name

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.program.args,
                cwd=PROJECT,
                env={**self.env, **self.program.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
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
        # the Rasa servers' own texts, written from the live answers (prepare, and the console at each publish)
        self.server_texts = self.workdir / "server_texts.json"
        self.redis_conf = self.workdir / "redis.conf"
        self.nginx_folder = self.workdir / "nginx"
        # what every process shares, the secrets among it: they reach the
        # processes through the environment only
        self.env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "ACTION_SERVER_TOKEN": self.token,
            # the action servers show it to the console with a question someone shared, and their counts
            "INTERNAL_TOKEN": os.environ.get("INTERNAL_TOKEN") or secrets.token_hex(32),
            "SERVER_TEXTS": str(self.server_texts),
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis_port),
            "REDIS_PASSWORD": self.redis_password,
            "REDIS_KEY_PREFIX": KEY_PREFIX,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            **self.extra_env,
        }

    # --- the processes ---------------------------------------------------------------------------

    def redis_program(self) -> Program:
        """Redis on loopback with no persistence, its settings and password in
        redis_conf (written by prepare)."""
        return Program("redis", [REDIS_SERVER, str(self.redis_conf)], ports=(self.redis_port,), priority=10)

    def content_clone(self, number: int) -> Path:
        """Action server `number`'s answer store: its own clone of the content
        repository, as on a machine of its own (staff_console.replica_sync)."""
        return self.workdir / f"actions-{number}" / "content"

    def sync_command(self, number: int, *how: str) -> List[str]:
        """staff_console.replica_sync for action server `number`'s clone."""
        return [str(BIN / "python"), "-m", "staff_console.replica_sync", "--origin", str(self.content_repo),
                "--into", str(self.content_clone(number)), *how]  # fmt: skip

    def sync_program(self, number: int) -> Program:
        return Program(f"sync-{number}", self.sync_command(number, "--every", "0.5"), priority=20)

    def action_program(self, number: int) -> Program:
        port = self.action_ports[number]
        return Program(
            f"actions-{number}",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
            {
                "SANIC_HOST": "127.0.0.1",
                "ANSWER_STORE": str(self.content_clone(number) if self.content_repo else PROJECT / "answer_store"),
                **({"CONSOLE_INTERNAL_URL": console_internal_url(self.console_port)} if self.console_port else {}),
            },
            (port,),
            f"http://127.0.0.1:{port}/health",
            priority=30,
        )

    def rasa_program(self, number: int) -> Program:
        port = self.rasa_ports[number]
        env = {**RASA_THREADS, **({"SANIC_WORKERS": str(self.sanic_workers)} if self.sanic_workers > 1 else {})}
        env["MODELS_DIR"] = str(self.model.parent)  # where a retraining's new model is loaded from (model_channel.py)
        return Program(
            f"rasa-{number}",
            [str(BIN / "rasa"), "run", "--model", str(self.model), "--interface", "127.0.0.1",
             "--port", str(port), "--credentials", "credentials.yml", "--endpoints", "endpoints-scaled.yml"],
            env,
            (port,),
            f"http://127.0.0.1:{port}/webhooks/rest/",
            priority=40,
        )  # fmt: skip

    def nginx_program(self) -> Program:
        """nginx in the foreground (nginx.conf, written by prepare)."""
        folder = self.nginx_folder
        args = [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)]
        return Program("nginx", args, ports=(self.port, self.actions_port), priority=50)

    def console_program(self) -> Program:
        return Program(
            "console",
            [str(BIN / "python"), "-m", "staff_console", "serve"],
            {
                "STAFF_CONSOLE_HOST": "127.0.0.1",
                "STAFF_CONSOLE_PORT": str(self.console_port),
                "CONTENT_REPO": str(self.content_repo),
                # a retraining's new model is loaded on each Rasa server, one at a time (devtools/retrain.py)
                "RETRAIN_SERVERS": ",".join(f"http://127.0.0.1:{port}" for port in self.rasa_ports),
            },
            (self.console_port,),
            f"http://127.0.0.1:{self.console_port}/staff/sign-in",
            priority=60,
        )

    def programs(self) -> List[Program]:
        """Every process of the stack, in the order they start."""
        syncs = [self.sync_program(n) for n in range(self.action_replicas)] if self.content_repo else []
        return [
            self.redis_program(),
            *syncs,
            *[self.action_program(n) for n in range(self.action_replicas)],
            *[self.rasa_program(n) for n in range(self.rasa_replicas)],
            self.nginx_program(),
            *([self.console_program()] if self.console_port and self.content_repo else []),
        ]

    # --- what they need before they start ---------------------------------------------------------

    def write_redis_conf(self) -> None:
        """Redis's settings, its password among them (never on its command
        line), in a file only its owner reads. Nothing is saved: nothing people
        wrote survives a restart. When memory runs short, the longest idle
        conversations go first."""
        folder = str(self.workdir).replace("\\", "\\\\").replace('"', '\\"')
        write_private(
            self.redis_conf,
            f'port {self.redis_port}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir "{folder}"\n'
            "maxmemory 512mb\nmaxmemory-policy volatile-lru\nloglevel warning\n"
            f"requirepass {self.redis_password}\n",
        )

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
        folder = self.nginx_folder
        folder.mkdir(exist_ok=True)
        (folder / "assistant.conf").write_text(inner)
        conf = folder / "nginx.conf"
        conf.write_text(
            f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log stderr crit;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            + "".join(f"  {kind}_temp_path {folder}/{kind};\n" for kind in TEMP_PATHS)
            + f"  include {folder}/assistant.conf;\n}}\n"
        )  # fmt: skip
        return conf

    def prepare(self) -> None:
        """Redis's and nginx's configuration (nginx's checked), each action
        server's clone of the content repository, and the Rasa servers' texts."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.write_redis_conf()
        conf = self.nginx_conf()
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        if self.content_repo is not None:
            for number in range(self.action_replicas):
                self.content_clone(number).parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(self.sync_command(number, "--once"), cwd=PROJECT, check=True, capture_output=True)
        write_server_texts.write(load_store(self.content_repo or PROJECT / "answer_store"), self.server_texts)

    # --- started by the stack itself (tests, benchmark) ----------------------------------------------

    def _add(self, program: Program) -> Process:
        process = Process(program, self.workdir / f"{program.name}.log", self.env)
        self.processes.append(process)
        process.start()
        return process

    def named(self, prefix: str) -> List[Process]:
        return [p for p in self.processes if p.name.startswith(prefix)]

    def start_redis(self) -> Process:
        return self._add(self.redis_program())

    def restart_redis(self) -> None:
        for old in self.named("redis"):
            old.stop()
            self.processes.remove(old)
        self.start_redis()
        self._wait_port(self.redis_port)

    def start_action_server(self, number: int) -> Process:
        return self._add(self.action_program(number))

    def start_rasa_server(self, number: int) -> Process:
        return self._add(self.rasa_program(number))

    def start(self, seconds: float = 420) -> None:
        """Every program, and wait until each serves."""
        try:
            self.prepare()
            for program in self.programs():
                self._add(program)
            deadline = time.monotonic() + seconds
            for process in self.processes:
                while not process.program.serving():
                    if not process.alive():
                        assert process.proc is not None
                        raise RuntimeError(f"{process.name} exited with {process.proc.returncode}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{process.name} is not serving after {seconds:.0f} s")
                    time.sleep(0.5)
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
    return serve(
        stack.programs(),
        stack.workdir,
        stack.env,
        (args.port, args.actions_port, args.console_port),
        f"Starting Redis, {args.actions} action server(s), {args.rasa} Rasa server(s) (loading the model takes "
        "about a minute), nginx and the staff console...",
        label=f"{args.rasa} Rasa servers and {args.actions} action servers behind nginx",
        prepare=stack.prepare,
    )


if __name__ == "__main__":
    sys.exit(main())
