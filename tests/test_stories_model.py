"""The conversation tests of tests/test_stories.yml on the trained model: every
story's actions predicted exactly, as `rasa test core
--fail-on-prediction-errors` checks them (`make stories` runs that command).
Here they run with the session's agent, in the e2e stage's one pytest run, so
that `make test` loads the model once for the model tests and the stories."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.paths import PROJECT, STORE
from policy_assistant import write_server_texts
from policy_assistant.store import load_store

pytestmark = pytest.mark.model

STORIES = PROJECT / "tests" / "test_stories.yml"


def test_every_story_is_predicted_exactly(agent: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.test import test as test_stories

    # the reply words the NLU reads (MORE, FUENTES), from the project's answer store, as the servers have them
    texts = write_server_texts.write(load_store(STORE), tmp_path / "server_texts.json")
    monkeypatch.setenv("SERVER_TEXTS", str(texts))
    out = tmp_path / "results"
    out.mkdir()
    asyncio.run(test_stories(str(STORIES), agent, out_directory=str(out), disable_plotting=True, warnings=False))

    stories = len(yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"])
    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))["conversation_accuracy"]
    failed = out / "failed_test_stories.yml"
    assert report["total"] == stories, f"{report['total']} of the {stories} stories were run"
    assert report["correct"] == stories, failed.read_text(encoding="utf-8")
