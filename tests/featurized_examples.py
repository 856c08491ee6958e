"""Small training sets featurized as Rasa's pipeline does, for the tests of
the project's intent classifiers."""

from typing import Callable, List, Tuple

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def featurize(
    examples: List[Tuple[str, str]], storage: LocalModelStorage
) -> Tuple[TrainingData, Callable[[str], Message]]:
    """Rasa's whitespace tokenizer and count vectors, trained on (text, intent)
    examples: the featurized training data, and a function featurizing a new
    text the same way."""
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("features"), context
    )
    data = TrainingData([Message(data={"text": text, "intent": intent}) for text, intent in examples])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)

    def featurized(text: str) -> Message:
        [message] = featurizer.process(tokenizer.process([Message(data={"text": text})]))
        return message

    return data, featurized
