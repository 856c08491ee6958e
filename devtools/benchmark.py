"""Print the numbers the project is judged by: training time (with --train),
server memory (RSS) and response times over HTTP. A benchmark, not a test: it
prints numbers and asserts nothing.

With --starter it also measures Rasa's own starter bot (`rasa init`, trained
in a temporary folder) in the same run, because this machine is noisy, and
prints the ratio.

Usage: .venv/bin/python -m devtools.benchmark [--train] [--starter] [--requests N]   (or: make bench)"""

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import List, Tuple

import requests

from devtools.paths import BIN, PROJECT
from devtools.servers import Servers, free_port, wait_for

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


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", action="store_true", help="also time a full `rasa train --force`")
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--starter", action="store_true", help="also measure `rasa init`'s starter bot")
    args = parser.parse_args()

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
            print(f"training (rasa train --force): {time.perf_counter() - start:.1f} s")

    with tempfile.TemporaryDirectory() as work:
        servers = Servers(Path(work))
        try:
            start = time.perf_counter()
            servers.start_actions()
            servers.start_rasa()
            print(f"start-up (both servers ready): {time.perf_counter() - start:.1f} s")
            ours = timed_requests(servers.url, QUESTIONS, args.requests)
            report("this assistant", ours)
            assert servers.rasa is not None and servers.actions is not None
            print(
                f"memory (RSS): Rasa server {rss_mib(servers.rasa.pid):.0f} MiB, "
                f"action server {rss_mib(servers.actions.pid):.0f} MiB"
            )
        finally:
            servers.stop()
    if args.starter:
        theirs, memory = starter_bot(args.requests)
        report("rasa init starter bot", theirs)
        print(f"memory (RSS): starter bot's Rasa server {memory:.0f} MiB")
        print(
            f"ratio (this / starter): median {statistics.median(ours) / statistics.median(theirs):.2f}, "
            f"p95 {percentile(ours, 0.95) / percentile(theirs, 0.95):.2f}"
        )


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def report(name: str, latencies: List[float]) -> None:
    print(
        f"{name}: response time over {len(latencies)} sequential requests: "
        f"median {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"max {max(latencies):.0f} ms"
    )


def timed_requests(url: str, questions: List[str], count: int) -> List[float]:
    """Warm up with every question once, then time `count` sequential requests."""
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    for q in questions:
        requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": q}, timeout=60)
    latencies = []
    for i in range(count):
        t0 = time.perf_counter()
        response = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": f"{sender}-{i % 10}", "message": questions[i % len(questions)]},
            timeout=60,
        )
        response.raise_for_status()
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def starter_bot(count: int) -> Tuple[List[float], float]:
    """Rasa's starter bot, made and trained by `rasa init` in a temporary
    folder, served on loopback, asked its own kind of questions."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", folder],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = free_port()
        with open(Path(folder) / "server.log", "ab") as log:
            proc = subprocess.Popen(
                [str(BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(port)],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", proc, seconds=300)
            latencies = timed_requests(f"http://127.0.0.1:{port}", STARTER_QUESTIONS, count)
            return latencies, rss_mib(proc.pid)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


if __name__ == "__main__":
    main()
