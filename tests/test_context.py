"""policy_assistant.context: a message read as the topic just answered, and
also as a question about that answer, asks about the answer."""

import pytest

from policy_assistant import context
from policy_assistant.context import FOLLOW_UP_AT_LEAST, follow_up_meant, topic_asked


@pytest.mark.parametrize(
    "intent, confidences, last_topic, meant",
    [
        # the topic just answered, with a question about the answer in it: the likeliest of who, when, more
        ("jail_and_detainers", {"ask_who_said": 0.12, "ask_when_said": 0.2}, "jail_and_detainers", "ask_when_said"),
        ("jail_and_detainers", {"ask_more": FOLLOW_UP_AT_LEAST}, "jail_and_detainers", "ask_more"),
        # "who said the 19 of 23 thing": the words of the topic outweigh the "who said" (0.06 here)
        (
            "investigation_findings",
            {"ask_who_said": 0.06, "choose_option": 0.03},
            "investigation_findings",
            "ask_who_said",
        ),
        # a new question on the same topic ("and at apartments?"): read as it is
        ("home_visits", {"ask_when_said": 0.03, "same_question": 0.5}, "home_visits", None),
        ("home_visits", {"ask_more": 0.025, "home_visits": 0.97}, "home_visits", None),
        # unsure, and likeliest a question about the answer just given: that question
        (
            "nlu_fallback",
            {"nlu_fallback": 0.4, "ask_when_said": 0.405, "traffic_stops": 0.35},
            "traffic_stops",
            "ask_when_said",
        ),
        # ... but not when hardly that, or likeliest something else, or with no answer before it
        ("nlu_fallback", {"nlu_fallback": 0.4, "ask_who_said": 0.29, "traffic_stops": 0.2}, "traffic_stops", None),
        ("nlu_fallback", {"nlu_fallback": 0.4, "traffic_stops": 0.38, "ask_more": 0.35}, "traffic_stops", None),
        ("nlu_fallback", {"nlu_fallback": 0.4, "ask_when_said": 0.405}, None, None),
        # another topic, or no answer yet: read as it is
        ("traffic_stops", {"ask_who_said": 0.4}, "home_visits", None),
        ("traffic_stops", {"ask_who_said": 0.4}, None, None),
        (None, {"ask_who_said": 0.4}, None, None),
    ],
)
def test_follow_up_meant(intent, confidences, last_topic, meant):
    assert follow_up_meant(intent, confidences, last_topic) == meant


@pytest.mark.parametrize(
    "intent, confidences, last_topic, asked",
    [
        ("home_visits", {"home_visits": 0.9}, "traffic_stops", "home_visits"),  # a topic is itself
        ("same_question", {"same_question": 0.8}, "home_visits", "home_visits"),  # "what about my wife?"
        ("same_question", {"same_question": 0.8}, None, None),  # ... before any answer
        # unsure, but likeliest the topic just answered, or the same question: it goes on
        (
            "nlu_fallback",
            {"nlu_fallback": 0.4, "when_police_help_ice": 0.36, "same_question": 0.25},
            "when_police_help_ice",
            "when_police_help_ice",
        ),  # fmt: skip
        ("nlu_fallback", {"nlu_fallback": 0.4, "same_question": 0.35}, "home_visits", "home_visits"),
        # unsure, and likeliest another topic, or hardly the topic just answered: still unsure
        ("nlu_fallback", {"nlu_fallback": 0.4, "traffic_stops": 0.38, "home_visits": 0.3}, "home_visits", None),
        ("nlu_fallback", {"nlu_fallback": 0.4, "home_visits": 0.29}, "home_visits", None),
        # unsure, with no answer before it: still unsure
        ("nlu_fallback", {"nlu_fallback": 0.4, "home_visits": 0.38}, None, None),
        ("nlu_fallback", {"nlu_fallback": 0.4}, "home_visits", None),
    ],
)
def test_topic_asked(intent, confidences, last_topic, asked):
    assert topic_asked(intent, confidences, last_topic) == asked


def test_a_ranking_is_read_best_first_an_intent_ranked_twice_keeping_its_first_place():
    ranking = [
        {"name": "emergency", "confidence": 1.0},  # a gate's choice, put first
        {"name": "joint_operations", "confidence": 0.72},
        {"name": "emergency", "confidence": 0.2},  # the classifiers' own reading of it
        {"name": "home_visits", "confidence": "high"},  # not a number: 0
        {"confidence": 0.5},  # no name: skipped
        "greet",  # not an entry: skipped
    ]
    assert context.ranked_confidences(ranking) == {"emergency": 1.0, "joint_operations": 0.72, "home_visits": 0.0}
    assert list(context.ranked_confidences(ranking)) == ["emergency", "joint_operations", "home_visits"]
    assert context.ranked_confidences(None) == {} and context.ranked_confidences({"name": "greet"}) == {}
