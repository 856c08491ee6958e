"""What the benchmark counts as the topic offered (devtools/nlu_bench.py): the
topic answered, the "not sure" menu, and the first topic of the emergency and
"another place" replies, as policy_assistant.answers.closest_topics gives
them to the action."""

from devtools.nlu_bench import in_menu, offered
from policy_assistant.answers import MENU_SIZE, closest_topics

TOPICS = {"joint_operations", "home_visits", "traffic_stops", "jail_and_detainers"}


def parsed(intent: str, *ranking: str) -> dict:
    names = [intent, *ranking]
    return {
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": n, "confidence": 1.0 - i / 10} for i, n in enumerate(names)],
    }


def test_the_emergency_reply_offers_the_closest_topic_first_and_only_that_one():
    p = parsed("emergency", "greet", "joint_operations", "home_visits")
    assert closest_topics("emergency", [r["name"] for r in p["intent_ranking"]], TOPICS) == ["joint_operations"]
    assert offered(p, "joint_operations", TOPICS)
    assert not offered(p, "home_visits", TOPICS)
    assert not in_menu(p, "joint_operations", TOPICS)  # issue 27's figure counts the "not sure" menu only


def test_the_not_sure_menu_offers_the_closest_topics_up_to_its_size():
    ranking = ["traffic_stops", "greet", "home_visits", "jail_and_detainers", "joint_operations"]
    p = parsed("nlu_fallback", *ranking)
    assert closest_topics("nlu_fallback", ranking, TOPICS) == ["traffic_stops", "home_visits", "jail_and_detainers"]
    assert MENU_SIZE == 3
    assert offered(p, "jail_and_detainers", TOPICS) and in_menu(p, "jail_and_detainers", TOPICS)
    assert not offered(p, "joint_operations", TOPICS)


def test_a_reply_that_offers_no_topic_offers_none_and_a_wrong_topic_is_not_offered():
    assert closest_topics("greet", ["home_visits"], TOPICS) == []
    assert not offered(parsed("greet", "home_visits"), "home_visits", TOPICS)
    assert not offered(parsed("traffic_stops", "home_visits"), "home_visits", TOPICS)
    assert offered(parsed("home_visits"), "home_visits", TOPICS)
