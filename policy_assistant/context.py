"""Reading a message in the light of the answer just given (issue 28). The
context is the id of the topic last answered, never what the person wrote.

After the answer about a topic (the last topic answered, small talk in
between included), a message the classifiers read as that same topic again is
usually a new question on it ("and at apartments?"), and is answered as one.
But when the classifiers also see in it a question about that answer (who
said it, when, more), the person has the answer already and is asking about
it: "who said the 19 out of 23 thing". The classifiers alone cannot tell,
because the words of the topic outweigh the "who said".

And a short question the classifiers are unsure of (below the fallback
threshold, nlu_fallback) but read likeliest as the topic just answered, or as
the same question again, goes on with that topic: "what if they have a
warrant signed by a judge?" after the answer about when police help ICE; one
they read likeliest as a question about that answer (who, when, more) is
that question: "ok, and when was the part about the jail said?". Alone,
with no answer before it, it stays "I'm not sure I understood"."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from policy_assistant.names import ASK_MORE, ASK_WHEN_SAID, ASK_WHO_SAID, NLU_FALLBACK, SAME_QUESTION

FOLLOW_UP_INTENTS = (ASK_WHO_SAID, ASK_WHEN_SAID, ASK_MORE)
# How likely the classifiers must find the question about the answer: about
# halfway, on a log scale, between the two kinds of message on the development
# conversations (tests/conversations/dev.yml). With the model trained on
# 2026-12-07, the nine new questions on the topic just answered gave each of
# these at most 0.025, and the one question about the answer 0.098 (0.03 and
# 0.14 with the sixth session's model; docs/results.md, twenty-first session).
FOLLOW_UP_AT_LEAST = 0.05
# How likely the classifiers must find the topic just answered (or the same
# question again) in a message they are unsure of, for it to go on with that
# topic. On the development conversations, the three unsure follow-ups that
# meant the topic just answered gave it 0.36 to 0.38 (docs/results.md,
# fourteenth session); the fallback threshold is 0.4 (config.yml).
CONTINUES_AT_LEAST = 0.3


def follow_up_meant(intent: str | None, confidences: Mapping[str, float], last_topic: str | None) -> str | None:
    """The follow-up intent (who, when, more) a message read as `intent`
    asks, given the topic last answered; None when it is read as it is.
    A message the classifiers were unsure of (nlu_fallback) asks one when
    that is its likeliest reading, at least CONTINUES_AT_LEAST, and a topic
    was answered before it."""
    if intent == NLU_FALLBACK and last_topic is not None:
        likeliest = likeliest_reading(confidences)
        return likeliest if likeliest in FOLLOW_UP_INTENTS else None
    if intent is None or intent != last_topic:
        return None
    likeliest = max(FOLLOW_UP_INTENTS, key=lambda name: confidences.get(name, 0.0))
    return likeliest if confidences.get(likeliest, 0.0) >= FOLLOW_UP_AT_LEAST else None


def topic_asked(intent: str | None, confidences: Mapping[str, float], last_topic: str | None) -> str | None:
    """The topic a message asks about, as actions.actions answers it: the
    intent itself; the topic last answered for "what about my wife?"
    (same_question); and the topic last answered for a message the
    classifiers were unsure of (nlu_fallback) whose likeliest reading is that
    topic or the same question, at least CONTINUES_AT_LEAST."""
    if intent == SAME_QUESTION:
        return last_topic
    if intent != NLU_FALLBACK:
        return intent
    if last_topic is None:
        return None
    return last_topic if likeliest_reading(confidences) in (last_topic, SAME_QUESTION) else None


def likeliest_reading(confidences: Mapping[str, float]) -> str | None:
    """The likeliest intent of a message the classifiers were unsure of,
    nlu_fallback aside, if they give it at least CONTINUES_AT_LEAST."""
    read = {name: confidence for name, confidence in confidences.items() if name != NLU_FALLBACK}
    likeliest = max(read, key=lambda name: read[name], default=None)
    return likeliest if likeliest is not None and read[likeliest] >= CONTINUES_AT_LEAST else None


def ranked_confidences(ranking: Any) -> Dict[str, float]:
    """A message's intents and their confidences from the NLU's
    intent_ranking, best first (an NLU gate's choice first, the classifiers'
    own after it; an intent ranked twice keeps its first place; entries that
    are not well formed are skipped)."""
    confidences: Dict[str, float] = {}
    for r in ranking if isinstance(ranking, list) else []:
        if isinstance(r, dict) and isinstance(r.get("name"), str):
            confidence = r.get("confidence")
            confidences.setdefault(r["name"], float(confidence) if isinstance(confidence, int | float) else 0.0)
    return confidences
