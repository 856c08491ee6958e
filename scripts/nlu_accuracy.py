"""Print the intent accuracy of the trained model on the held-out questions.
Usage: .venv/bin/python scripts/nlu_accuracy.py [holdout files...]"""
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from policy_assistant.nlu_evaluation import evaluate, load_agent  # noqa: E402

files = [Path(f) for f in sys.argv[1:]] or sorted((PROJECT / "tests" / "nlu").glob("holdout_*.yml"))
agent = load_agent(PROJECT / "models" / "policy-assistant.tar.gz")
for f in files:
    r = evaluate(agent, f)
    print(f"{r.file}: intent accuracy {r.accuracy:.3f} ({r.correct}/{r.total})")
    for text, expected, got, confidence in r.errors:
        print(f"   {text!r}: expected {expected}, got {got} ({confidence:.2f})")
