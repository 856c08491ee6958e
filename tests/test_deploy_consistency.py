"""deploy/check_consistency.py (run by `make deploy-lint`) passes on deploy/ and
fails on copies of it, each broken in one place: the privacy settings of every
front door, the console's own host and network policy, the URL Twilio signs,
secrets on command lines and the Compose services' hardening; and, on copies
of deploy/ and the locks (requirements/*.txt) together, what goes into each
image.

No marker: it reads files only (no Docker, cluster, Redis or nginx), so it runs
in `make unit`."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any, List

import pytest

from devtools.paths import PROJECT

DEPLOY = PROJECT / "deploy"


def load_checker() -> Any:
    spec = importlib.util.spec_from_file_location("deploy_check_consistency", DEPLOY / "check_consistency.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Checker


Checker = load_checker()


def problems(deploy: Path) -> List[str]:
    return list(Checker(deploy, PROJECT).run())


def test_deploy_is_consistent() -> None:
    assert problems(DEPLOY) == []


# (file under deploy/, text there, what replaces its first occurrence, part of the problem expected)
# The console Ingress's limits, after its own comment (the chat's Ingress has the same values).
CONSOLE_LIMITS = (
    "(MAX_CONTENT_LENGTH)\n"
    '    nginx.ingress.kubernetes.io/enable-access-log: "false"\n'
    "    nginx.ingress.kubernetes.io/proxy-body-size: 1m\n"
    "    nginx.ingress.kubernetes.io/client-body-buffer-size: 1m\n"
)
BREAKAGES = {
    # 4. privacy at every front door: the Ingresses (the Rasa one comes first in the file) ...
    "ingress access log": (
        "k8s/ingress.yaml",
        '    nginx.ingress.kubernetes.io/enable-access-log: "false"\n',
        "",
        "ingress/rasa: annotation enable-access-log is not 'false'",
    ),
    "ingress body buffer": (
        "k8s/ingress.yaml",
        "    nginx.ingress.kubernetes.io/client-body-buffer-size: 1m\n",
        "",
        "ingress/rasa: annotation client-body-buffer-size is not at least proxy-body-size",
    ),
    "ingress body buffer below the limit": (
        "k8s/ingress.yaml",
        CONSOLE_LIMITS,
        CONSOLE_LIMITS.replace("client-body-buffer-size: 1m", "client-body-buffer-size: 8k"),
        "ingress/console: annotation client-body-buffer-size is not at least proxy-body-size",
    ),
    "ingress body limit": (
        "k8s/ingress.yaml",
        CONSOLE_LIMITS,
        CONSOLE_LIMITS.replace("    nginx.ingress.kubernetes.io/proxy-body-size: 1m\n", ""),
        "ingress/console: annotation proxy-body-size is not a size limit",
    ),
    "ingress reply temp files": (
        "k8s/ingress.yaml",
        '    nginx.ingress.kubernetes.io/proxy-max-temp-file-size: "0"\n',
        "",
        "ingress/rasa: annotation proxy-max-temp-file-size",
    ),
    # ... the ingress controller's ConfigMap ...
    "controller access log": (
        "ingress-nginx/controller-config.yaml",
        '  disable-access-log: "true"\n',
        "",
        "key disable-access-log is not 'true'",
    ),
    "controller error level": (
        "ingress-nginx/controller-config.yaml",
        "error-log-level: crit",
        "error-log-level: notice",
        "error-log-level is not one of",
    ),
    "controller body buffer": (
        "ingress-nginx/controller-config.yaml",
        "client-body-buffer-size: 1m",
        "client-body-buffer-size: 8k",
        "key client-body-buffer-size is not at least proxy-body-size",
    ),
    "controller reply temp files": (
        "ingress-nginx/controller-config.yaml",
        '  proxy-max-temp-file-size: "0"\n',
        "",
        "key proxy-max-temp-file-size",
    ),
    # ... and the nginx template (Compose, make run-scaled)
    "template access log": ("nginx/assistant.conf.template", "access_log off;\n", "", "no top-level `access_log off;`"),
    "template access log in a block": (
        "nginx/assistant.conf.template",
        "    listen ${ACTIONS_LISTEN};\n",
        "    listen ${ACTIONS_LISTEN};\n    access_log /var/log/nginx/access.log;\n",
        "a block turns the access log on",
    ),
    "template error level": (
        "nginx/assistant.conf.template",
        "error_log stderr crit;",
        "error_log stderr warn;",
        "no top-level `error_log <where>",
    ),
    "template body buffer": (
        "nginx/assistant.conf.template",
        "client_body_buffer_size 1m;\n",
        "",
        "client_body_buffer_size is below client_max_body_size",
    ),
    "template reply temp files": (
        "nginx/assistant.conf.template",
        "proxy_max_temp_file_size 0;\n",
        "",
        "no top-level `proxy_max_temp_file_size 0;`",
    ),
    "compose nginx without the template": (
        "compose.yaml",
        "./nginx/assistant.conf.template:/etc/nginx/templates/",
        "./nginx/other.conf.template:/etc/nginx/templates/",
        "compose.yaml nginx: does not mount ./nginx/assistant.conf.template",
    ),
    # 2. the console on a host of its own
    "console on the chat's host": (
        "k8s/ingress.yaml",
        '    - hosts: ["staff.example.org"]\n      secretName: staff-tls\n  rules:\n    - host: staff.example.org',
        '    - hosts: ["chat.example.org"]\n      secretName: chat-tls\n  rules:\n    - host: chat.example.org',
        "host chat.example.org serves both the chat and the staff console",
    ),
    "console on every host": (
        "k8s/ingress.yaml",
        "    - host: staff.example.org\n      http:",
        "    - http:",
        "ingress/console: has a rule without a host",
    ),
    "console host without TLS": (
        "k8s/ingress.yaml",
        '    - hosts: ["staff.example.org"]',
        '    - hosts: ["other.example.org"]',
        "ingress/console: host staff.example.org is not in its tls hosts",
    ),
    "console open to every pod": (
        "k8s/network-policies.yaml",
        "        - namespaceSelector:\n            matchLabels:\n"
        "              kubernetes.io/metadata.name: ingress-nginx\n          podSelector:",
        "        - podSelector:",
        "networkpolicy/console: port 5002: a peer other than the ingress controller's pods",
    ),
    "console open to everyone": (
        "k8s/network-policies.yaml",
        "  ingress:\n    # The ingress-nginx",
        "  ingress:\n    - ports:\n        - port: 5002\n    # The ingress-nginx",
        "networkpolicy/console: lets anyone reach the console's port 5002",
    ),
    # 6. the URL Twilio signs, wherever the Twilio credentials are
    "k8s rasa without the webhook URL": (
        "k8s/rasa.yaml",
        "            - name: TWILIO_WEBHOOK_URL\n              valueFrom:\n                configMapKeyRef:\n"
        "                  name: assistant-config\n                  key: TWILIO_WEBHOOK_URL\n",
        "",
        "k8s rasa/rasa: sets TWILIO_AUTH_TOKEN but not TWILIO_WEBHOOK_URL",
    ),
    "k8s webhook URL empty": (
        "k8s/config.yaml",
        "TWILIO_WEBHOOK_URL: https://chat.example.org/webhooks/twilio/webhook",
        'TWILIO_WEBHOOK_URL: ""',
        "k8s rasa/rasa: TWILIO_WEBHOOK_URL '' is not https://<chat.example.org>/webhooks/twilio/webhook",
    ),
    "k8s webhook URL on the console's host": (
        "k8s/config.yaml",
        "TWILIO_WEBHOOK_URL: https://chat.example.org/",
        "TWILIO_WEBHOOK_URL: https://staff.example.org/",
        "TWILIO_WEBHOOK_URL 'https://staff.example.org/webhooks/twilio/webhook' is not https://<chat.example.org>",
    ),
    "compose rasa without the webhook URL": (
        "compose.yaml",
        "      TWILIO_WEBHOOK_URL: ${TWILIO_WEBHOOK_URL:-}\n",
        "",
        "compose.yaml rasa: sets TWILIO_AUTH_TOKEN but not TWILIO_WEBHOOK_URL",
    ),
    "env.example without the webhook URL": (
        "env.example",
        "TWILIO_WEBHOOK_URL=https://chat.example.org/webhooks/twilio/webhook",
        "TWILIO_WEBHOOK_URL=",
        "env.example: TWILIO_WEBHOOK_URL is not https://",
    ),
    # 8. no secret on a command line; Compose services hardened
    "k8s redis --requirepass": (
        "k8s/redis.yaml",
        "--loglevel warning <<EOF",
        '--loglevel warning --requirepass "$password" <<EOF',
        "redis/redis: puts a password on the command line",
    ),
    "k8s secret through $(VAR)": (
        "k8s/redis.yaml",
        "exec redis-server - --save",
        "exec redis-server - --masterauth $(REDIS_PASSWORD) --save",
        "redis/redis: puts the secret REDIS_PASSWORD on the command line",
    ),
    "k8s redis without a password": (
        "k8s/redis.yaml",
        '              requirepass "$password"\n',
        "",
        "redis/redis: its command sets no requirepass",
    ),
    "compose secret through ${VAR}": (
        "compose.yaml",
        "exec redis-server - --save",
        "exec redis-server - --masterauth ${REDIS_PASSWORD} --save",
        "compose.yaml redis command: puts the secret REDIS_PASSWORD on the command line",
    ),
    "compose redis-cli -a": (
        "compose.yaml",
        '"redis-cli -p 6379 ping',
        '"redis-cli -a $$REDISCLI_AUTH -p 6379 ping',
        "compose.yaml redis healthcheck: puts a password on the command line",
    ),
    "compose redis without a password": (
        "compose.yaml",
        '        requirepass "$$password"\n',
        "",
        "compose.yaml redis: its command sets no requirepass",
    ),
    "compose capabilities": ("compose.yaml", "  cap_drop:\n    - ALL\n", "", "does not drop every capability"),
    "compose no-new-privileges": (
        "compose.yaml",
        "  security_opt:\n    - no-new-privileges:true\n",
        "",
        "has no security_opt no-new-privileges:true",
    ),
    "compose nginx not hardened": (
        "compose.yaml",
        "    image: nginx:1.28.0-alpine\n    <<: *app-security\n",
        "    image: nginx:1.28.0-alpine\n",
        "compose.yaml nginx: has no read_only: true",
    ),
    "compose redis as root": ("compose.yaml", '    user: "999:1000"\n', "", "compose.yaml redis: runs as root"),
    "compose capability added": (
        "compose.yaml",
        '    user: "101:101"\n',
        '    user: "101:101"\n    cap_add: [NET_ADMIN]\n',
        "compose.yaml nginx: adds capabilities",
    ),
    "compose privileged": (
        "compose.yaml",
        '    user: "101:101"\n',
        '    user: "101:101"\n    privileged: true\n',
        "compose.yaml nginx: is privileged",
    ),
    "image as root": (
        "Dockerfile.rasa",
        "USER 10001:10001",
        "USER root",
        "Dockerfile.rasa: does not end as a non-root USER",
    ),
    "k8s probe with redis-cli -a": (
        "k8s/redis.yaml",
        'REDISCLI_AUTH="$(cat /run/secrets/redis/password)" redis-cli -p 6379',
        'redis-cli -a "$(cat /run/secrets/redis/password)" -p 6379',
        "redis/redis readinessProbe: puts a password on the command line",
    ),
    # more of 2. and 4.
    "ingress default backend": (
        "k8s/ingress.yaml",
        '  ingressClassName: nginx\n  tls:\n    - hosts: ["staff.example.org"]',
        "  ingressClassName: nginx\n  defaultBackend:\n    service:\n      name: console\n"
        '      port:\n        name: http\n  tls:\n    - hosts: ["staff.example.org"]',
        "ingress/console: has a defaultBackend",
    ),
    "console reached by an address range": (
        "k8s/network-policies.yaml",
        "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name",
        "        - ipBlock:\n            cidr: 10.0.0.0/8\n"
        "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name",
        "networkpolicy/console: port 5002: a peer other than the ingress controller's pods",
    ),
    "console reached from its own namespace": (
        "k8s/network-policies.yaml",
        "              kubernetes.io/metadata.name: ingress-nginx\n",
        "              kubernetes.io/metadata.name: policy-assistant\n",
        "networkpolicy/console: port 5002: pods of the assistant's own namespace",
    ),
    "console reached from every namespace": (
        "k8s/network-policies.yaml",
        "            matchLabels:\n              kubernetes.io/metadata.name: ingress-nginx\n",
        "            matchLabels: {}\n",
        "networkpolicy/console: port 5002: a peer other than the ingress controller's pods",
    ),
    "console reached through a port range": (
        "k8s/network-policies.yaml",
        "              app.kubernetes.io/name: rasa\n      ports:\n        - port: 9418\n",
        "              app.kubernetes.io/name: redis\n      ports:\n        - port: 5000\n          endPort: 9418\n",
        "networkpolicy/console: port 5002: a peer other than the ingress controller's pods",
    ),
    "console policy for outgoing traffic only": (
        "k8s/network-policies.yaml",
        '      app.kubernetes.io/name: console\n  policyTypes: ["Ingress"]',
        '      app.kubernetes.io/name: console\n  policyTypes: ["Egress"]',
        "networkpolicy/console: does not restrict incoming traffic",
    ),
    "console without a policy": (
        "k8s/network-policies.yaml",
        '      app.kubernetes.io/name: console\n  policyTypes: ["Ingress"]',
        '      app.kubernetes.io/name: console-old\n  policyTypes: ["Ingress"]',
        "k8s: no NetworkPolicy selects the console's pods",
    ),
    "controller default backend access log": (
        "ingress-nginx/controller-config.yaml",
        'enable-access-log-for-default-backend: "false"',
        'enable-access-log-for-default-backend: "true"',
        "enable-access-log-for-default-backend is on",
    ),
    "template larger body in a block": (
        "nginx/assistant.conf.template",
        "    listen ${RASA_LISTEN};\n",
        "    listen ${RASA_LISTEN};\n    client_max_body_size 10m;\n",
        "a block accepts bodies larger than the body buffer",
    ),
    "template noisier errors in a block": (
        "nginx/assistant.conf.template",
        "    listen ${RASA_LISTEN};\n",
        "    listen ${RASA_LISTEN};\n    error_log stderr warn;\n",
        "a block logs more errors",
    ),
    "template buffer in a block": (
        "nginx/assistant.conf.template",
        "    listen ${RASA_LISTEN};\n",
        "    listen ${RASA_LISTEN};\n    client_body_buffer_size 8k;\n",
        "a block overrides client_body_buffer_size",
    ),
    "template bodies in files": (
        "nginx/assistant.conf.template",
        "proxy_max_temp_file_size 0;\n",
        "proxy_max_temp_file_size 0;\nclient_body_in_file_only on;\n",
        "client_body_in_file_only writes every body to a file",
    ),
    # the Rasa servers' own texts: the file the console writes (Compose), or each pod's sync (Kubernetes)
    "compose texts elsewhere": (
        "compose.yaml",
        "      SERVER_TEXTS: /var/lib/assistant/texts/server_texts.json\n      # SMS",
        "      SERVER_TEXTS: /tmp/server_texts.json\n      # SMS",
        "compose.yaml rasa: SERVER_TEXTS '/tmp/server_texts.json' is not the console's",
    ),
    "compose texts writable by rasa": (
        "compose.yaml",
        "      - texts:/var/lib/assistant/texts:ro\n",
        "      - texts:/var/lib/assistant/texts\n",
        "compose.yaml rasa: does not mount the console's volume read-only at /var/lib/assistant/texts",
    ),
    "k8s sync without texts": (
        "k8s/rasa.yaml",
        '"--server-texts", "/srv/answers/server_texts.json", ',
        "",
        "k8s rasa/replica-sync: does not sync into the rasa server's /srv/answers/server_texts.json",
    ),
    # the Rasa servers follow the console's serving model (rasa_server/model_follower.py)
    "k8s model origin elsewhere": (
        "k8s/config.yaml",
        "MODEL_ORIGIN: http://console:5002/staff/internal/model",
        "MODEL_ORIGIN: http://console:5002/staff/internal/models",
        "k8s rasa: MODEL_ORIGIN 'http://console:5002/staff/internal/models' is not http://console:5002/staff/internal/model",
    ),
    "k8s rasa without the token": (
        "k8s/rasa.yaml",
        "            - name: INTERNAL_TOKEN\n",
        "            - name: INTERNAL_TOKEN_TYPO\n",
        "k8s rasa: does not set INTERNAL_TOKEN",
    ),
    "k8s models read-only": (
        "k8s/rasa.yaml",
        "            - name: models\n              mountPath: /srv/models\n",
        "            - name: models\n              mountPath: /srv/models\n              readOnly: true\n",
        "k8s rasa/rasa: does not mount its MODELS_DIR writable",
    ),
    "k8s console from the actions image": (
        "k8s/console.yaml",
        '          image: policy-assistant/rasa:0.3.0\n          args: ["python", "-m", "staff_console"]',
        '          image: policy-assistant/actions:0.3.0\n          args: ["python", "-m", "staff_console"]',
        "k8s console: retraining needs Rasa",
    ),
    "k8s console does not retrain": (
        "k8s/console.yaml",
        '            - name: RETRAIN_FOLLOWED\n              value: "1"',
        '            - name: RETRAIN_FOLLOWED\n              value: "0"',
        "k8s console: RETRAIN_FOLLOWED is not 1",
    ),
    "k8s rasa pods kept from the console": (
        "k8s/network-policies.yaml",
        "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: rasa\n"
        "      ports:\n        - port: 5002",
        "      ports:\n        - port: 5002",
        "the Rasa pods cannot reach port 5002",
    ),
    "compose models shared by the replicas": (
        "compose.yaml",
        "      - /var/lib/assistant/models\n",
        "      - models:/var/lib/assistant/models\n",
        "compose.yaml rasa: MODELS_DIR is not an anonymous volume",
    ),
    "k8s serving model on an emptyDir": (
        "k8s/console.yaml",
        "value: /data/models/policy-assistant.tar.gz",
        "value: /tmp/models/policy-assistant.tar.gz",
        "k8s console: RETRAIN_MODEL is not on the console's volume",
    ),
    "compose serving model on the root": (
        "compose.yaml",
        "RETRAIN_MODEL: /var/lib/assistant/models/policy-assistant.tar.gz",
        "RETRAIN_MODEL: /app/models/policy-assistant.tar.gz",
        "compose.yaml console: RETRAIN_MODEL is not on the console's volume",
    ),
}


def break_file(path: Path, old: str, new: str) -> None:
    """`path` with its first `old` replaced by `new` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer has {old!r}: update this breakage"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_check_fails_on_a_broken_copy(name: str, tmp_path: Path) -> None:
    file, old, new, expected = BREAKAGES[name]
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    break_file(copy / file, old, new)
    found = problems(copy)
    assert any(expected in problem for problem in found), found


def test_check_fails_without_the_controller_settings(tmp_path: Path) -> None:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    (copy / "ingress-nginx" / "controller-config.yaml").unlink()
    assert "ingress-nginx/controller-config.yaml: missing: the ingress controller's privacy settings" in problems(copy)


def test_check_fails_when_the_phone_webhook_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook path is read from the phone channel's code: a channel without its POST /webhook route is
    reported, not taken for granted."""
    read = Checker.text

    def text(self: Any, path: Path) -> str:
        code = read(self, path)
        return (
            code.replace('@channel.route("/webhook"', '@channel.route("/incoming"')
            if path.name == "phone_channel.py"
            else code
        )

    monkeypatch.setattr(Checker, "text", text)
    assert "rasa_server/phone_channel.py: no POST /webhook route on a channel with a name" in problems(DEPLOY)


# What goes into each image: copies of deploy/ and requirements/, one of them broken in one place
# (file in the build context, text there, what replaces its first occurrence, part of the problem expected).
def lock_entry(lock: str, name: str) -> str:
    """A package's lines in a lock (its pin and its hashes), to put into another lock."""
    text = (PROJECT / lock).read_text(encoding="utf-8")
    start = text.index(f"\n{name}==") + 1
    end = text.index("    # via", start)
    return text[start:end]


ACTIONS_LOCK, CONSOLE_LOCK, RASA_LOCK = "requirements/actions.txt", "requirements/console.txt", "requirements/rasa.txt"
ACTIONS_INSTALL = "-r /tmp/requirements/actions.txt -r /tmp/requirements/console.txt"
ACTIONS_DEPS = (  # Dockerfile.actions: the locks copied, then installed
    "COPY requirements/actions.txt requirements/console.txt /tmp/requirements/\n"
    'RUN pip install --no-cache-dir "pip==24.0" \\\n'
    f" && pip install --no-cache-dir --require-hashes {ACTIONS_INSTALL}\n"
)
IMAGE_BREAKAGES = {
    # the actions image: no TensorFlow, no Rasa, no test or check tools, in either of its locks ...
    "tensorflow in the actions lock": (
        ACTIONS_LOCK,
        "rasa-sdk==",
        lock_entry(RASA_LOCK, "tensorflow") + "rasa-sdk==",
        "Dockerfile.actions: installs tensorflow==2.12.0 (requirements/actions.txt): TensorFlow",
    ),
    "rasa in the console lock": (
        CONSOLE_LOCK,
        "flask==",
        lock_entry(RASA_LOCK, "rasa") + "flask==",
        "Dockerfile.actions: installs rasa==3.6.21 (requirements/console.txt): the Rasa framework",
    ),
    "pytest in the actions lock": (
        ACTIONS_LOCK,
        "rasa-sdk==",
        lock_entry("requirements/dev.txt", "pytest") + "rasa-sdk==",
        "Dockerfile.actions: installs pytest==8.4.2 (requirements/actions.txt): a test tool",
    ),
    "selenium in the actions lock": (
        ACTIONS_LOCK,
        "rasa-sdk==",
        lock_entry("requirements/dev.txt", "selenium") + "rasa-sdk==",
        "Dockerfile.actions: installs selenium==4.32.0 (requirements/actions.txt): a test tool",
    ),
    "mypy in the console lock": (
        CONSOLE_LOCK,
        "flask==",
        lock_entry("requirements/dev.txt", "mypy") + "flask==",
        "Dockerfile.actions: installs mypy==1.13.0 (requirements/console.txt): a check tool",
    ),
    # ... and no test or check tool in the Rasa image either
    "ruff in the rasa lock": (
        RASA_LOCK,
        "rasa==",
        lock_entry("requirements/dev.txt", "ruff") + "rasa==",
        "Dockerfile.rasa: installs ruff==0.8.4 (requirements/rasa.txt): a check tool",
    ),
    # every lock line pinned and hashed, in the versions the tests run
    "a lock line without hashes": (
        ACTIONS_LOCK,
        lock_entry(ACTIONS_LOCK, "sanic"),
        "sanic==21.12.2\n",
        "requirements/actions.txt: not pinned with == and hashed: sanic==21.12.2",
    ),
    "an unpinned lock line": (
        CONSOLE_LOCK,
        "flask==3.1.1 ",
        "flask>=3.1 ",
        "requirements/console.txt: not pinned with == and hashed: flask>=3.1",
    ),
    "a version the tests do not run": (
        ACTIONS_LOCK,
        "sanic==21.12.2 ",
        "sanic==21.12.1 ",
        "requirements/actions.txt: sanic==21.12.1, but requirements/dev.txt (where the tests run) has sanic==21.12.2",
    ),
    # each Dockerfile installs its own services' locks, with --require-hashes, and nothing else
    "a lock that no COPY brings": (
        "deploy/Dockerfile.actions",
        ACTIONS_INSTALL,
        ACTIONS_INSTALL + " -r /tmp/requirements/rasa.txt",
        "Dockerfile.actions: pip install -r /tmp/requirements/rasa.txt, which no COPY brings",
    ),
    "the actions image copies and installs the rasa lock instead of its own": (
        "deploy/Dockerfile.actions",
        ACTIONS_DEPS,
        ACTIONS_DEPS.replace("actions.txt", "rasa.txt"),
        "Dockerfile.actions: installs requirements/rasa.txt, which is not a lock of this image's services",
    ),
    "the actions image without the action server's lock": (
        "deploy/Dockerfile.actions",
        " -r /tmp/requirements/actions.txt",
        "",
        "Dockerfile.actions: does not install requirements/actions.txt (its own service's lock)",
    ),
    "the rasa image installs the actions lock": (
        "deploy/Dockerfile.rasa",
        "-r /tmp/requirements/rasa.txt -r",
        "-r /tmp/requirements/actions.txt -r",
        "Dockerfile.rasa: does not install requirements/rasa.txt (its own service's lock)",
    ),
    "a lock without --require-hashes": (
        "deploy/Dockerfile.rasa",
        "--require-hashes ",
        "",
        "Dockerfile.rasa: installs requirements/rasa.txt, requirements/console.txt without --require-hashes",
    ),
    "a package outside the locks": (
        "deploy/Dockerfile.actions",
        'pip install --no-cache-dir "pip==24.0"',
        'pip install --no-cache-dir "pip==24.0" pytest',
        "Dockerfile.actions: pip install pytest: outside a lock",
    ),
    "the locks kept out of the build context": (
        "deploy/Dockerfile.rasa.dockerignore",
        "\nbuild\n",
        "\nbuild\nrequirements\n",
        "Dockerfile.rasa.dockerignore: `requirements` keeps requirements/rasa.txt out of the build context",
    ),
    # every command run in an image finds its program there
    "rasa run actions without the stand-in": (
        "deploy/Dockerfile.actions",
        ">/opt/venv/bin/rasa ",
        ">/tmp/rasa ",
        "compose.yaml actions: runs `rasa run actions`, which the actions image does not have",
    ),
    "python -m a module the image lacks": (
        "deploy/Dockerfile.actions",
        'CMD ["python", "-m", "rasa_sdk"',
        'CMD ["python", "-m", "rasa"',
        "Dockerfile.actions CMD: runs python -m rasa, which nothing in the actions image provides",
    ),
}


def context_copy(tmp_path: Path) -> Path:
    """A build context holding copies of deploy/ and the locks."""
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    shutil.copytree(PROJECT / "requirements", tmp_path / "requirements")
    return tmp_path


def context_problems(context: Path) -> List[str]:
    return list(Checker(context / "deploy", PROJECT, context).run())


@pytest.mark.parametrize("name", list(IMAGE_BREAKAGES))
def test_image_check_fails_on_a_broken_copy(name: str, tmp_path: Path) -> None:
    file, old, new, expected = IMAGE_BREAKAGES[name]
    context = context_copy(tmp_path)
    break_file(context / file, old, new)
    found = context_problems(context)
    assert any(expected in problem for problem in found), found


def test_image_check_passes_on_an_unbroken_copy(tmp_path: Path) -> None:
    """The breakages above are the only thing wrong with their copies."""
    assert context_problems(context_copy(tmp_path)) == problems(DEPLOY)


def test_image_check_fails_without_a_lock(tmp_path: Path) -> None:
    context = context_copy(tmp_path)
    (context / CONSOLE_LOCK).unlink()
    assert "requirements/console.txt: missing (make lock writes it)" in context_problems(context)


def test_image_check_fails_when_code_an_image_loads_imports_what_its_locks_lack(tmp_path: Path) -> None:
    """As the Rasa image did when it took on the console: policy_assistant/shared_questions.py, which the
    console imports, needs cachetools, which only the action server's lock had."""
    context = context_copy(tmp_path)
    for lock in ("requirements/rasa.txt", CONSOLE_LOCK):
        text = (context / lock).read_text(encoding="utf-8")
        start = text.index("cachetools==")
        end = text.index("\n", text.index("-r requirements/common.in", start))
        (context / lock).write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    expected = "Dockerfile.rasa: policy_assistant/shared_questions.py imports cachetools, which the image's locks"
    found = context_problems(context)
    assert any(problem.startswith(expected) for problem in found), found
    assert not any("Dockerfile.actions" in problem and "cachetools" in problem for problem in found)  # its own lock
