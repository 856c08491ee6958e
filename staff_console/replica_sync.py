"""Keep an action server replica's answer store in step with the content
repository: clone it once, then every `--every` seconds fetch and move
forward to the published branch (`git merge --ff-only`). The action server
reads the clone ($ANSWER_STORE) and re-reads its files when they change, so a
publish reaches every replica within about `--every` seconds plus one
request, with no restart.

    python -m staff_console.replica_sync --origin ssh://content-host/srv/content --into /srv/answers

With `--server-texts FILE` (beside a Rasa server) it also writes the Rasa
server's own texts from the clone (policy_assistant.write_server_texts) when
it starts and whenever the clone changed.

Only publishes that the console validated reach the branch, and each action
server validates again before it answers from a new version
(policy_assistant.live_store), so a replica never serves a broken store."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from staff_console.content_repo import MAIN, ContentRepo

logger = logging.getLogger(__name__)


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def sync_once(origin: str, into: Path) -> bool:
    """Clone or fast-forward `into`; True when its files changed."""
    if not (into / ".git").exists():
        result = _git("clone", "--quiet", "--branch", MAIN, origin, str(into))
        if result.returncode != 0:
            logger.error("Could not clone the content repository: %s", result.stderr.strip())
            return False
        return True
    before = _git("rev-parse", "HEAD", cwd=into).stdout.strip()
    fetched = _git("fetch", "--quiet", "origin", MAIN, cwd=into)
    if fetched.returncode != 0:
        logger.warning("Could not reach the content repository; still serving %s", before[:10])
        return False
    merged = _git("merge", "--ff-only", "--quiet", "FETCH_HEAD", cwd=into)
    if merged.returncode != 0:
        logger.error("The replica's files were changed by hand; not updated: %s", merged.stderr.strip())
        return False
    return _git("rev-parse", "HEAD", cwd=into).stdout.strip() != before


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--origin", required=True, help="the content repository (a path or a git URL)")
    parser.add_argument("--into", required=True, type=Path, help="this replica's answer store ($ANSWER_STORE)")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between checks (default 1)")
    parser.add_argument("--once", action="store_true", help="sync once and exit (1 if there is no clone)")
    parser.add_argument("--server-texts", type=Path, help="also write the Rasa server's texts from the clone here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    first = True
    while True:
        changed = sync_once(args.origin, args.into)
        if changed:
            logger.info(
                "Answer store updated to %s", _git("rev-parse", "--short", "HEAD", cwd=args.into).stdout.strip()
            )
        if args.server_texts and (changed or first) and (args.into / ".git").exists():
            for problem in ContentRepo(args.into, args.server_texts).write_server_texts(quiet=True):
                logger.error("%s", problem)
        first = False
        if args.once:
            # 1 when there is no clone to serve from (the first clone failed)
            return 0 if (args.into / ".git").exists() else 1
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
