"""How well the assistant tells a request for a language ("in Spanish
please") from a language merely mentioned ("my husband doesn't speak
English"), on docs/language-requests.txt: each message goes through the
trained model's NLU, and policy_assistant.language.requested decides with its
verdict, as the actions do. Prints the requests found and the mentions left
alone, with the words alone (what a server's own message, such as "busy",
goes by) beside them, and with --errors each message it gets wrong.

    python -m devtools.language_requests [--errors] [--model PATH]"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Mapping, Tuple

from devtools.nlu_bench import parse_all
from devtools.nlu_evaluation import load_agent
from devtools.paths import MODEL, PROJECT
from policy_assistant.language import Language, detect, is_question, requested
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


def figures(results: List[Tuple[str | None, str, str | None]], languages: Mapping[str, Language]) -> str:
    """Requests found; mentions left alone; and the mentions that move the
    answer away from the language the message is written in (a mention of
    that language itself, taken for a request of it, leaves the answer where it was)."""
    asks = [r for r in results if r[0] is not None]
    mentions = [r for r in results if r[0] is None]
    found = sum(got == asked for asked, _, got in asks)
    alone = sum(got is None for _, _, got in mentions)
    moved = sum(got is not None and got != detect(text, languages) for _, text, got in mentions)
    return (
        f"requests found {found} of {len(asks)}, mentions left alone {alone} of {len(mentions)}, "
        f"mentions answered in another language than their own {moved}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="print each message answered wrongly")
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()
    store = shared_store().get()
    listed = cases()
    parsed = parse_all(load_agent(args.model), [text for _, text in listed])
    intents = [p["intent"]["name"] for p in parsed]
    verdicts = [is_question(intent, store.topics) for intent in intents]
    results = [
        (asked, text, requested(text, store.languages, q)) for (asked, text), q in zip(listed, verdicts, strict=True)
    ]
    alone = [(asked, text, requested(text, store.languages)) for asked, text in listed]
    print(f"with the NLU's verdict: {figures(results, store.languages)}")
    print(f"the words alone:        {figures(alone, store.languages)}")
    if args.errors:
        for (asked, text, got), intent in zip(results, intents, strict=True):
            if got != asked:
                print(f"  {asked or '-'} -> {got or '-'} ({intent}): {text}")


if __name__ == "__main__":
    main()
