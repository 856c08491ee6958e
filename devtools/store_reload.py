"""How long an action server takes to reload the answer store after a
publish: load_rendered_store (load, validate, render every answer), as
policy_assistant.live_store runs it, timed in one process like the server's.

    .venv/bin/python -m devtools.store_reload [--rounds 9] [--store answer_store]

Prints the median, minimum and maximum in seconds."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from devtools.paths import STORE
from policy_assistant.render_check import load_rendered_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--store", type=Path, default=STORE)
    args = parser.parse_args()
    took = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        load_rendered_store(args.store)
        took.append(time.perf_counter() - start)
    print(
        f"store reload over {args.rounds} rounds: median {statistics.median(took):.3f} s, "
        f"min {min(took):.3f} s, max {max(took):.3f} s"
    )


if __name__ == "__main__":
    main()
