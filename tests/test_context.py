"""policy_assistant.context: a message read as the topic just answered, and
also as a question about that answer, asks about the answer."""

import pytest

from policy_assistant.context import FOLLOW_UP_AT_LEAST, follow_up_meant


@pytest.mark.parametrize(
    "intent, confidences, last_topic, meant",
    [
        # the topic just answered, with a question about the answer in it: the likeliest of who, when, more
        ("jail_and_detainers", {"ask_who_said": 0.12, "ask_when_said": 0.2}, "jail_and_detainers", "ask_when_said"),
        ("jail_and_detainers", {"ask_more": FOLLOW_UP_AT_LEAST}, "jail_and_detainers", "ask_more"),
        # a new question on the same topic ("and at apartments?"): read as it is
        ("home_visits", {"ask_when_said": 0.03, "same_question": 0.5}, "home_visits", None),
        # another topic, or no answer yet: read as it is
        ("traffic_stops", {"ask_who_said": 0.4}, "home_visits", None),
        ("traffic_stops", {"ask_who_said": 0.4}, None, None),
        (None, {"ask_who_said": 0.4}, None, None),
    ],
)
def test_follow_up_meant(intent, confidences, last_topic, meant):
    assert follow_up_meant(intent, confidences, last_topic) == meant
