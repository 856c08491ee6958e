"""Reading a message in the light of the answer just given (issue 28). The
context is the id of the topic last answered, never what the person wrote.

After the answer about a topic (the last topic answered, small talk in
between included), a message the classifiers read as that same topic again is
usually a new question on it ("and at apartments?"), and is answered as one.
But when the classifiers also see in it a question about that answer (who
said it, when, more), the person has the answer already and is asking about
it: "who said the 19 out of 23 thing". The classifiers alone cannot tell,
because the words of the topic outweigh the "who said"."""

from __future__ import annotations

from typing import Mapping

from policy_assistant.names import ASK_MORE, ASK_WHEN_SAID, ASK_WHO_SAID

FOLLOW_UP_INTENTS = (ASK_WHO_SAID, ASK_WHEN_SAID, ASK_MORE)
# How likely the classifiers must find the question about the answer. On the
# development conversations (tests/conversations/dev.yml), the ten new
# questions on the topic just answered gave each of these at most 0.03, and
# the one question about the answer 0.14 (docs/results.md, sixth session).
FOLLOW_UP_AT_LEAST = 0.1


def follow_up_meant(intent: str | None, confidences: Mapping[str, float], last_topic: str | None) -> str | None:
    """The follow-up intent (who, when, more) a message read as `intent`
    asks, given the topic last answered; None when it is read as it is."""
    if intent is None or intent != last_topic:
        return None
    likeliest = max(FOLLOW_UP_INTENTS, key=lambda name: confidences.get(name, 0.0))
    return likeliest if confidences.get(likeliest, 0.0) >= FOLLOW_UP_AT_LEAST else None
