"""How well policy_assistant.language.requested tells a request for a
language ("in Spanish please") from a language merely mentioned ("my husband
doesn't speak English"), on docs/language-requests.txt: prints the requests
found, the mentions left alone, and with --errors each message it gets wrong.

    python -m devtools.language_requests [--errors]"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Tuple

from devtools.paths import PROJECT
from policy_assistant.language import requested
from policy_assistant.live_store import shared_store

CASES = PROJECT / "docs" / "language-requests.txt"


def cases(path: Path = CASES) -> List[Tuple[str | None, str]]:
    """(the language asked for, or None for a mention; the message)"""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "|" in line and not line.startswith("#"):
            asked, text = line.split("|", 1)
            found.append((None if asked == "-" else asked, text))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="print each message answered wrongly")
    args = parser.parse_args()
    languages = shared_store().get().languages
    results = [(asked, text, requested(text, languages)) for asked, text in cases()]
    asks = [r for r in results if r[0] is not None]
    mentions = [r for r in results if r[0] is None]
    print(f"requests found: {sum(got == asked for asked, _, got in asks)} of {len(asks)}")
    print(f"mentions left alone: {sum(got is None for _, _, got in mentions)} of {len(mentions)}")
    if args.errors:
        for asked, text, got in results:
            if got != asked:
                print(f"  {asked or '-'} -> {got or '-'}: {text}")


if __name__ == "__main__":
    main()
