"""Hostile requests, as an outsider would send them, for the fuzz test and
`make fuzz`: bodies that are not JSON, not objects, nested, huge, binary; odd
types in every field; slash commands; script tags; other languages; odd
methods, paths, headers and encodings; malformed Unicode (half of a UTF-16
surrogate pair, as a JSON escape or as raw bytes). Every request carries a unique marker
string where a person's words would go, so the servers' logs can be searched
for it afterwards.

Usage: .venv/bin/python -m devtools.hostile [--requests 10000] [--seed 1]
(starts the real servers, sends them, prints the counts)."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import requests

MARKER = "Qxzv"  # never in the model's vocabulary, the store or the code paths
WEBHOOKS = ["/webhooks/rest/webhook", "/webhooks/webchat/webhook"]
PATHS = [*WEBHOOKS, "/", "/webhooks/rest/", "/webhooks/webchat", "/webhooks/webchat/", "/model/parse", "/version"]
WORDS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE trackers; --",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "\u202e\u200b\ufeff",
    "\x00\x01\x02\x1b[31m",
    "🙂" * 50,
    "Wie spät ist es?",
    "Ты говоришь по-русски?",
    "هل الشرطة تسأل عن الهجرة؟",
    "will the police ask about my immigration status?",
    "la migra esta en mi puerta",
]
SLASH = ["/restart", "/session_start", "/back", "/greet", "/home_visits", "/nlu_fallback", '/x{"a":1}', "/greet@0.1"]


@dataclass
class Hostile:
    method: str
    path: str
    body: bytes
    headers: Dict[str, str] = field(default_factory=dict)


def text(rng: random.Random, marker: str) -> str:
    choice = rng.randrange(8)
    if choice == 0:
        return f"/{marker} my name is {marker}"
    if choice == 1:
        return rng.choice(SLASH) + " " + marker
    if choice == 2:
        return f"{rng.choice(WORDS)} {marker}"
    if choice == 3:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 60))) + marker
    if choice == 4:
        return marker * rng.randrange(1, 3000)
    if choice == 5:
        return f"/{marker}"
    if choice == 6:
        return rng.choice(SLASH)
    return f"{marker} " + rng.choice(WORDS)


def odd_value(rng: random.Random, marker: str) -> Any:
    return rng.choice(
        [None, "", 0, -1, 1e308, True, [], {}, [marker], {"text": marker}, marker * 40, "\x00", "a b", "../x"]
    )


def request(rng: random.Random, n: int) -> Hostile:
    marker = f"{MARKER}{n}"
    path = rng.choice(WEBHOOKS) if rng.random() < 0.85 else rng.choice(PATHS)
    method = "POST" if rng.random() < 0.9 else rng.choice(["GET", "PUT", "DELETE", "OPTIONS", "PATCH"])
    kind = rng.randrange(13)
    headers = {"Content-Type": "application/json"}
    sender: Any = f"fuzz-{n}" if rng.random() < 0.7 else odd_value(rng, marker)
    if kind == 0:
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
    elif kind == 1:
        body = rng.choice([b"null", b"[]", b'"x"', b"42", b"true", b"", b"{", b"[" * 5000, b"{}"])
    elif kind == 2:
        depth = rng.randrange(100, 6000)
        body = b'{"message":' * depth + b'"x"' + b"}" * depth
    elif kind == 3:
        body = json.dumps({"sender": sender, "message": marker * rng.randrange(1000, 20000)}).encode()
    elif kind == 4:
        body = json.dumps({"sender": sender, "message": odd_value(rng, marker)}).encode()
    elif kind == 5:
        body = json.dumps(
            {
                "sender": sender,
                "message": text(rng, marker),
                "metadata": rng.choice([{"lang": marker}, {"lang": "es", "x": marker}, marker, [marker], None]),
                "input_channel": marker,
                "stream": True,
            }
        ).encode()
    elif kind == 6:
        body = zlib.compress(json.dumps({"sender": sender, "message": text(rng, marker)}).encode())
        headers["Content-Encoding"] = rng.choice(["deflate", "gzip", "br", marker])
    elif kind == 7:
        body = json.dumps({"sender": sender, "message": text(rng, marker)}).encode()
        headers["Content-Type"] = rng.choice(["text/plain", "application/x-www-form-urlencoded", marker, ""])
    elif kind == 8:
        body = json.dumps([{"sender": sender, "message": text(rng, marker)}]).encode()
    elif kind == 12:  # half of a surrogate pair: JSON's escape, or the bytes Python's json also reads
        lone = rng.choice([b"\\ud800", b"\\udfff", b"\xed\xa0\x80", b"\\ud83d x"])
        body = b'{"sender": "fuzz-%d", "message": "%s %s"}' % (n, marker.encode(), lone)
    else:
        body = json.dumps({"sender": sender, "message": text(rng, marker)}).encode()
    return Hostile(method, path, body, headers)


def requests_for(count: int, seed: int = 1) -> Iterator[Hostile]:
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not a secret
    for n in range(count):
        yield request(rng, n)


@dataclass
class Result:
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def send_all(url: str, hostile: List[Hostile], workers: int = 8, timeout: float = 30) -> Result:
    """Send every request on a connection of its own: a hostile request may
    leave its own connection unusable (a GET with a body), not anyone else's."""
    result = Result()

    def send(h: Hostile) -> None:
        try:
            headers = {**h.headers, "Connection": "close"}
            response = requests.request(h.method, url + h.path, data=h.body, headers=headers, timeout=timeout)
            result.statuses[response.status_code] += 1
        except requests.RequestException as error:
            result.errors[type(error).__name__] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(send, hostile))
    result.seconds = time.perf_counter() - start
    return result


def markers_in(log: Path) -> List[str]:
    content = log.read_text(errors="replace")
    return sorted({line.strip()[:120] for line in content.splitlines() if MARKER in line})


def main() -> None:
    from devtools.servers import Servers

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        servers = Servers(Path(work))
        try:
            servers.start()
            result = send_all(servers.url, list(requests_for(args.requests, args.seed)))
            answer = servers.ask("will the police ask about my immigration status?", sender="after-fuzz")
        finally:
            servers.stop()
        print(f"hostile requests: {args.requests} in {result.seconds:.0f} s")
        print("statuses:", dict(sorted(result.statuses.items())), "client errors:", dict(result.errors))
        print(f"5xx: {result.server_errors}")
        for log in (servers.rasa_log, servers.actions_log):
            found = markers_in(log)
            print(f"markers in {log.name}: {len(found)}")
            for line in found[:5]:
                print("   ", line)
        print("a normal question afterwards:", "answered" if answer else "NOT answered")


if __name__ == "__main__":
    main()
