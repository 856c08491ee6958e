"""Rasa's LogisticRegressionClassifier, for any message.

Rasa's own fails on a message with no features (only spaces, say: the
tokenizer finds no token, and scikit-learn refuses an empty row), where DIET
gives no intent and the FallbackClassifier answers. This one gives such a
message no intent and an empty ranking, as DIET does, and leaves every other
message to Rasa's code."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnyTextLogisticRegressionClassifier(LogisticRegressionClassifier):
    def can_read(self, message: Message) -> bool:
        """Whether the featurizers gave the message's text the sentence features
        the logistic regression reads (a subclass that reads something else
        says so here)."""
        return message.get_sparse_features(TEXT)[1] is not None or message.get_dense_features(TEXT)[1] is not None

    def process(self, messages: List[Message]) -> List[Message]:
        featured = []
        for message in messages:
            if self.can_read(message):
                featured.append(message)
            else:
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
        if featured:
            super().process(featured)
        return messages
