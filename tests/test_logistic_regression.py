"""nlu_pipeline/logistic_regression.py: Rasa's logistic regression, trained
on real features, answers a message with no features as DIET does (no
intent), where Rasa's own raises and the person would get no reply; and the
real trained model parses every kind of blank or odd text."""

import asyncio

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message

from devtools.nlu_bench import policy_topics
from devtools.nlu_evaluation import load_agent
from devtools.paths import MODEL
from nlu_pipeline.logistic_regression import AnyTextLogisticRegressionClassifier
from tests.featurized_examples import featurize

EXAMPLES = [
    ("will the police ask for my papers", "immigration_status"),
    ("do officers ask about immigration status", "immigration_status"),
    ("can i call 911 to report a robbery", "report_crime_safely"),
    ("is it safe to report a crime", "report_crime_safely"),
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    data, featurized = featurize(EXAMPLES, storage)
    classifier = AnyTextLogisticRegressionClassifier.create(
        AnyTextLogisticRegressionClassifier.get_default_config(),
        storage,
        Resource("classifier"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    classifier.train(data)
    return classifier, featurized


# what the project's spaCy tokenizer and the featurizers make of "   ": no
# token, so no features (Rasa's WhitespaceTokenizer would make a token of it)
def blank():
    return Message(data={"text": "   "})


def test_a_message_without_words_gets_no_intent_and_the_others_are_classified(trained):
    classifier, featurized = trained
    empty, question = classifier.process([blank(), featurized("will police ask for papers")])
    assert empty.get("intent") == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []
    assert question.get("intent")["name"] == "immigration_status"
    assert [r["name"] for r in question.get("intent_ranking")][:1] == ["immigration_status"]


def test_rasas_own_classifier_fails_on_it(trained):
    """Why the subclass exists: if Rasa's own handles it one day, drop it."""
    classifier, _ = trained
    with pytest.raises(ValueError):
        LogisticRegressionClassifier.process(classifier, [blank()])


@pytest.mark.model
def test_the_trained_model_parses_blank_and_odd_text_without_a_topic():
    agent = load_agent(MODEL)
    topics = policy_topics()
    for text in ["", "   ", "\n\t", "/", "?", "...", "\u200b", "😀"]:
        parsed = asyncio.run(agent.parse_message(text))
        assert parsed["intent"].get("name") not in topics, (text, parsed["intent"])
