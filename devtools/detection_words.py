"""Suggest the words that mark a message as written in a language.

The answer language is chosen from each language's `detection.words`
(policy_assistant.language): a word listed for a language should be common in
it and rare in every other language spoken. This prints, for one language,
the words (folded as the assistant folds them) that occur in at least
`--min-count` of its training examples (data/nlu/<code>/) and in none of the
other languages' examples or detection words, most frequent first, for a
person to read and copy into languages/<code>.yml. It suggests; it never
writes the file. Held-out questions (tests/) are not read.

    python -m devtools.detection_words sw
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Iterator

import yaml

from devtools.paths import PROJECT, STORE
from policy_assistant.store import load_store
from policy_assistant.text import words

NLU = PROJECT / "data" / "nlu"


def examples(folder: Path) -> Iterator[tuple[str, str]]:
    """(intent, text) of every training example in a folder of Rasa NLU files."""
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                if "intent" in block and line.strip().startswith("- "):
                    yield block["intent"], line.strip()[2:]


def suggest(code: str, min_count: int = 3, limit: int = 120) -> list[tuple[str, int]]:
    store = load_store(STORE)
    counts: Counter[str] = Counter()
    for _, text in examples(NLU / code):
        counts.update(set(words(text)))
    elsewhere: set[str] = set()
    for other, spoken in store.languages.items():
        if other == code:
            continue
        elsewhere |= spoken.detection_words | spoken.greeting_words
        for _, text in examples(NLU / other):
            elsewhere.update(words(text))
    language = store.languages.get(code)
    listed = (
        language.detection_words | language.greeting_words | language.switch_words | language.switch_cues
        if language is not None
        else frozenset()
    )
    ranked = [(w, n) for w, n in counts.most_common() if n >= min_count and w not in elsewhere and w not in listed]
    return ranked[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("code")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--limit", type=int, default=120)
    args = parser.parse_args(argv)
    found = suggest(args.code, args.min_count, args.limit)
    print(f"{len(found)} words common in data/nlu/{args.code}/ and absent from every other language's:")
    print(", ".join(w for w, _ in found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
