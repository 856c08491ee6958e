"""Rasa's SpacyNLP, fingerprinted by the content of the project's pipeline.

Rasa fingerprints SpacyNLP by model name only, so a rebuilt pipeline under the
same path would not retrain the model. This subclass (same class name, so that
SpacyTokenizer and SpacyEntityExtractor still find it) adds a hash of the built
pipeline's files both to its own fingerprint and to the fingerprint of the
model it hands to the other components.

Rasa's graph makes two nodes of SpacyNLP (one provides the spaCy model to the
other components, one processes messages), and each loaded the pipeline:
two copies in memory. Both now share one, loaded once per path and content."""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils import spacy_utils

import nlu_pipeline.spacy_components  # noqa: F401 - registers the lemmatizer factory
from nlu_pipeline.build_spacy import content_hash


def _hash(model: str | None) -> str | None:
    return content_hash(Path(model)) if model and Path(model).is_dir() else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return _hash(config.get("model"))

    @staticmethod
    def load_model(spacy_model_name: str) -> spacy_utils.SpacyModel:
        return _loaded(spacy_model_name, _hash(spacy_model_name))


# the latest pipeline only: a rebuilt one (another content hash) replaces it
@lru_cache(maxsize=1)
def _loaded(spacy_model_name: str, digest: str | None) -> spacy_utils.SpacyModel:
    loaded = spacy_utils.SpacyNLP.load_model(spacy_model_name)
    name = f"{spacy_model_name}#{digest}" if digest else spacy_model_name
    return spacy_utils.SpacyModel(model=loaded.model, model_name=name)
