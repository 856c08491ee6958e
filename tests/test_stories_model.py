"""The conversation tests of tests/test_stories.yml on the trained model: each
story's user text gets the story's intent from the NLU, and every action of
every story is predicted exactly (what `rasa test core
--fail-on-prediction-errors` checks; `make stories` runs this file alone).
They run with the session's agent, in the e2e stage's one pytest run, so that
`make test` loads the model once for the model tests and the stories."""

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from devtools.paths import PROJECT, STORE
from policy_assistant import write_server_texts
from policy_assistant.store import load_store

pytestmark = pytest.mark.model

STORIES = PROJECT / "tests" / "test_stories.yml"


def stories() -> List[Dict[str, Any]]:
    return list(yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"])


def user_steps() -> List[Tuple[str, str, str]]:
    """(story, text, intent) of every step a person writes."""
    return [
        (s["story"], step["user"].strip(), step["intent"]) for s in stories() for step in s["steps"] if "user" in step
    ]


@pytest.fixture
def server_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply words the NLU reads (MORE, FUENTES), from the project's answer store, as the servers have them."""
    monkeypatch.setenv("SERVER_TEXTS", str(write_server_texts.write(load_store(STORE), tmp_path / "texts.json")))


def test_every_story_message_gets_its_intent(agent: Any, server_texts: None) -> None:
    steps = user_steps()

    async def parse_all() -> List[str]:
        return [(await agent.parse_message(text))["intent"]["name"] for _, text, _ in steps]

    got = asyncio.run(parse_all())
    answered = zip(steps, got, strict=True)
    wrong = [f"{story}: {intent}, got {name}" for (story, _, intent), name in answered if name != intent]
    assert len(got) >= len(stories()), "a story without a message from the person"
    assert not wrong, "\n".join(wrong)


def test_every_story_is_predicted_exactly(agent: Any, tmp_path: Path, server_texts: None) -> None:
    from rasa.core.test import test as test_stories

    out = tmp_path / "results"
    out.mkdir()
    asyncio.run(test_stories(str(STORIES), agent, out_directory=str(out), disable_plotting=True, warnings=False))

    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))["conversation_accuracy"]
    failed = out / "failed_test_stories.yml"
    count = len(stories())
    assert report["total"] == count, f"{report['total']} of the {count} stories were run"
    assert report["correct"] == count, failed.read_text(encoding="utf-8")
