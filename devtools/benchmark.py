"""Print the numbers the project is judged by: training time (with --train),
server memory (RSS) and response times over HTTP. A benchmark, not a test: it
prints numbers and asserts nothing.

Usage: .venv/bin/python -m devtools.benchmark [--train] [--requests N]   (or: make bench)"""

import argparse
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from devtools.paths import BIN, PROJECT
from devtools.servers import Servers

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
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for q in QUESTIONS:  # warm up
                servers.ask(q, sender=sender)
            latencies = []
            for i in range(args.requests):
                question = QUESTIONS[i % len(QUESTIONS)]
                t0 = time.perf_counter()
                servers.ask(question, sender=f"{sender}-{i % 10}")
                latencies.append((time.perf_counter() - t0) * 1000)
            latencies.sort()
            print(
                f"response time over {len(latencies)} requests: median {statistics.median(latencies):.0f} ms, "
                f"p95 {latencies[max(0, int(len(latencies) * 0.95) - 1)]:.0f} ms, max {latencies[-1]:.0f} ms"
            )
            assert servers.rasa is not None and servers.actions is not None
            print(
                f"memory (RSS): Rasa server {rss_mib(servers.rasa.pid):.0f} MiB, "
                f"action server {rss_mib(servers.actions.pid):.0f} MiB"
            )
        finally:
            servers.stop()


if __name__ == "__main__":
    main()
