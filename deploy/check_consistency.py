"""Check that deploy/ agrees with the code: every environment variable that
compose.yaml and the Kubernetes manifests set is one that something reads
(found by reading the project's code, endpoints-scaled.yml, the nginx
template, or the named library file), every variable the code needs is set,
and every port, health path, URL, Secret key, ConfigMap key and Service
reference lines up. Also what keeps people and staff safe: every front door
(the nginx template, each Ingress, the ingress controller's ConfigMap) keeps
no access log and no body on disk; the console has a host of its own and
answers only the ingress controller; TWILIO_WEBHOOK_URL is set wherever the
Twilio credentials are; no secret is on a command line; every Compose service
runs read-only, without capabilities or root. And what goes into each image:
each Dockerfile installs its own services' locks (requirements/*.txt, read
from the build context), every line of them pinned and hashed, in the
developer's versions; no test or check tool in any image, no Rasa or
TensorFlow in the action server's; every program a command runs in an image
is one that image has.

    .venv/bin/python deploy/check_consistency.py [--deploy DIR] [--project DIR] [--context DIR]

Run by scripts/deploy_lint.sh. Prints each problem and exits 1 if any.
Reads files only; imports nothing from the project."""

from __future__ import annotations

import argparse
import ast
import fnmatch
import functools
import re
import shlex
import sys
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Set, Tuple
from urllib.parse import urlparse

import yaml

HERE = Path(__file__).resolve().parent

# Variables that the project's code does not read but a program in the image
# does: name -> (file under the project's .venv site-packages that reads it, or
# "" for a program outside Python, with why).
LIBRARY_ENV = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "rasa/constants.py",
    "TF_INTER_OP_PARALLELISM_THREADS": "rasa/constants.py",
    "SANIC_HOST": "rasa_sdk/endpoint.py",
    "RASA_TELEMETRY_ENABLED": "rasa/telemetry.py",
    "RASA_MAX_CACHE_SIZE": "rasa/engine/caching.py",
}
OTHER_ENV = {
    "OMP_NUM_THREADS": "OpenMP runtime (TensorFlow's, numpy's BLAS)",
    "HOME": "git and Rasa write their per-user files under $HOME; /tmp where the root filesystem is read-only",
    "REDISCLI_AUTH": "redis-cli in the Redis image (health check)",
    "CONTENT_ORIGIN": "this deployment's own: used in the replica-sync command lines",
}

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what a server inside a container must bind
PORTS = {"rasa": 5005, "actions": 5055, "console": 5002, "redis": 6379, "git": 9418}
HEALTH = {"rasa": "/webhooks/rest/", "actions": "/health", "console": "/staff/sign-in"}
# Pods that keep their own clone of the content repository (staff_console.replica_sync), and what their
# server reads from it: the variable naming it, and the replica_sync option that writes it there. The action
# servers read the clone itself; the Rasa servers read their own texts, written from the clone.
SYNCED_PODS = {"actions": ("ANSWER_STORE", "--into"), "rasa": ("SERVER_TEXTS", "--server-texts")}
# What ingress-nginx documents for nginx.ingress.kubernetes.io/load-balance (its ConfigMap's load-balance).
INGRESS_BALANCERS = ("round_robin", "ewma")
INGRESS_NGINX = "nginx.ingress.kubernetes.io/"
# nginx's error lines name the client's address; these levels leave only failures of nginx itself.
QUIET_ERROR_LEVELS = ("crit", "alert", "emerg")
# How a command line hands a Redis password over (argv is readable by every user of the machine: ps).
PASSWORD_ARGUMENTS = re.compile(r"--requirepass\b|\bredis-cli\b[^|;&\n]*\s(?:-a|--pass|--user)\s")
# The project's packages (pyproject.toml), in every image through `pip install -e .`.
PROJECT_PACKAGES = (
    "policy_assistant",
    "actions",
    "rasa_server",
    "rasa_sdk_plugins",
    "nlu_pipeline",
    "devtools",
    "staff_console",
)
# The locks (paths in the build context, the repository root) that each image installs: the actions
# image also runs the replica sync and git daemon, which share the console's lock; the Rasa image also runs
# the staff console, which retrains the model beside it (devtools/retrain.py needs Rasa).
IMAGE_LOCKS = {
    "rasa": ("requirements/rasa.txt", "requirements/console.txt"),
    "actions": ("requirements/actions.txt", "requirements/console.txt"),
}
# The lock `make install` puts into .venv, where the tests run: every image runs its versions.
DEV_LOCK = "requirements/dev.txt"
# What no image may hold (normalized package names, as patterns), and why; the action server is
# rasa-sdk's, so its image has neither Rasa nor TensorFlow.
TOOLS = {r"pytest(-.+)?": "a test tool", "selenium": "a test tool", "ruff": "a check tool", "mypy": "a check tool"}
NOT_IN_IMAGE = {
    "rasa": TOOLS,
    "actions": {
        "rasa": "the Rasa framework (the action server is rasa-sdk's)",
        r"tensorflow(-.+)?|tf-.+|keras": "TensorFlow",
        **TOOLS,
    },
}
# The project's packages whose code each image runs: the Rasa server's (and, in the Rasa image, the console
# with its retraining), the action server's with the console, the replica sync and git daemon. What they
# import when loaded must be in the image's locks.
IMAGE_CODE = {
    "rasa": ("rasa_server", "nlu_pipeline", "policy_assistant", "staff_console", "devtools"),
    "actions": ("actions", "rasa_sdk_plugins", "policy_assistant", "staff_console"),
}
# Where a Dockerfile puts a program of its own: the actions image's stand-in for `rasa run actions`.
STAND_IN = {"rasa": re.compile(r">\s*/opt/venv/bin/rasa\b")}


def nginx_size(value: Any) -> int | None:
    """An nginx size ("1m", "512k", "1000") in bytes, or None when it is not one."""
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)\s*", str(value)) if value is not None else None
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]


def narrow(selector: Dict[str, Any]) -> bool:
    """A label selector that names labels (an empty one selects everything)."""
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def nginx_directives(text: str) -> List[Tuple[int, str, List[str]]]:
    """Each directive of an nginx configuration as (block depth, name, arguments); comments dropped.
    Enough for the template (no quoted ';', '{' or '}')."""
    directives: List[Tuple[int, str, List[str]]] = []
    depth, words = 0, []
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    for part in re.findall(r'"[^"]*"|[{};]|[^\s{};]+', code):
        if part in ";{":
            if words:
                directives.append((depth, words[0], words[1:]))
            words = []
            depth += part == "{"
        elif part == "}":
            depth -= 1
        else:
            words.append(part)
    return directives


# yaml.safe_load's loader, with PyYAML's C parser (libyaml, in PyYAML's wheels)
# where it is there: the same documents, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python


def read_yaml_all(text: str) -> Iterator[Any]:
    return yaml.load_all(text, Loader=SAFE_LOADER)


def normalized(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dockerfile_instructions(text: str) -> List[Tuple[str, str]]:
    """Each instruction of a Dockerfile as (INSTRUCTION, its arguments), continuation lines joined
    and comment lines dropped, as Docker reads them."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\s*\n", " ", "\n".join(lines))
    return [
        (match.group(1).upper(), match.group(2).strip())
        for match in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", joined, re.M)
    ]


def shell_commands(script: str) -> List[List[str]]:
    """The simple commands of a shell line (split at ;, &&, ||, |), each as its words."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands: List[List[str]] = [[]]
    for token in lexer:
        if token and set(token) <= set(";&|"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [words for words in commands if words]


# the action servers' pods, the one peer of the console's own namespace its web port answers
ACTION_PODS = {"app.kubernetes.io/name": "actions"}
RASA_PODS = {"app.kubernetes.io/name": "rasa"}


class Checker:
    def __init__(self, deploy: Path, project: Path, context: Path | None = None):
        self.deploy, self.project = deploy, project
        self.context = context or project  # the build context: what the Dockerfiles COPY
        self.problems: List[str] = []
        self.allowed: Set[str] = set()
        self.chat_hosts: Set[str] = set()  # the Ingress hosts that serve the chat (/webhooks/)

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def text(self, path: Path) -> str:
        return path.read_text(encoding="utf-8")

    # --- what the code reads ------------------------------------------------------------------

    def env_read_by_code(self) -> Set[str]:
        names: Set[str] = set()
        patterns = [
            r"""environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""",
            r"""environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]""",
            r"""getenv\(\s*["']([A-Z][A-Z0-9_]+)["']""",
            r"""_flag\(\s*["']([A-Z][A-Z0-9_]+)["']""",
            r"""[A-Z_]+_ENV\s*=\s*["']([A-Z][A-Z0-9_]+)["']""",
        ]
        for package in PROJECT_PACKAGES:  # devtools too: the console runs devtools/retrain.py
            for source in sorted((self.project / package).rglob("*.py")):
                code = self.text(source)
                for pattern in patterns:
                    names.update(re.findall(pattern, code))
                # phone_channel.py reads a tuple of names in a comprehension
                for group in re.findall(r"""environ\.get\(name\b[^\n]*?\bfor name in \(([^)]*)\)""", code):
                    names.update(re.findall(r"""["']([A-Z][A-Z0-9_]+)["']""", group))
                # a pydantic BaseSettings class reads each of its fields, by its name in capitals
                for body in re.findall(r"^class \w+\(BaseSettings\):\n((?:(?:    .*)?\n)+)", code, re.M):
                    names.update(field.upper() for field in re.findall(r"^    ([a-z][a-z0-9_]*): ", body, re.M))
        names.update(self.endpoint_env())
        return names

    def endpoint_env(self) -> Set[str]:
        return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", self.text(self.project / "endpoints-scaled.yml")))

    def template_env(self) -> Set[str]:
        return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", self.text(self.deploy / "nginx" / "assistant.conf.template")))

    def library_env_ok(self) -> Set[str]:
        site = next((self.project / ".venv" / "lib").glob("python3*/site-packages"), None)
        known = set(OTHER_ENV)
        for name, relative in LIBRARY_ENV.items():
            if site is None or name not in self.text(site / relative):
                self.fail("check_consistency.py", f"{name} is not read in .venv/.../{relative} (library changed?)")
            else:
                known.add(name)
        return known

    # --- what deploy/ sets --------------------------------------------------------------------

    def compose(self) -> Dict[str, Any]:
        return read_yaml(self.text(self.deploy / "compose.yaml"))

    def k8s_docs(self) -> List[Tuple[str, Dict[str, Any]]]:
        docs = []
        for path in sorted((self.deploy / "k8s").glob("*.yaml")):
            for doc in read_yaml_all(self.text(path)):
                if doc:
                    docs.append((path.name, doc))
        return docs

    @staticmethod
    def pod_labels(doc: Dict[str, Any]) -> Dict[str, str]:
        return doc["spec"]["template"]["metadata"]["labels"]

    @staticmethod
    def containers(doc: Dict[str, Any]) -> Iterable[Dict[str, Any]]:
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        yield from spec.get("initContainers", []) or []
        yield from spec.get("containers", []) or []

    # --- the checks -----------------------------------------------------------------------------

    def run(self) -> List[str]:
        allowed = self.allowed = self.env_read_by_code() | self.library_env_ok()
        compose = self.compose()
        docs = self.k8s_docs()
        self.check_compose(compose, allowed)
        self.check_k8s(docs, allowed)
        self.check_secrets_off_command_lines(compose, docs)
        self.check_env_example()
        self.check_routes_in_code()
        self.check_nginx_template()
        self.check_ingress_controller()
        self.check_dockerfiles()
        self.check_image_dependencies(compose, docs)
        self.check_kustomization()
        return self.problems

    def check_routes_in_code(self) -> None:
        """The health paths and ports used here are the ones the code serves."""
        rest = self.text(self.project / "rasa_server" / "rest_channel.py")
        if not re.search(r"""@channel\.route\(\s*"/"\s*,\s*methods=\[\s*"GET"\s*\]""", rest) or not re.search(
            r"""def name\(cls\)[^:]*:\s*return\s*"rest\"""", rest
        ):
            self.fail("rasa_server/rest_channel.py", f"no GET route for {HEALTH['rasa']} (channel 'rest', route '/')")
        guard = self.text(self.project / "actions" / "action_server_guard.py")
        if f'"{HEALTH["actions"]}"' not in guard:
            self.fail("actions/action_server_guard.py", f"{HEALTH['actions']} is not an open path")
        app = self.text(self.project / "staff_console" / "app.py")
        if f'@app.route("{HEALTH["console"]}"' not in app:
            self.fail("staff_console/app.py", f"no route {HEALTH['console']}")
        config = self.text(self.project / "staff_console" / "config.py")
        if not re.search(rf"^    staff_console_port: int = {PORTS['console']}$", config, re.M):
            self.fail("staff_console/config.py", f"the console's default port is not {PORTS['console']}")

    def check_env_names(self, where: str, names: Iterable[str], allowed: Set[str]) -> None:
        for name in names:
            if name not in allowed:
                self.fail(where, f"sets {name}, which nothing reads (typo?)")

    def check_compose(self, compose: Dict[str, Any], allowed: Set[str]) -> None:
        services = compose.get("services", {})
        for required in ("redis", "rasa", "actions", "console", "nginx"):
            if required not in services:
                self.fail("compose.yaml", f"no service {required}")
        if any(s not in services for s in ("redis", "rasa", "actions", "console", "nginx")):
            return
        for name in ("rasa", "actions", "console"):
            self.check_env_names(f"compose.yaml {name}", services[name].get("environment", {}), allowed)
        env = {name: services[name].get("environment", {}) for name in services}
        for name in sorted(self.endpoint_env() - set(env["rasa"])):
            self.fail("compose.yaml rasa", f"does not set {name} (endpoints-scaled.yml needs it)")
        for service in ("actions",):
            if "ACTION_SERVER_TOKEN" not in env[service]:
                self.fail(f"compose.yaml {service}", "does not set ACTION_SERVER_TOKEN (the server refuses to start)")
        for name in sorted(self.template_env() - set(env["nginx"])):
            self.fail("compose.yaml nginx", f"does not set {name} (the nginx template needs it)")
        for name in sorted(set(env["nginx"]) - self.template_env()):
            self.fail("compose.yaml nginx", f"sets {name}, which the nginx template does not use")
        # ports and addresses
        if str(env["rasa"].get("REDIS_PORT")) != str(PORTS["redis"]) or env["rasa"].get("REDIS_HOST") != "redis":
            self.fail("compose.yaml rasa", f"REDIS_HOST/REDIS_PORT are not redis:{PORTS['redis']}")
        action_url = env["rasa"].get("ACTION_SERVER_URL", "")
        self.check_action_url("compose.yaml rasa", action_url, {"nginx": PORTS["actions"]})
        if str(env["nginx"].get("RASA_LISTEN")) != str(PORTS["rasa"]):
            self.fail("compose.yaml nginx", f"RASA_LISTEN is not {PORTS['rasa']}")
        if str(env["nginx"].get("ACTIONS_LISTEN")) != str(PORTS["actions"]):
            self.fail("compose.yaml nginx", f"ACTIONS_LISTEN is not {PORTS['actions']}")
        for key, service in (("RASA_SERVERS", "rasa"), ("ACTION_SERVERS", "actions")):
            targets = re.findall(r"server\s+([^\s;]+)", str(env["nginx"].get(key, "")))
            if not targets or any(t != f"{service}:{PORTS[service]}" for t in targets):
                self.fail("compose.yaml nginx", f"{key} does not point at {service}:{PORTS[service]}: {targets}")
        if str(env["console"].get("STAFF_CONSOLE_PORT")) != str(PORTS["console"]):
            self.fail("compose.yaml console", f"STAFF_CONSOLE_PORT is not {PORTS['console']}")
        if (
            env["actions"].get("SANIC_HOST") != ALL_INTERFACES
            or env["console"].get("STAFF_CONSOLE_HOST") != ALL_INTERFACES
        ):
            self.fail("compose.yaml", "the action server and console must listen on 0.0.0.0 inside their containers")
        content = env["console"].get("CONTENT_REPO")
        store = env["actions"].get("ANSWER_STORE")
        if store != content:
            self.fail("compose.yaml actions", f"ANSWER_STORE {store!r} is not the console's {content}")
        elif not any(str(v).endswith(f":{content}:ro") for v in services["actions"].get("volumes", []) or []):
            self.fail("compose.yaml actions", f"does not mount the content volume read-only at {content}")
        self.check_compose_texts(services, env)
        console_volumes = [  # named volumes mounted writable ("name:/path"), not anonymous ones or ":ro"
            str(v).split(":")[1] for v in services["console"].get("volumes", []) or [] if str(v).count(":") == 1
        ]
        console_image = str(services["console"].get("image", ""))
        self.check_model_flow("compose.yaml", env["rasa"], env["console"], console_image, console_volumes)
        rasa_volumes = [str(v) for v in services["rasa"].get("volumes", []) or []]
        if env["rasa"].get("MODELS_DIR") not in rasa_volumes:
            self.fail("compose.yaml rasa", "MODELS_DIR is not an anonymous volume (each replica its own, writable)")
        self.check_command("compose.yaml rasa", services["rasa"].get("command", []), PORTS["rasa"])
        self.check_command("compose.yaml actions", services["actions"].get("command", []), PORTS["actions"])
        for name, port in (("rasa", "rasa"), ("actions", "actions"), ("console", "console"), ("nginx", "rasa")):
            test = " ".join(services[name].get("healthcheck", {}).get("test", []))
            path = HEALTH["rasa" if name == "nginx" else name]
            urls = re.findall(r"127\.0\.0\.1:\d+/[^'\"\s]*", test)
            if urls != [f"127.0.0.1:{PORTS[port]}{path}"]:
                self.fail(f"compose.yaml {name}", f"healthcheck GETs {urls}, not 127.0.0.1:{PORTS[port]}{path}")
        for name, service in services.items():
            for mapping in service.get("ports", []) or []:
                if not str(mapping).startswith("127.0.0.1:"):
                    self.fail(f"compose.yaml {name}", f"port {mapping} is published beyond 127.0.0.1")
        if services["rasa"].get("deploy", {}).get("replicas") != 2:
            self.fail("compose.yaml rasa", "not 2 replicas")
        for name in services:
            self.check_twilio_url(f"compose.yaml {name}", env[name], None)
        self.check_compose_hardening(services)
        # the front door's privacy settings are the template's (check_nginx_template): it must be the one used
        template = "./nginx/assistant.conf.template:/etc/nginx/templates/assistant.conf.template"
        if not any(str(v).startswith(template) for v in services["nginx"].get("volumes", []) or []):
            self.fail("compose.yaml nginx", f"does not mount {template}")

    def check_compose_texts(self, services: Dict[str, Any], env: Dict[str, Dict[str, Any]]) -> None:
        """The Rasa servers read their own texts (SERVER_TEXTS) from the file the console writes at each
        publish: the same path, in a volume the console mounts writable and the Rasa servers read-only."""
        texts = env["console"].get("SERVER_TEXTS")
        if not texts or env["rasa"].get("SERVER_TEXTS") != texts:
            self.fail(
                "compose.yaml rasa", f"SERVER_TEXTS {env['rasa'].get('SERVER_TEXTS')!r} is not the console's {texts}"
            )
            return
        folder = str(Path(texts).parent)

        def volume(service: str) -> List[str]:
            """The named volume `service` mounts at the texts' folder: [name, "ro"?]."""
            for entry in services[service].get("volumes", []) or []:
                parts = str(entry).split(":")
                if len(parts) >= 2 and parts[1] == folder:
                    return [parts[0], *parts[2:]]
            return []

        console, rasa = volume("console"), volume("rasa")
        if not console or "ro" in console[1:]:
            self.fail("compose.yaml console", f"does not mount a volume writable at {folder} (SERVER_TEXTS)")
        if not rasa or rasa[1:] != ["ro"] or (console and rasa[0] != console[0]):
            self.fail("compose.yaml rasa", f"does not mount the console's volume read-only at {folder} (SERVER_TEXTS)")

    def check_compose_hardening(self, services: Dict[str, Any]) -> None:
        """Every service: read-only root filesystem, all capabilities dropped, no-new-privileges, not root."""
        for name, service in services.items():
            where = f"compose.yaml {name}"
            if service.get("read_only") is not True:
                self.fail(where, "has no read_only: true")
            if "ALL" not in [str(c).upper() for c in service.get("cap_drop", []) or []]:
                self.fail(where, "does not drop every capability (cap_drop: [ALL])")
            if service.get("cap_add"):
                self.fail(where, f"adds capabilities {service['cap_add']}")
            options = [str(o).replace("=", ":") for o in service.get("security_opt", []) or []]
            if "no-new-privileges:true" not in options:
                self.fail(where, "has no security_opt no-new-privileges:true")
            if service.get("privileged"):
                self.fail(where, "is privileged")
            # our own images run as USER 10001 (check_dockerfiles); others need a user here
            user = str(service.get("user", "")).split(":")[0]
            if "build" not in service and (not user or user in ("0", "root")):
                self.fail(where, "runs as root: set user (the image's own non-root uid)")

    def check_action_url(self, where: str, url: str, hosts: Dict[str, int]) -> None:
        parsed = urlparse(url)
        if parsed.hostname not in hosts or parsed.port != hosts[parsed.hostname] or parsed.path != "/webhook":
            self.fail(where, f"ACTION_SERVER_URL {url!r} is not http://<{'|'.join(hosts)}>:<port>/webhook")

    def check_command(self, where: str, command: List[str], port: int) -> None:
        command = [str(part) for part in command]
        if "--port" not in command or command[command.index("--port") + 1] != str(port):
            self.fail(where, f"the command does not listen on --port {port}")
        if command[:2] == ["rasa", "run"] and command[2:3] != ["actions"]:
            if "--interface" not in command or command[command.index("--interface") + 1] != ALL_INTERFACES:
                self.fail(where, "rasa run does not bind --interface 0.0.0.0")
            if "endpoints-scaled.yml" not in command:
                self.fail(where, "rasa run does not use endpoints-scaled.yml")

    def check_k8s(self, docs: List[Tuple[str, Dict[str, Any]]], allowed: Set[str]) -> None:
        by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]] = {}
        for file, doc in docs:
            by_kind.setdefault(doc.get("kind", ""), {})[doc.get("metadata", {}).get("name", "")] = (file, doc)
        config = by_kind.get("ConfigMap", {}).get("assistant-config", ("", {}))[1].get("data", {})
        secret_doc = by_kind.get("Secret", {}).get("assistant-secrets", ("", {}))[1]
        secret_keys = set(secret_doc.get("stringData", {}) or {}) | set(secret_doc.get("data", {}) or {})
        deployments = by_kind.get("Deployment", {})
        for required in ("redis", "rasa", "actions", "console"):
            if required not in deployments:
                self.fail("k8s", f"no Deployment {required}")
        values: Dict[str, Dict[str, str]] = {}
        for name, (file, doc) in deployments.items():
            for container in self.containers(doc):
                where = f"k8s/{file} {name}/{container['name']}"
                env = {}
                for item in container.get("env", []) or []:
                    source = item.get("valueFrom", {})
                    if "configMapKeyRef" in source:
                        key = source["configMapKeyRef"]["key"]
                        if key not in config:
                            self.fail(where, f"ConfigMap assistant-config has no key {key}")
                        env[item["name"]] = str(config.get(key, ""))
                    elif "secretKeyRef" in source:
                        key = source["secretKeyRef"]["key"]
                        if key not in secret_keys:
                            self.fail(where, f"Secret assistant-secrets (secret.example.yaml) has no key {key}")
                        env[item["name"]] = f"<secret {key}>"
                    else:
                        env[item["name"]] = str(item.get("value", ""))
                if name != "redis":
                    self.check_env_names(where, env, allowed)
                values[f"{name}/{container['name']}"] = env
                self.check_probes(where, name, container)
        rasa = values.get("rasa/rasa", {})
        for needed in sorted(self.endpoint_env() - set(rasa)):
            self.fail("k8s rasa", f"does not set {needed} (endpoints-scaled.yml needs it)")
        for needed in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS"):
            if rasa.get(needed) != "1":
                self.fail("k8s rasa", f"{needed} is not 1 (one CPU per Rasa pod)")
        if "ACTION_SERVER_TOKEN" not in values.get("actions/actions", {}):
            self.fail("k8s actions", "does not set ACTION_SERVER_TOKEN")
        if rasa.get("REDIS_HOST") != "redis" or rasa.get("REDIS_PORT") != str(PORTS["redis"]):
            self.fail("k8s rasa", f"REDIS_HOST/REDIS_PORT are not redis:{PORTS['redis']}")
        self.check_action_url("k8s rasa", rasa.get("ACTION_SERVER_URL", ""), {"actions": PORTS["actions"]})
        console = values.get("console/console", {})
        if (
            console.get("STAFF_CONSOLE_PORT") != str(PORTS["console"])
            or console.get("STAFF_CONSOLE_HOST") != ALL_INTERFACES
        ):
            self.fail("k8s console", f"the console does not listen on 0.0.0.0:{PORTS['console']}")
        self.check_content_flow(deployments, values)
        console_spec = next(
            (c for c in self.containers(deployments.get("console", ("", {}))[1]) if c["name"] == "console"), {}
        )
        console_pod = deployments.get("console", ("", {}))[1].get("spec", {}).get("template", {}).get("spec", {})
        claims = {v["name"] for v in console_pod.get("volumes", []) or [] if "persistentVolumeClaim" in v}
        console_volumes = [  # its persistent volumes, mounted writable
            m["mountPath"]
            for m in console_spec.get("volumeMounts", []) or []
            if m["name"] in claims and not m.get("readOnly")
        ]
        self.check_model_flow("k8s", rasa, console, str(console_spec.get("image", "")), console_volumes)
        rasa_spec = next((c for c in self.containers(deployments.get("rasa", ("", {}))[1]) if c["name"] == "rasa"), {})
        mounts = {m["mountPath"]: m for m in rasa_spec.get("volumeMounts", []) or []}
        models = mounts.get(rasa.get("MODELS_DIR", ""))
        if models is None or models.get("readOnly"):
            self.fail("k8s rasa/rasa", "does not mount its MODELS_DIR writable (the followed model goes there)")
        self.check_model_policy(by_kind)
        self.check_git_policy(by_kind)
        self.check_services(by_kind)
        self.check_ingress(by_kind)
        for key, env in sorted(values.items()):
            self.check_twilio_url(f"k8s {key}", env, self.chat_hosts)
        self.check_console_policy(by_kind)
        for name in ("rasa", "actions"):
            if name not in by_kind.get("PodDisruptionBudget", {}):
                self.fail("k8s", f"no PodDisruptionBudget for {name}")
            if name in deployments and deployments[name][1]["spec"].get("replicas") != 2:
                self.fail(f"k8s {name}", "not 2 replicas")
        for name, (file, doc) in deployments.items():
            pod = doc["spec"]["template"]["spec"]
            if not pod.get("securityContext", {}).get("runAsNonRoot"):
                self.fail(f"k8s/{file} {name}", "pod securityContext has no runAsNonRoot: true")
            if pod.get("enableServiceLinks") is not False:
                self.fail(f"k8s/{file} {name}", "enableServiceLinks must be false (Service redis would set REDIS_PORT)")

    def check_probes(self, where: str, deployment: str, container: Dict[str, Any]) -> None:
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", []) or []}
        args = [str(a) for a in container.get("args", []) or container.get("command", []) or []]
        if deployment in ("rasa", "actions") and container["name"] == deployment:
            self.check_command(where, args, PORTS[deployment])
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if not probe:
                if deployment in HEALTH and container["name"] == deployment:
                    self.fail(where, f"has no {kind}")
                continue
            http = probe.get("httpGet")
            if not http and "tcpSocket" not in probe:
                continue  # an exec probe (redis-cli ping)
            target = (http or probe["tcpSocket"]).get("port")
            port = ports.get(target, target)
            if port not in ports.values():
                self.fail(where, f"{kind} port {target} is not a container port")
            if http:
                if http.get("path") != HEALTH.get(deployment) or port != PORTS.get(deployment):
                    self.fail(
                        where,
                        f"{kind} GET {port}{http.get('path')}; the code serves {PORTS.get(deployment)}"
                        f"{HEALTH.get(deployment)}",
                    )
        if container["name"] == deployment and deployment in PORTS and PORTS[deployment] not in ports.values():
            self.fail(where, f"does not expose containerPort {PORTS[deployment]}")

    def check_model_flow(
        self, where: str, rasa: Dict[str, Any], console: Dict[str, Any], console_image: str, volumes: List[str]
    ) -> None:
        """The Rasa servers follow the console's serving model (rasa_server/model_follower.py): MODEL_ORIGIN
        is the console's internal model route, with INTERNAL_TOKEN; the console retrains (RETRAIN_FOLLOWED)
        from the Rasa image, which has Rasa, and keeps the serving model in one of its writable `volumes`
        (mount paths), off the read-only root."""
        route = self.console_model_route()
        origin = str(rasa.get("MODEL_ORIGIN", ""))
        parsed = urlparse(origin)
        if (parsed.scheme, parsed.hostname, parsed.port, parsed.path) != ("http", "console", PORTS["console"], route):
            self.fail(f"{where} rasa", f"MODEL_ORIGIN {origin!r} is not http://console:{PORTS['console']}{route}")
        for name, env in (("rasa", rasa), ("console", console)):
            if "INTERNAL_TOKEN" not in env:
                self.fail(f"{where} {name}", "does not set INTERNAL_TOKEN (the model is followed with it)")
        if str(console.get("RETRAIN_FOLLOWED")) != "1":
            self.fail(f"{where} console", "RETRAIN_FOLLOWED is not 1 (no retraining, nothing to follow)")
        serving = str(console.get("RETRAIN_MODEL", ""))
        if not any(serving.startswith(volume.rstrip("/") + "/") for volume in volumes):
            self.fail(f"{where} console", "RETRAIN_MODEL is not on the console's volume")
        if not console_image.startswith("policy-assistant/rasa:"):
            self.fail(f"{where} console", "retraining needs Rasa: run the console from the Rasa image")

    def console_model_route(self) -> str:
        """The console's internal model route, read from staff_console/views/internal.py."""
        code = self.text(self.project / "staff_console" / "views" / "internal.py")
        prefix = re.search(r"""Blueprint\("internal",[^)]*url_prefix="([^"]+)"\)""", code)
        route = re.search(r"""@bp\.route\("(/model)", methods=\["GET"\]\)""", code)
        return (prefix.group(1) if prefix else "<no prefix>") + (route.group(1) if route else "<no model route>")

    def check_model_policy(self, by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]]) -> None:
        """The console's NetworkPolicy lets the Rasa pods reach its web port (the model they follow)."""
        policy = by_kind.get("NetworkPolicy", {}).get("console")
        if policy is None:
            return
        for rule in policy[1]["spec"].get("ingress", []) or []:
            if PORTS["console"] in [p.get("port") for p in rule.get("ports", []) or []]:
                if any(
                    (peer.get("podSelector") or {}).get("matchLabels") == RASA_PODS for peer in rule.get("from", [])
                ):
                    return
        self.fail("k8s networkpolicy/console", f"the Rasa pods cannot reach port {PORTS['console']} (the model)")

    def check_content_flow(self, deployments: Dict[str, Any], values: Dict[str, Dict[str, str]]) -> None:
        """git://console:9418/<name> reaches the console's CONTENT_REPO through git daemon's base path, and
        each pod that keeps a clone syncs it into what its server reads: the action servers' ANSWER_STORE,
        and the Rasa servers' SERVER_TEXTS (written from the clone)."""
        origins = {reader: values.get(f"{reader}/replica-sync", {}).get("CONTENT_ORIGIN", "") for reader in SYNCED_PODS}
        for reader, origin in origins.items():
            parsed = urlparse(origin)
            if parsed.scheme != "git" or parsed.hostname != "console" or parsed.port != PORTS["git"]:
                self.fail(f"k8s {reader}", f"CONTENT_ORIGIN {origin!r} is not git://console:{PORTS['git']}/...")
        parsed = urlparse(origins["actions"])
        if len(set(origins.values())) != 1:
            self.fail("k8s", f"the pods sync from different origins: {origins}")
        daemon = next(
            (c for c in self.containers(deployments.get("console", ("", {}))[1]) if c["name"] == "git-daemon"), None
        )
        if daemon is None:
            self.fail("k8s console", "no git-daemon container")
            return
        args = [str(a) for a in daemon.get("args", [])]
        base = next((a.split("=", 1)[1] for a in args if a.startswith("--base-path=")), "")
        served = base.rstrip("/") + parsed.path
        if served != values.get("console/console", {}).get("CONTENT_REPO") or served not in args:
            self.fail("k8s console", f"git daemon serves {served}, not the console's CONTENT_REPO")
        if f"--port={PORTS['git']}" not in args or "--export-all" not in args:
            self.fail("k8s console", f"git daemon is not on --port={PORTS['git']} with --export-all")
        mounts = {m["mountPath"]: m for m in daemon.get("volumeMounts", [])}
        if not mounts.get(base, {}).get("readOnly"):
            self.fail("k8s console", f"git daemon does not mount {base} read-only")
        for reader in SYNCED_PODS:
            self.check_sync_into(reader, deployments, values)

    def check_sync_into(self, reader: str, deployments: Dict[str, Any], values: Dict[str, Dict[str, str]]) -> None:
        variable, option = SYNCED_PODS[reader]
        read = values.get(f"{reader}/{reader}", {}).get(variable) or f"<{variable} unset>"
        what = "answer store" if variable == "ANSWER_STORE" else "texts"
        pod = deployments.get(reader, ("", {}))[1]
        server = next((c for c in self.containers(pod) if c["name"] == reader), None)
        if server is not None:
            mounts = [m for m in server.get("volumeMounts", []) if read.startswith(m["mountPath"].rstrip("/") + "/")]
            if not mounts or not all(m.get("readOnly") for m in mounts):
                self.fail(f"k8s {reader}/{reader}", f"does not mount its {what} {read} read-only")
        for container in ("first-sync", "replica-sync"):
            env = values.get(f"{reader}/{container}", {})
            spec = next((c for c in self.containers(pod) if c["name"] == container), None)
            if spec is None:
                self.fail(f"k8s {reader}", f"no container {container}")
                continue
            text = " ".join(str(a) for a in (spec.get("command") or []) + (spec.get("args") or []))
            given = re.search(rf"""{option}[\s=]+["']?([^\s"']+)""", text)
            # "$NAME" in a shell script, "$(NAME)" in a container's args: the container's own variable
            named = re.fullmatch(r"\$\{?\(?([A-Z][A-Z0-9_]*)\)?\}?", given.group(1)) if given else None
            into = env.get(named.group(1)) if named else given.group(1) if given else None
            if into != read:
                self.fail(f"k8s {reader}/{container}", f"does not sync into the {reader} server's {read} ({option})")
            if "staff_console.replica_sync" not in text:
                self.fail(f"k8s {reader}/{container}", "does not run staff_console.replica_sync")
            if not str(spec.get("image", "")).startswith("policy-assistant/actions:"):
                self.fail(f"k8s {reader}/{container}", "replica_sync needs git: use the actions image")

    def check_git_policy(self, by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]]) -> None:
        """The console's NetworkPolicy lets every pod that syncs the content reach the git daemon."""
        policy = by_kind.get("NetworkPolicy", {}).get("console")
        if policy is None:
            return
        admitted: Set[str] = set()
        for rule in policy[1]["spec"].get("ingress", []) or []:
            if PORTS["git"] in [p.get("port") for p in rule.get("ports", []) or []]:
                for source in rule.get("from", []) or []:
                    admitted.add(source.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name", ""))
        for reader in SYNCED_PODS:
            if reader not in admitted:
                self.fail(f"k8s/{policy[0]} networkpolicy/console", f"{reader} pods may not reach git daemon")

    def check_services(self, by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]]) -> None:
        deployments = by_kind.get("Deployment", {})
        for name, (file, service) in by_kind.get("Service", {}).items():
            selector = service["spec"].get("selector", {})
            pods = [d[1] for d in deployments.values() if selector.items() <= self.pod_labels(d[1]).items()]
            if not pods:
                self.fail(f"k8s/{file} service/{name}", f"selector {selector} matches no Deployment")
                continue
            names = {
                p.get("name"): p["containerPort"] for d in pods for c in self.containers(d) for p in c.get("ports", [])
            }
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                number = names.get(target, target)
                if number not in names.values() or number != port["port"]:
                    self.fail(f"k8s/{file} service/{name}", f"port {port['port']} -> {target}: no such container port")
        for name, port in (("rasa", PORTS["rasa"]), ("actions", PORTS["actions"]), ("redis", PORTS["redis"])):
            service = by_kind.get("Service", {}).get(name)
            if not service or port not in [p["port"] for p in service[1]["spec"]["ports"]]:
                self.fail("k8s", f"no Service {name} on port {port}")
        console = by_kind.get("Service", {}).get("console")
        if not console or {PORTS["console"], PORTS["git"]} - {p["port"] for p in console[1]["spec"]["ports"]}:
            self.fail("k8s", f"no Service console on ports {PORTS['console']} and {PORTS['git']}")

    def check_ingress(self, by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]]) -> None:
        # (host, path) -> (service, port, annotations) over every rule of every Ingress
        routes: Dict[Tuple[str, str], Tuple[str, Any, Dict[str, str]]] = {}
        services = by_kind.get("Service", {})
        for name, (file, ingress) in by_kind.get("Ingress", {}).items():
            where = f"k8s/{file} ingress/{name}"
            annotations = ingress.get("metadata", {}).get("annotations", {}) or {}
            spec = ingress.get("spec", {})
            tls_hosts = {host for entry in spec.get("tls", []) or [] for host in entry.get("hosts", []) or []}
            if spec.get("defaultBackend"):
                self.fail(where, "has a defaultBackend, which answers on every host")
            for rule in spec.get("rules", []) or []:
                host = rule.get("host", "")
                # a rule without a host matches every host, the chat's among them
                if not host:
                    self.fail(where, "has a rule without a host (it would answer on every host)")
                elif host not in tls_hosts:
                    self.fail(where, f"host {host} is not in its tls hosts")
                for path in rule.get("http", {}).get("paths", []):
                    backend = path["backend"]["service"]
                    wanted = backend["port"].get("name") or backend["port"].get("number")
                    routes[(host, path["path"])] = (backend["name"], wanted, annotations)
                    service = services.get(backend["name"])
                    ports = {p.get("name"): p["port"] for p in service[1]["spec"]["ports"]} if service else {}
                    if wanted not in ports and wanted not in ports.values():
                        self.fail(where, f"{path['path']} -> {backend['name']}:{wanted}: no such Service port")
            self.check_ingress_privacy(where, annotations)
        expected = {"/webhooks/": "rasa", "/staff/": "console"}
        # the console's stylesheet: Flask's default static route (url_for('static', ...))
        if "url_for('static'" in self.text(self.project / "staff_console" / "templates" / "base.html"):
            expected["/static/"] = "console"
        for path, service in expected.items():
            if not any(p == path and routes[(h, p)][0] == service for h, p in routes):
                self.fail("k8s ingress", f"{path} does not go to {service}")
        # The console never shares the community page's origin: no host serves both.
        self.chat_hosts = {h for (h, _), (service, _, _) in routes.items() if service == "rasa"}
        console_hosts = {h for (h, _), (service, _, _) in routes.items() if service == "console"}
        for host in sorted(self.chat_hosts & console_hosts):
            self.fail("k8s ingress", f"host {host or '(any)'} serves both the chat and the staff console")
        # Any Rasa pod carries on any conversation (the lock store's transactions keep turns in order), so the
        # Rasa route is balanced freely: no hashing, which would also override load-balance.
        for service, _, annotations in routes.values():
            if service != "rasa":
                continue
            for key in sorted(annotations):
                if key.startswith((f"{INGRESS_NGINX}upstream-hash-by", f"{INGRESS_NGINX}affinity")):
                    self.fail("k8s ingress", f"the Rasa route pins requests ({key}); balance it freely")
            balance = annotations.get(f"{INGRESS_NGINX}load-balance", "round_robin")
            if balance not in INGRESS_BALANCERS:
                self.fail("k8s ingress", f"load-balance {balance!r} is not one ingress-nginx has: {INGRESS_BALANCERS}")

    def check_ingress_privacy(self, where: str, annotations: Dict[str, str]) -> None:
        """The nginx template's privacy settings, as ingress-nginx annotations: no access log, every body
        accepted held in memory, no reply in a temporary file."""
        values = {key[len(INGRESS_NGINX) :]: str(value) for key, value in annotations.items()}
        self.check_privacy_settings(where, values, "enable-access-log", "false", "annotation")

    def check_privacy_settings(self, where: str, values: Dict[str, str], log_key: str, log_off: str, kind: str) -> None:
        """Shared by the Ingress annotations and the controller's ConfigMap (same names for the sizes)."""
        if values.get(log_key) != log_off:
            self.fail(where, f"{kind} {log_key} is not {log_off!r}: the access log names people's addresses")
        limit, buffer = nginx_size(values.get("proxy-body-size")), nginx_size(values.get("client-body-buffer-size"))
        if limit is None or limit == 0:
            self.fail(where, f"{kind} proxy-body-size is not a size limit (client_max_body_size)")
        elif buffer is None or buffer < limit:
            self.fail(
                where,
                f"{kind} client-body-buffer-size is not at least proxy-body-size: larger bodies go to temporary files",
            )
        if values.get("proxy-max-temp-file-size") != "0":
            self.fail(where, f'{kind} proxy-max-temp-file-size is not "0": replies could go to temporary files')

    def check_ingress_controller(self) -> None:
        """The controller-wide settings that no Ingress annotation can make: the error log level, and the
        same privacy settings for whatever no annotation covers (the default backend, other paths)."""
        path = self.deploy / "ingress-nginx" / "controller-config.yaml"
        where = "ingress-nginx/controller-config.yaml"
        if not path.is_file():
            self.fail(where, "missing: the ingress controller's privacy settings")
            return
        doc = read_yaml(self.text(path)) or {}
        if doc.get("kind") != "ConfigMap":
            self.fail(where, "is not a ConfigMap")
            return
        data = {key: str(value) for key, value in (doc.get("data") or {}).items()}
        self.check_privacy_settings(where, data, "disable-access-log", "true", "key")
        if data.get("error-log-level") not in QUIET_ERROR_LEVELS:
            self.fail(where, f"error-log-level is not one of {QUIET_ERROR_LEVELS}: error lines name client addresses")
        if data.get("enable-access-log-for-default-backend", "false") != "false":
            self.fail(where, "enable-access-log-for-default-backend is on")

    def check_console_policy(self, by_kind: Dict[str, Dict[str, Tuple[str, Dict[str, Any]]]]) -> None:
        """The console's web port answers only the ingress controller's pods, the action servers'
        (which pass on a question someone agreed to share, with INTERNAL_TOKEN) and the Rasa servers'
        (which follow its serving model, with INTERNAL_TOKEN): every NetworkPolicy rule that admits it
        names its peers by namespace and pod labels, or the action or Rasa servers' pod labels alone,
        never everyone, an address range, or another pod of this namespace."""
        console_labels = {"app.kubernetes.io/name": "console"}
        policies = [
            (file, doc)
            for file, doc in by_kind.get("NetworkPolicy", {}).values()
            if (doc["spec"].get("podSelector", {}).get("matchLabels") or {}).items() <= console_labels.items()
        ]
        if not policies:
            self.fail("k8s", "no NetworkPolicy selects the console's pods")
        for file, doc in policies:
            where = f"k8s/{file} networkpolicy/{doc['metadata']['name']}"
            if "Ingress" not in doc["spec"].get("policyTypes", ["Ingress"]):
                self.fail(where, "does not restrict incoming traffic (policyTypes)")
            for rule in doc["spec"].get("ingress", []) or []:
                ports = rule.get("ports") or [{}]
                # a port left out, the port's name, its number, or a range (endPort) around it
                numbers = [(p.get("port"), p.get("endPort", p.get("port"))) for p in ports]
                admits = any(
                    first in (None, "http")
                    or (isinstance(first, int) and isinstance(last, int) and first <= PORTS["console"] <= last)
                    for first, last in numbers
                )
                if not admits:
                    continue
                peers = rule.get("from") or []
                if not peers:
                    self.fail(where, f"lets anyone reach the console's port {PORTS['console']}")
                for peer in peers:
                    namespaces, pods = peer.get("namespaceSelector") or {}, peer.get("podSelector") or {}
                    if set(peer) == {"podSelector"} and pods in (
                        {"matchLabels": ACTION_PODS},
                        {"matchLabels": RASA_PODS},
                    ):
                        continue  # the action servers and Rasa servers of this namespace, with their token

                    own = (namespaces.get("matchLabels") or {}).get("kubernetes.io/metadata.name")
                    if "ipBlock" in peer or not narrow(namespaces) or not narrow(pods):
                        self.fail(
                            where,
                            f"port {PORTS['console']}: a peer other than the ingress controller's pods "
                            "(namespaceSelector and podSelector, both with labels)",
                        )
                    elif own == doc["metadata"].get("namespace"):
                        self.fail(where, f"port {PORTS['console']}: pods of the assistant's own namespace")

    def check_secrets_off_command_lines(self, compose: Dict[str, Any], docs: List[Tuple[str, Dict[str, Any]]]) -> None:
        """No secret is ever on a command line (ps shows every process's arguments to every user): not
        through Kubernetes' $(VAR) in command/args, not through Compose's ${VAR} in a command, not as
        redis-server --requirepass or redis-cli -a. Redis still asks for a password (requirepass)."""
        secret_doc = next((d for _, d in docs if d.get("kind") == "Secret"), {})
        secrets = set(secret_doc.get("stringData", {}) or {}) | set(secret_doc.get("data", {}) or {})
        for name, service in (compose.get("services") or {}).items():
            test = (service.get("healthcheck") or {}).get("test", [])
            for part in ("command", "entrypoint"):
                self.check_command_line(f"compose.yaml {name} {part}", service.get(part), secrets, compose=True)
            self.check_command_line(f"compose.yaml {name} healthcheck", test, secrets, compose=True)
        redis_service = (compose.get("services") or {}).get("redis", {})
        if "requirepass" not in str(redis_service.get("command", "")):
            self.fail("compose.yaml redis", "its command sets no requirepass: Redis would answer without a password")
        for file, doc in docs:
            if doc.get("kind") != "Deployment":
                continue
            for container in self.containers(doc):
                where = f"k8s/{file} {doc['metadata']['name']}/{container['name']}"
                env = container.get("env", []) or []
                from_secrets = secrets | {item["name"] for item in env if "secretKeyRef" in item.get("valueFrom", {})}
                words = (container.get("command") or []) + (container.get("args") or [])
                self.check_command_line(where, words, from_secrets, compose=False)
                for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                    command = ((container.get(kind) or {}).get("exec") or {}).get("command")
                    self.check_command_line(f"{where} {kind}", command, from_secrets, compose=False)
                if doc["metadata"]["name"] == "redis" and container["name"] == "redis":
                    if "requirepass" not in " ".join(str(w) for w in words):
                        self.fail(where, "its command sets no requirepass: Redis would answer without a password")

    def check_command_line(self, where: str, command: Any, secrets: Set[str], compose: bool) -> None:
        text = command if isinstance(command, str) else " ".join(str(w) for w in command or [])
        if PASSWORD_ARGUMENTS.search(text):
            self.fail(where, "puts a password on the command line (--requirepass, redis-cli -a)")
        for name in sorted(secrets):
            # Compose fills in ${NAME} (but not $${NAME}, the shell's); Kubernetes fills in $(NAME) (not $$(NAME))
            pattern = rf"(?<!\$)\$(?:\{{{name}\b|{name}\b)" if compose else rf"(?<!\$)\$\({name}\)"
            if re.search(pattern, text):
                self.fail(where, f"puts the secret {name} on the command line")

    def check_env_example(self) -> None:
        """env.example, copied to .env for Compose: with the Twilio credentials, the URL Twilio signs."""
        values = dict(
            line.split("=", 1)
            for line in self.text(self.deploy / "env.example").splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        )
        if "TWILIO_AUTH_TOKEN" in values:
            url = urlparse(values.get("TWILIO_WEBHOOK_URL", ""))
            path = self.twilio_webhook_path()
            if url.scheme != "https" or not url.hostname or url.path != path:
                self.fail("env.example", f"TWILIO_WEBHOOK_URL is not https://<the chat's host>{path}")

    def check_twilio_url(self, where: str, env: Dict[str, str], hosts: Set[str] | None) -> None:
        """Where the Twilio credentials are, TWILIO_WEBHOOK_URL is too: behind TLS termination the URL a
        Rasa server sees is not the one Twilio signed. With `hosts`, it must be https on one of them, at
        the channel's webhook path."""
        if "TWILIO_AUTH_TOKEN" not in env:
            return
        if "TWILIO_WEBHOOK_URL" not in env:
            self.fail(where, "sets TWILIO_AUTH_TOKEN but not TWILIO_WEBHOOK_URL (the URL Twilio signs)")
            return
        if hosts is None:
            return
        url = urlparse(env["TWILIO_WEBHOOK_URL"])
        path = self.twilio_webhook_path()
        if url.scheme != "https" or url.hostname not in hosts or url.path != path:
            self.fail(
                where,
                f"TWILIO_WEBHOOK_URL {env['TWILIO_WEBHOOK_URL']!r} is not https://<{'|'.join(sorted(hosts))}>{path}",
            )

    def twilio_webhook_path(self) -> str:
        """The phone channel's webhook: /webhooks/<channel name>/webhook (rasa_server/phone_channel.py,
        naming itself in quotes or by a constant of policy_assistant/names.py)."""
        code = self.text(self.project / "rasa_server" / "phone_channel.py")
        named = re.search(
            r"""class PhoneInput\b.*?def name\(cls\)[^:]*:\s*return\s*(?:"([a-z_]+)"|([A-Z_]+)\b)""", code, re.S
        )
        name = named.group(1) if named else None
        if named and named.group(2):
            names = self.text(self.project / "policy_assistant" / "names.py")
            constant = re.search(rf'^{named.group(2)} = "([a-z_]+)"', names, re.M)
            name = constant.group(1) if constant else None
        if not name or not re.search(r"""@channel\.route\(\s*"/webhook"\s*,\s*methods=\[\s*"POST"\s*\]""", code):
            self.fail("rasa_server/phone_channel.py", "no POST /webhook route on a channel with a name")
            return "/webhooks/twilio/webhook"
        return f"/webhooks/{name}/webhook"

    def check_nginx_template(self) -> None:
        """The Rasa upstream balances by least_conn, with no hashing (see the template's comment), and
        the template keeps what people write off disk and out of logs."""
        template = self.text(self.deploy / "nginx" / "assistant.conf.template")
        self.check_template_privacy(template)
        block = re.search(r"upstream\s+rasa_servers\s*\{([^}]*)\}", template)
        directives = [line.split("#")[0].strip() for line in (block.group(1) if block else "").splitlines()]
        if not block or "least_conn;" not in directives:
            self.fail("nginx/assistant.conf.template", "upstream rasa_servers does not use least_conn")
        if any(d.startswith(("hash ", "ip_hash", "sticky")) for d in directives):
            self.fail("nginx/assistant.conf.template", "upstream rasa_servers pins requests (hash); balance it freely")

    def check_template_privacy(self, template: str) -> None:
        """At the top of the template (nginx's http block, for every server in it): no access log, only
        critical errors, the body limit no larger than the in-memory body buffer, no reply in a temporary
        file; and no block below that turns one of them back."""
        where = "nginx/assistant.conf.template"
        directives = nginx_directives(template)
        top = {name: args for depth, name, args in directives if depth == 0}
        if top.get("access_log") != ["off"]:
            self.fail(where, "no top-level `access_log off;`: the access log names people's addresses")
        error_log = top.get("error_log", [])
        if len(error_log) != 2 or error_log[1] not in QUIET_ERROR_LEVELS:
            self.fail(where, f"no top-level `error_log <where> <{'|'.join(QUIET_ERROR_LEVELS)}>;`")
        limit = nginx_size((top.get("client_max_body_size") or [None])[0])
        buffer = nginx_size((top.get("client_body_buffer_size") or [None])[0])
        if not limit:
            self.fail(where, "no top-level client_max_body_size (a size, not 0)")
        elif buffer is None or buffer < limit:
            self.fail(where, "client_body_buffer_size is below client_max_body_size: bodies go to temporary files")
        if top.get("proxy_max_temp_file_size") != ["0"]:
            self.fail(where, "no top-level `proxy_max_temp_file_size 0;`: replies could go to temporary files")
        if top.get("client_body_in_file_only", ["off"]) != ["off"]:
            self.fail(where, "client_body_in_file_only writes every body to a file")
        for depth, name, args in directives:
            if depth == 0:
                continue
            if name == "access_log" and args != ["off"]:
                self.fail(where, f"a block turns the access log on: access_log {' '.join(args)}")
            elif name == "error_log" and (len(args) < 2 or args[1] not in QUIET_ERROR_LEVELS):
                self.fail(where, f"a block logs more errors: error_log {' '.join(args)}")
            elif name == "client_max_body_size" and (buffer is None or (nginx_size(args[0]) or 1 << 62) > buffer):
                self.fail(where, f"a block accepts bodies larger than the body buffer: client_max_body_size {args[0]}")
            elif name in ("client_body_buffer_size", "proxy_max_temp_file_size", "client_body_in_file_only"):
                self.fail(where, f"a block overrides {name}")

    def check_dockerfiles(self) -> None:
        images = {
            "rasa": [PORTS["rasa"], PORTS["console"]],
            "actions": [PORTS["actions"], PORTS["console"], PORTS["git"]],
        }
        for image, ports in images.items():
            text = self.text(self.deploy / f"Dockerfile.{image}")
            exposed = {int(p) for line in re.findall(r"^EXPOSE\s+(.+)$", text, re.M) for p in line.split()}
            if exposed != set(ports):
                self.fail(f"Dockerfile.{image}", f"EXPOSE {sorted(exposed)}, expected {ports}")
            users = re.findall(r"^USER\s+(\S+)", text, re.M)
            if not users or users[-1].split(":")[0] in ("0", "root"):
                self.fail(f"Dockerfile.{image}", "does not end as a non-root USER")
            if not (self.deploy / f"Dockerfile.{image}.dockerignore").exists():
                self.fail(f"Dockerfile.{image}", f"no Dockerfile.{image}.dockerignore beside it")
            instructions = re.findall(r"^ENV\s+(.*)$", text.replace("\\\n", " "), re.M)
            for name in re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]+)=", " ".join(instructions)):
                if name.startswith(("PIP_", "PYTHON", "PATH", "TF_CPP", "SQLALCHEMY", "MPLCONFIGDIR")):
                    continue  # read by pip, Python, TensorFlow's logging, SQLAlchemy, matplotlib
                if name not in self.allowed:
                    self.fail(f"Dockerfile.{image}", f"sets {name}, which nothing reads (typo?)")
        rasa = self.text(self.deploy / "Dockerfile.rasa")
        if re.findall(r"127\.0\.0\.1:\d+/[^'\"\s]*", rasa) != [f"127.0.0.1:{PORTS['rasa']}{HEALTH['rasa']}"]:
            self.fail("Dockerfile.rasa", f"HEALTHCHECK does not GET {PORTS['rasa']}{HEALTH['rasa']}")
        cmd = re.search(r"^CMD\s+(\[.*?\])\s*$", rasa.replace("\\\n", " "), re.M | re.S)
        self.check_command("Dockerfile.rasa CMD", read_yaml(cmd.group(1)) if cmd else [], PORTS["rasa"])

    # --- what goes into each image ----------------------------------------------------------------

    def check_image_dependencies(self, compose: Dict[str, Any], docs: List[Tuple[str, Dict[str, Any]]]) -> None:
        """Each Dockerfile installs its own services' locks and nothing else outside a lock; every lock
        line is pinned and hashed, in the developer's versions; no image holds what it must not; every
        command run in an image finds its program there."""
        dev = self.read_lock(DEV_LOCK)
        for image, expected in IMAGE_LOCKS.items():
            where = f"Dockerfile.{image}"
            installed = self.dockerfile_locks(image)
            for lock in expected:
                if lock not in installed:
                    self.fail(where, f"does not install {lock} (its own service's lock) with --require-hashes")
            for lock in sorted(set(installed) - set(expected)):
                self.fail(where, f"installs {lock}, which is not a lock of this image's services {list(expected)}")
            pins: Dict[str, str] = {}
            for lock in installed:
                for name, version in self.read_lock(lock).items():
                    pins[name] = version
                    if dev and dev.get(name) != version:
                        has = f"{name}=={dev[name]}" if name in dev else f"no {name}"
                        self.fail(lock, f"{name}=={version}, but {DEV_LOCK} (where the tests run) has {has}")
                    for pattern, why in NOT_IN_IMAGE[image].items():
                        if re.fullmatch(pattern, name):
                            self.fail(where, f"installs {name}=={version} ({lock}): {why}, not for this image")
            self.check_image_programs(image, pins, compose, docs)
            self.check_image_imports(image, pins)

    def read_lock(self, lock: str) -> Dict[str, str]:
        """A lock's pins (normalized name -> version); reports each line that is not `name==version`
        with at least one --hash."""
        path = self.context / lock
        if not path.is_file():
            self.fail(lock, "missing (make lock writes it)")
            return {}
        pins: Dict[str, str] = {}
        text = re.sub(r"\\\s*\n", " ", self.text(path))
        for line in text.splitlines():
            line = re.sub(r"(^|\s)#.*", "", line).strip()
            if not line:
                continue
            pinned = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)(?:\s*;[^-]*)?", line)
            if not pinned or not re.search(r"\s--hash=sha256:[0-9a-f]{64}\b", line[pinned.end() :] + " "):
                requirement = re.split(r"\s+--hash", line)[0][:80]
                self.fail(lock, f"not pinned with == and hashed: {requirement}")
            else:
                pins[normalized(pinned.group(1))] = pinned.group(2)
        return pins

    def dockerfile_locks(self, image: str) -> List[str]:
        """The locks (paths in the build context) that a Dockerfile installs with --require-hashes;
        reports every other way a package gets in."""
        where = f"Dockerfile.{image}"
        copied: Dict[str, str] = {}  # path in the image -> path in the build context
        workdir, locks = "/", []
        for instruction, arguments in dockerfile_instructions(self.text(self.deploy / f"Dockerfile.{image}")):
            if instruction == "WORKDIR":
                workdir = str(Path(workdir, arguments))
            elif instruction == "COPY" and "--from" not in arguments:
                *sources, target = [word for word in shlex.split(arguments) if not word.startswith("--")]
                into = str(Path(workdir, target))
                for source in sources:
                    folder = target.endswith("/") or len(sources) > 1
                    copied[str(Path(into, Path(source).name)) if folder else into] = str(Path(source))
            elif instruction == "RUN":
                for command in shell_commands(arguments):
                    locks += self.pip_install_locks(where, command, workdir, copied)
        for lock in locks:
            for pattern in self.dockerignored(image):
                if any(fnmatch.fnmatch(part, pattern) for part in (lock, *map(str, Path(lock).parents))):
                    self.fail(f"{where}.dockerignore", f"`{pattern}` keeps {lock} out of the build context")
        return locks

    def pip_install_locks(self, where: str, words: List[str], workdir: str, copied: Dict[str, str]) -> List[str]:
        if "pip" not in words or words[words.index("pip") + 1 : words.index("pip") + 2] != ["install"]:
            return []
        options = words[words.index("pip") + 2 :]
        locks, rest = [], []
        while options:
            word = options.pop(0)
            if word in ("-r", "--requirement") and options:
                inside = str(Path(workdir, options.pop(0)))
                source = copied.get(inside) or next(  # or inside a folder copied whole (COPY . /app)
                    (
                        str(Path(source, Path(inside).relative_to(target)))
                        for target, source in copied.items()
                        if Path(inside).is_relative_to(target) and (self.context / source).is_dir()
                    ),
                    None,
                )
                if source is None:
                    self.fail(where, f"pip install -r {inside}, which no COPY brings from the build context")
                else:
                    locks.append(source)
            elif not word.startswith("-") or word == "-e":
                rest.append(word)
        if locks and "--require-hashes" not in words:
            self.fail(where, f"installs {', '.join(locks)} without --require-hashes")
        project = rest in (["."], ["-e", "."]) and "--no-deps" in words
        for package in [] if project else [word for word in rest if word != "-e"]:
            if not re.fullmatch(r"pip==[\w.]+", package):
                self.fail(where, f"pip install {package}: outside a lock, only pip itself (pinned) and the project")
        return locks

    def dockerignored(self, image: str) -> List[str]:
        path = self.deploy / f"Dockerfile.{image}.dockerignore"
        lines = self.text(path).splitlines() if path.exists() else []
        return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith(("#", "!"))]

    def image_commands(
        self, image: str, compose: Dict[str, Any], docs: List[Tuple[str, Dict[str, Any]]]
    ) -> Iterable[Tuple[str, List[str]]]:
        """Every command run in an image: its CMD, and what Compose and the manifests run in it."""
        for instruction, arguments in dockerfile_instructions(self.text(self.deploy / f"Dockerfile.{image}")):
            if instruction in ("CMD", "ENTRYPOINT"):
                words = read_yaml(arguments) if arguments.startswith("[") else ["sh", "-c", arguments]
                yield f"Dockerfile.{image} {instruction}", [str(word) for word in words]
        ours = f"policy-assistant/{image}:"
        for name, service in (compose.get("services") or {}).items():
            if str(service.get("image", "")).startswith(ours):
                for key in ("entrypoint", "command"):
                    words = service.get(key) or []
                    yield f"compose.yaml {name}", shlex.split(words) if isinstance(words, str) else list(words)
        for file, doc in docs:
            for container in self.containers(doc):
                if str(container.get("image", "")).startswith(ours):
                    words = [str(word) for word in (container.get("command") or []) + (container.get("args") or [])]
                    yield f"k8s/{file} {doc['metadata']['name']}/{container.get('name')}", words

    def check_image_programs(
        self, image: str, pins: Dict[str, str], compose: Dict[str, Any], docs: List[Tuple[str, Dict[str, Any]]]
    ) -> None:
        """`python -m MODULE` needs MODULE from the project, the standard library or a locked package;
        `rasa` needs Rasa in the image's locks, or the image's stand-in for `rasa run actions`."""
        modules = self.locked_modules(pins)
        dockerfile = self.text(self.deploy / f"Dockerfile.{image}")
        for where, words in self.image_commands(image, compose, docs):
            script = words[2] if words[:2] == ["sh", "-c"] and len(words) > 2 else shlex.join(words)
            for module in re.findall(r"(?:^|[\s;&|(])python3?\s+-m\s+([\w.]+)", script):
                top = module.split(".")[0]
                if top not in PROJECT_PACKAGES and top not in sys.stdlib_module_names and top not in modules:
                    self.fail(where, f"runs python -m {module}, which nothing in the {image} image provides")
            for run in re.findall(r"(?:^|[;&|(\n]\s*|\bexec\s+)(rasa(?![\w.-])(?:\s+[\w-]+){0,2})", script):
                stand_in = run.split()[:3] == ["rasa", "run", "actions"] and STAND_IN["rasa"].search(dockerfile)
                if "rasa" not in pins and not stand_in:
                    self.fail(where, f"runs `{run}`, which the {image} image does not have (no rasa in its locks)")

    def check_image_imports(self, image: str, pins: Dict[str, str]) -> None:
        """What the project's code in an image imports when a module loads (its module-level imports; one
        inside a function runs only on its path, such as devtools' import of Rasa) comes from the project,
        the standard library or the image's locks."""
        modules = self.locked_modules(pins)
        for package in IMAGE_CODE[image]:
            for source in sorted((self.project / package).rglob("*.py")):
                for name in sorted(module_level_imports(self.text(source))):
                    if name not in PROJECT_PACKAGES and name not in sys.stdlib_module_names and name not in modules:
                        where = source.relative_to(self.project)
                        self.fail(f"Dockerfile.{image}", f"{where} imports {name}, which the image's locks do not have")

    def locked_modules(self, pins: Dict[str, str]) -> Set[str]:
        """The top-level modules of the locked packages, as .venv installed them."""
        site = next((self.project / ".venv" / "lib").glob("python3*/site-packages"), None)
        installed = installed_top_levels(str(site) if site else "")
        return {module for name, modules in installed.items() if name in pins for module in modules}

    def check_kustomization(self) -> None:
        kustomization = read_yaml(self.text(self.deploy / "kustomization.yaml"))
        listed = kustomization.get("resources", [])
        for resource in listed:
            if not (self.deploy / resource).is_file():
                self.fail("kustomization.yaml", f"lists {resource}, which does not exist")
        for path in sorted((self.deploy / "k8s").glob("*.yaml")):
            relative = f"k8s/{path.name}"
            if path.name.startswith("secret") and relative in listed:
                self.fail("kustomization.yaml", f"lists {relative}: the example Secret must never be applied")
            elif not path.name.startswith("secret") and relative not in listed:
                self.fail("kustomization.yaml", f"does not list {relative}")


@functools.lru_cache(maxsize=4)
def installed_top_levels(site: str) -> Mapping[str, FrozenSet[str]]:
    """Each distribution installed in the site-packages folder `site` (normalized name) -> the top-level
    modules it installs. Read once per folder: reading all their metadata is most of a check's time, and
    both images' checks, twice each, ask for it."""
    found: Dict[str, FrozenSet[str]] = {}
    for dist in metadata.distributions(path=[site] if site else []):
        top_level = dist.read_text("top_level.txt")
        names = top_level.split() if top_level else [f.parts[0] for f in dist.files or [] if f.parts]
        modules = frozenset(name.removesuffix(".py") for name in names if not name.endswith(".dist-info"))
        name = normalized(dist.metadata["Name"] or "")
        found[name] = found.get(name, frozenset()) | modules
    return MappingProxyType(found)  # read-only: every caller shares the cached one


@functools.lru_cache(maxsize=1024)
def module_level_imports(code: str) -> FrozenSet[str]:
    """The top-level names a module imports when it loads: its own statements, those under `if` and `try`
    too, but not those inside functions or classes, nor `if TYPE_CHECKING:`, nor relative imports."""
    names: Set[str] = set()

    def walk(statements: List[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                walk(node.body + node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body + [s for handler in node.handlers for s in handler.body] + node.orelse + node.finalbody)

    walk(ast.parse(code).body)
    return frozenset(names)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deploy", type=Path, default=HERE, help="the deploy/ folder to check (default: this one)")
    parser.add_argument("--project", type=Path, default=HERE.parent, help="the project whose code it must match")
    parser.add_argument("--context", type=Path, help="the build context the Dockerfiles COPY from (default: --project)")
    args = parser.parse_args(argv)
    context = args.context.resolve() if args.context else None
    problems = Checker(args.deploy.resolve(), args.project.resolve(), context).run()
    for problem in problems:
        print(f"  {problem}")
    print(f"consistency: {len(problems)} problem(s)" if problems else "consistency: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
