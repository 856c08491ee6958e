"""Averaging several intent classifiers, with Rasa's own graph components.

Rasa runs a pipeline's components one after another on each message, and
every intent classifier overwrites the message's `intent` and `intent_ranking`.
So an ensemble is two small components around ordinary classifiers:

    - name: DIETClassifier          # random_seed: 42
    - name: nlu_pipeline.ensemble.KeepIntentRanking
    - name: DIETClassifier          # random_seed: 7
    - name: nlu_pipeline.ensemble.AverageIntentRankings

* KeepIntentRanking puts the ranking of the classifier before it aside;
* AverageIntentRankings averages the rankings put aside with the last
  classifier's own, and makes the average the message's intent and ranking.

(nlu_pipeline/parallel_diets.py trains several DIETs side by side and puts
each one's ranking aside itself, with `keep_ranking`: no KeepIntentRanking
after it, and another classifier between it and AverageIntentRankings.)

The FallbackClassifier and the gates after it then judge the average as they
would judge a single classifier. An intent missing from a classifier's ranking
(each keeps its top `ranking_length`) counts as 0 there."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from nlu_pipeline.untrained import UntrainedComponent

# the message's own key for rankings put aside; never part of the parse result
KEPT = "intent_rankings_kept"
Ranking = List[Dict[str, Any]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KeepIntentRanking(UntrainedComponent):
    """Puts the previous classifier's ranking aside for AverageIntentRankings."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            keep_ranking(message)
        return messages


def keep_ranking(message: Message) -> None:
    """Puts the message's present intent ranking aside for AverageIntentRankings."""
    # an empty ranking too, so that weights stay in step with classifiers
    message.set(KEPT, [*(message.get(KEPT) or []), message.get("intent_ranking") or []])


def check_weights(weights: List[float] | None) -> None:
    if weights is not None and (min(weights, default=0) < 0 or sum(weights) <= 0):
        raise ValueError(f"weights must be at least 0, and not all 0: {weights}")


def average(rankings: List[Ranking], weights: List[float] | None = None) -> Ranking:
    """The weighted mean confidence of each intent over the rankings, best first
    (ties in the order the intents were first met)."""
    check_weights(weights)
    weights = list(weights) if weights else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} classifiers")
    total = sum(weights)
    sums: Dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for entry in ranking:
            sums[str(entry["name"])] += weight * float(entry.get("confidence", 0.0))
    mean = [{"name": name, "confidence": value / total} for name, value in sums.items()]
    return sorted(mean, key=lambda entry: -entry["confidence"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AverageIntentRankings(UntrainedComponent):
    """Makes the average of the kept rankings and the last classifier's the message's intent."""

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        check_weights(config.get("weights"))  # at start-up, not on someone's message

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # weights: one per classifier, in pipeline order (none: all equal);
        # ranking_length: how many intents the ranking keeps (0: all)
        return {"weights": None, "ranking_length": 10}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            rankings = [*(message.get(KEPT) or []), message.get("intent_ranking") or []]
            message.data.pop(KEPT, None)
            if not any(rankings):
                continue  # no classifier ranked it (a message with no text): leave it as it is
            mean = average(rankings, self.component_config["weights"])
            if self.component_config["ranking_length"] > 0:
                mean = mean[: self.component_config["ranking_length"]]
            message.set("intent", mean[0], add_to_output=True)
            message.set("intent_ranking", mean, add_to_output=True)
        return messages
