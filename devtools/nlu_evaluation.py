"""Intent accuracy of a trained model on held-out questions (files in Rasa's
NLU format that are never used for training). Used by the tests and by
`python -m devtools.nlu_accuracy`, which prints the numbers."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

from devtools.paths import MODEL

# Lines the test run prints at its end (tests/conftest.py).
REPORT: List[str] = []


@dataclass
class Evaluation:
    file: str
    total: int = 0
    correct: int = 0
    errors: List[Tuple[str, str, str, float]] = field(default_factory=list)  # text, expected, got, confidence
    per_intent: Dict[str, Counter] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_agent(model: Path) -> Any:
    """The trained model, quiet: Rasa's structured debug log would print every
    parsed message. A path with no file is refused: Rasa would load the newest
    model in its folder instead, and a typing slip would report another model's
    figures."""
    import logging

    if not model.is_file():
        raise FileNotFoundError(f"no model file at {model} (make train builds {MODEL})")

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)

    return Agent.load(str(model))


def evaluate(agent: Any, holdout: Path) -> Evaluation:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(holdout))
    result = Evaluation(file=holdout.name)

    async def parse_all() -> List[Dict[str, Any]]:
        return [await agent.parse_message(m.get("text")) for m in data.intent_examples]

    for message, parsed in zip(data.intent_examples, asyncio.run(parse_all()), strict=True):
        expected = message.get("intent")
        got = parsed["intent"]["name"]
        result.total += 1
        counts = result.per_intent.setdefault(expected, Counter())
        counts["total"] += 1
        if got == expected:
            result.correct += 1
            counts["correct"] += 1
        else:
            result.errors.append((message.get("text"), expected, got, parsed["intent"].get("confidence", 0.0)))
    return result
