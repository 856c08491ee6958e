"""A turn's limit (rasa_server/turns.py) comes from the environment's
TURN_SECONDS, 9 s when it is not set."""

import asyncio
import time

import pytest
from pydantic import ValidationError
from rasa.core.channels.channel import UserMessage

from rasa_server.turns import DEFAULT_TURN_SECONDS, Outcome, TurnRunner


async def never_done(message: UserMessage) -> None:
    await asyncio.sleep(60)  # an action server that does not answer


def test_without_a_setting_a_turn_may_take_nine_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TURN_SECONDS", raising=False)
    assert DEFAULT_TURN_SECONDS == 9.0 and TurnRunner(never_done).seconds == 9.0


def test_a_turn_is_cancelled_at_the_limit_the_environment_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURN_SECONDS", "0.3")
    runner = TurnRunner(never_done)
    start = time.monotonic()
    outcome = asyncio.run(runner.run(UserMessage("hello", sender_id="someone")))
    assert outcome is Outcome.TIMED_OUT and 0.3 <= time.monotonic() - start < 3
    assert not runner.running  # the conversation may have its next turn


def test_a_limit_that_is_not_a_positive_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for wrong in ("0", "-1", "soon"):
        monkeypatch.setenv("TURN_SECONDS", wrong)
        with pytest.raises(ValidationError):
            TurnRunner(never_done)
