"""The intent ensemble (nlu_pipeline/ensemble.py), run as Rasa runs it: each
classifier overwrites the message's ranking, KeepIntentRanking puts it aside,
and AverageIntentRankings makes the average the message's intent, which
Rasa's own FallbackClassifier then judges."""

import pytest
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from nlu_pipeline import ensemble
from tests.pipeline_config import pipeline, settings


def classified(message, ranking):
    """What a classifier does to a message: its ranking, and its top intent."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return message


def run(rankings, weights=None):
    keep = ensemble.KeepIntentRanking({})
    mean = ensemble.AverageIntentRankings({**ensemble.AverageIntentRankings.get_default_config(), "weights": weights})
    message = Message(data={"text": "..."})
    for i, ranking in enumerate(rankings):
        classified(message, ranking)
        [message] = (keep if i < len(rankings) - 1 else mean).process([message])
    return message


def test_the_average_decides_not_the_last_classifier():
    message = run(
        [
            [("traffic_stops", 0.7), ("report_crime_safely", 0.3)],
            [("traffic_stops", 0.6), ("report_crime_safely", 0.4)],
            [("report_crime_safely", 0.55), ("traffic_stops", 0.45)],
        ]
    )
    assert message.get("intent")["name"] == "traffic_stops"
    assert message.get("intent")["confidence"] == pytest.approx((0.7 + 0.6 + 0.45) / 3)
    assert [r["name"] for r in message.get("intent_ranking")] == ["traffic_stops", "report_crime_safely"]


def test_an_intent_missing_from_a_ranking_counts_as_zero_there():
    message = run([[("emergency", 0.9), ("greet", 0.1)], [("greet", 0.6), ("thank", 0.4)]])
    ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert ranking == pytest.approx({"emergency": 0.45, "greet": 0.35, "thank": 0.2})


def test_weights_follow_the_pipeline_order():
    rankings = [[("a", 1.0)], [("b", 1.0)]]
    assert run(rankings, [3, 1]).get("intent") == {"name": "a", "confidence": 0.75}
    assert run(rankings, [1, 3]).get("intent") == {"name": "b", "confidence": 0.75}
    with pytest.raises(ValueError):
        run(rankings, [1, 1, 1])


@pytest.mark.parametrize("weights", [[0, 0], [1, -1], []])
def test_weights_that_cannot_average_are_refused_at_start_up(weights):
    with pytest.raises(ValueError):
        ensemble.AverageIntentRankings({**ensemble.AverageIntentRankings.get_default_config(), "weights": weights})


def test_ranking_length_0_keeps_every_intent():
    config = {**ensemble.AverageIntentRankings.get_default_config(), "ranking_length": 0}
    message = classified(Message(data={"text": "..."}), [(f"intent{i}", 1 / 12) for i in range(12)])
    [message] = ensemble.AverageIntentRankings(config).process([message])
    assert len(message.get("intent_ranking")) == 12


def test_nothing_put_aside_reaches_the_parse_result():
    message = run([[("greet", 1.0)], [("greet", 1.0)]])
    # what Rasa's MessageProcessor returns as the parse result
    result = message.as_dict(only_output_properties=True)
    assert ensemble.KEPT not in message.data and ensemble.KEPT not in result
    assert {"intent", "intent_ranking"} <= set(result)


def test_a_message_no_classifier_ranked_is_left_as_it_is():
    message = Message(data={"text": ""})
    message.set("intent", {"name": "greet", "confidence": 1.0})
    [message] = ensemble.KeepIntentRanking({}).process([message])
    [message] = ensemble.AverageIntentRankings(ensemble.AverageIntentRankings.get_default_config()).process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 1.0}


def test_classifiers_that_disagree_meet_the_fallback():
    """Two classifiers each sure of a different topic average to an unsure
    one: Rasa's FallbackClassifier, with the project's settings, then says
    "I'm not sure I understood" rather than pick one."""
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), **settings()["FallbackClassifier"]})
    agree = run([[("traffic_stops", 0.9), ("jail_and_detainers", 0.1)], [("traffic_stops", 0.8)]])
    disagree = run(
        [[("traffic_stops", 0.9), ("jail_and_detainers", 0.1)], [("jail_and_detainers", 0.9), ("traffic_stops", 0.1)]]
    )
    [agree, disagree] = fallback.process([agree, disagree])
    assert agree.get("intent")["name"] == "traffic_stops"
    assert disagree.get("intent")["name"] == "nlu_fallback"


def test_the_pipeline_puts_every_classifier_but_the_last_aside_and_averages_them_all():
    """In config.yml, each intent classifier before AverageIntentRankings is
    followed by KeepIntentRanking (or its verdict would be lost), except
    ParallelDIETClassifiers, which puts each of its DIETs' rankings aside
    itself (so it cannot be the last); the last one is followed by
    AverageIntentRankings, and there is one weight per ranking if any."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.nlu.classifiers.classifier import IntentClassifier

    names, steps = pipeline()
    end = names.index("AverageIntentRankings")
    ranked = [
        i
        for i, step in enumerate(steps[:end])
        if issubclass(DefaultV1Recipe._from_registry(step["name"]).clazz, IntentClassifier)
    ]
    keeps_its_own = {i for i in ranked if names[i] == "ParallelDIETClassifiers"}
    assert len(ranked) >= 1 and names[ranked[-1] + 1] == "AverageIntentRankings"
    # its last DIET's ranking is both put aside and the message's: it would count twice
    assert ranked[-1] not in keeps_its_own
    for i in ranked[:-1]:
        assert (names[i + 1] == "KeepIntentRanking") == (i not in keeps_its_own)
    rankings = sum(len(steps[i]["random_seeds"]) if i in keeps_its_own else 1 for i in ranked)
    assert rankings >= 2
    assert names.count("KeepIntentRanking") == len(ranked) - 1 - len(keeps_its_own)
    weights = steps[end].get("weights")
    assert weights is None or len(weights) == rankings
