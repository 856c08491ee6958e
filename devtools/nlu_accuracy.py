"""Print the intent accuracy of the trained model on the held-out questions.
Usage: .venv/bin/python -m devtools.nlu_accuracy [holdout files...]"""

import sys
from pathlib import Path

from devtools.nlu_evaluation import evaluate, load_agent
from devtools.paths import MODEL, PROJECT


def main(argv: list) -> None:
    files = [Path(f) for f in argv] or sorted((PROJECT / "tests" / "nlu").glob("holdout_*.yml"))
    agent = load_agent(MODEL)
    for f in files:
        r = evaluate(agent, f)
        print(f"{r.file}: intent accuracy {r.accuracy:.3f} ({r.correct}/{r.total})")
        for text, expected, got, confidence in r.errors:
            print(f"   {text!r}: expected {expected}, got {got} ({confidence:.2f})")


if __name__ == "__main__":
    main(sys.argv[1:])
