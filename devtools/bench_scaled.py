"""How the assistant scales on this machine (make bench-scaled). A benchmark:
it prints numbers and asserts nothing.

* load      the load of `make bench` (--parallel conversations at once, each
            --turns messages, for --seconds) through nginx, with 1, 2 and 3 Rasa
            server processes (--replicas) and 2 action servers, conversations in
            Redis (devtools/scaled.py); requests per second, p50/p95/p99, lost
            replies, memory, and the ratio against one process. Beside them:
            `make run`'s single process (memory store, no nginx), one Rasa
            process with SANIC_WORKERS=2 instead of two processes, and with
            --starter Rasa's starter bot. This machine is noisy, so every setup
            runs --rounds times (3), one after another in each round, and each
            ratio is taken against the same round's one process: each round's
            table, then the medians over the rounds.
* race      --race conversations, each sending two messages at the same moment:
            past nginx to two different Rasa servers, then through nginx. How
            many conversations lost a turn (Redis holds fewer than two user
            messages)?

Usage: .venv/bin/python -m devtools.bench_scaled [--rounds 3] [--replicas 1,2,3] [--seconds 60] [--only load,race]
       [--starter]"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Sequence

import redis

from devtools import benchmark
from devtools.benchmark import OK, QUESTIONS, Run, cells, describe, mib, ms, print_table, ratio, say, server_rss
from devtools.scaled import KEY_PREFIX, ScaledStack


def stack_rss(stack: ScaledStack, prefix: str) -> float:
    return sum(server_rss(p.proc) or 0 for p in stack.named(prefix))


def load(url: str, args: argparse.Namespace, unavailable: set[str]) -> Run:
    asyncio.run(benchmark.warm_up(url, QUESTIONS, unavailable))
    return asyncio.run(
        benchmark.conversations(url, QUESTIONS, args.seconds, args.parallel, args.turns, args.timeout, unavailable)
    )


def measure_stack(label: str, args: argparse.Namespace, unavailable: set[str], **settings: int) -> Run:
    with tempfile.TemporaryDirectory() as work:
        stack = ScaledStack(Path(work), **settings)  # type: ignore[arg-type]
        start = time.perf_counter()
        try:
            stack.start()
            say(f"{label}: started in {time.perf_counter() - start:.0f} s; load ...")
            run = load(stack.url, args, unavailable)
            run.bot, run.section = label, "load"
            run.rss = {"rasa": stack_rss(stack, "rasa-"), "actions": stack_rss(stack, "actions-")}
            describe(run, args.parallel)
            rasa, actions = mib(run.rss["rasa"]), mib(run.rss["actions"])
            say(f"  memory (RSS): Rasa servers {rasa} MiB, action servers {actions} MiB")
            return run
        finally:
            stack.stop()


def measure_single(args: argparse.Namespace, unavailable: set[str]) -> Run:
    """`make run`'s one Rasa process (in-memory conversations, no nginx)."""
    with tempfile.TemporaryDirectory() as work, benchmark.our_servers(Path(work)) as servers:
        benchmark.start_ours(servers)
        run = load(servers.url, args, unavailable)
        run.bot, run.section = "make run (1 process, memory)", "load"
        run.rss = {"rasa": server_rss(servers.rasa), "actions": server_rss(servers.actions)}
        describe(run, args.parallel)
        return run


async def two_at_once(targets: Sequence[str], conversations: int, client: redis.Redis) -> int:
    """Conversations (of `conversations`) that lost a turn when two messages were sent at once."""
    lost = 0
    async with benchmark.session(2, 60) as s:
        for n in range(conversations):
            sender = f"race-{uuid.uuid4().hex[:8]}-{n}"
            replies = await asyncio.gather(
                benchmark.post(s, targets[0], sender, QUESTIONS[0], set()),
                benchmark.post(s, targets[1], sender, QUESTIONS[1], set()),
            )
            raw = client.get(f"{KEY_PREFIX}:tracker:rest:{sender}")
            users = [e for e in json.loads(raw)["events"] if e["event"] == "user"] if raw else []
            lost += len(users) < 2 or any(r.outcome != OK for r in replies)
    return lost


def measure_race(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as work:
        stack = ScaledStack(Path(work), rasa_replicas=2, action_replicas=2)
        try:
            stack.start()
            client = stack.redis_client()
            servers = [f"http://127.0.0.1:{p}" for p in stack.rasa_ports]
            past = asyncio.run(two_at_once(servers, args.race, client))
            through = asyncio.run(two_at_once([stack.url, stack.url], args.race, client))
        finally:
            stack.stop()
    say(f"race: two messages of one conversation at the same moment, {args.race} conversations each way")
    say(f"  past nginx, to two Rasa servers: {past} of {args.race} conversations lost a turn")
    say(f"  through nginx: {through} of {args.race} conversations lost a turn")


def base_of(runs: Dict[str, Run]) -> Run | None:
    """The run that ratios are taken against: one Rasa process behind nginx."""
    return next((r for label, r in runs.items() if label.startswith("1 Rasa process +")), None)


def medians(rounds: List[Dict[str, Run]]) -> None:
    """Per setup, over the rounds: median req/s, median ratio against the
    same round's one process (and its range), median latency percentiles."""
    rows = [["setup", "rounds", "req/s", "ratio", "ratio range", "p50 ms", "p95 ms", "p99 ms", "lost", "Rasa MiB"]]
    for label in dict.fromkeys(label for runs in rounds for label in runs):
        found = [(runs[label], base_of(runs)) for runs in rounds if label in runs]
        ratios = [run.rps() / base.rps() for run, base in found if base is not None and base.rps() > 0]
        rows.append(
            [
                label,
                str(len(found)),
                f"{statistics.median(run.rps() for run, _ in found):.1f}",
                f"{statistics.median(ratios):.2f}" if ratios else "-",
                f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-",
                *(ms(statistics.median(run.p(q) for run, _ in found)) for q in (50, 95, 99)),
                str(sum(len(run.lost()) for run, _ in found)),
                mib(statistics.median(run.rss.get("rasa") or 0 for run, _ in found)),
            ]
        )
    print_table(
        f"medians over {len(rounds)} round(s) (ratio = req/s against 1 Rasa process behind nginx, same round):", rows
    )


def table(runs: List[Run], base: Run | None, title: str = "summary") -> None:
    header = ["bot", "requests", "req/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "lost", "unavail.", "Rasa MiB"]
    rows = [header]
    for run in runs:
        figures = {**cells(run), "ratio": ratio(run.rps(), base.rps()) if base else "-"}
        rows.append([figures[column] for column in header])
    print_table(f"{title} (ratio = req/s against 1 Rasa process behind nginx, same round):", rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", default="1,2,3", help="Rasa processes to measure (default 1,2,3)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    benchmark.add_load_options(parser)
    parser.add_argument("--race", type=int, default=50, help="conversations in the race section (default 50)")
    parser.add_argument("--only", default="load,race", help="sections: load,race")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every setup, one after another (default 3)")
    parser.add_argument("--no-extra", action="store_true", help="skip the make-run and SANIC_WORKERS rows")
    parser.add_argument("--starter", action="store_true", help="also load Rasa's starter bot (rasa init)")
    args = parser.parse_args(argv)
    sections = {s.strip() for s in args.only.split(",")}
    unavailable = benchmark.unavailable_texts()
    say(f"bench-scaled: {args.parallel} conversations of {args.turns} messages at a time, {args.seconds:.0f} s each")
    if "load" in sections:
        rounds: List[Dict[str, Run]] = []
        for number in range(1, args.rounds + 1):
            say(f"--- round {number} of {args.rounds}")
            runs: Dict[str, Run] = {}
            for n in (int(x) for x in args.replicas.split(",")):
                label = f"{n} Rasa process{'es' if n > 1 else ''} + nginx + Redis"
                runs[label] = measure_stack(label, args, unavailable, rasa_replicas=n, action_replicas=args.actions)
            if not args.no_extra:
                label = "1 Rasa process, SANIC_WORKERS=2"
                runs[label] = measure_stack(
                    label, args, unavailable, rasa_replicas=1, action_replicas=args.actions, sanic_workers=2
                )
                runs["make run (1 process, memory)"] = measure_single(args, unavailable)
            table(list(runs.values()), base_of(runs), f"round {number}")
            rounds.append(runs)
        if args.starter:
            starter = benchmark.measure_starter(argparse.Namespace(**vars(args), sections=["load"]), unavailable)
            rounds[-1]["rasa init starter"] = starter[0]
        medians(rounds)
    if "race" in sections:
        measure_race(args)


if __name__ == "__main__":
    main()
