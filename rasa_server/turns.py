"""Run one turn of a conversation within a bounded time.

* A turn takes at most TURN_SECONDS (rasa_server/settings.py: 9 s unless the
  environment sets it), however slow the action server is: then it
  is cancelled (Rasa releases the conversation's lock and saves nothing of the
  turn) and the person gets the "can't reach my answers" reply. Turns of one
  conversation still run one at a time, in order (Rasa's lock store).
* A client that disconnects does not cut a turn in half: the turn finishes (or
  times out) on its own.
* Each conversation has at most MAX_PER_CONVERSATION turns running or waiting;
  more get a polite "busy" reply at once.

Nothing here logs what was written, or who wrote it."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import Counter
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from rasa_server.settings import TurnSettings

logger = logging.getLogger(__name__)

DEFAULT_TURN_SECONDS = TurnSettings.__fields__["turn_seconds"].default  # when the environment does not say
MAX_PER_CONVERSATION = 3


class Outcome(enum.Enum):
    DONE = "done"
    BUSY = "busy"
    TIMED_OUT = "timed_out"
    FAILED = "failed"


class TurnRunner:
    def __init__(
        self,
        handle: Callable[[UserMessage], Awaitable[Any]],
        seconds: float | None = None,
        max_per_conversation: int = MAX_PER_CONVERSATION,
    ) -> None:
        self.handle = handle
        self.seconds = TurnSettings().turn_seconds if seconds is None else seconds
        self.max_per_conversation = max_per_conversation
        self.running: Counter[str] = Counter()

    async def run(self, message: UserMessage) -> Outcome:
        key = message.sender_id
        if self.running[key] >= self.max_per_conversation:
            return Outcome.BUSY
        self.running[key] += 1
        task = asyncio.ensure_future(self._bounded(message))
        task.add_done_callback(lambda _: self._finished(key))
        # shield: a cancelled request (client gone) leaves the turn to finish
        return await asyncio.shield(task)

    def _finished(self, key: str) -> None:
        self.running[key] -= 1
        if self.running[key] <= 0:
            del self.running[key]

    async def _bounded(self, message: UserMessage) -> Outcome:
        try:
            await asyncio.wait_for(self.handle(message), self.seconds)
        except asyncio.TimeoutError:
            logger.warning("A turn took longer than %g s and was cancelled", self.seconds)
            return Outcome.TIMED_OUT
        except Exception as error:  # noqa: BLE001 - the person must still get a reply
            logger.error("Handling a message failed: %s", type(error).__name__)
            return Outcome.FAILED
        return Outcome.DONE
