"""nlu_pipeline/sentence_meaning.py: a logistic regression on what the whole
message means. Trained on English questions only, it knows their Spanish
translations and their paraphrases; it is stored and loaded with Rasa's own
code; a message with no text gets no intent; a new encoder version retrains."""

from itertools import pairwise

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_pipeline import sentence_meaning
from nlu_pipeline.sentence_meaning import DIMENSIONS, SentenceMeaningClassifier

# English only, and no word of the questions below (but "police") in them
EXAMPLES = [
    ("will the police ask for my papers", "immigration_status"),
    ("do cops check if you have legal status", "immigration_status"),
    ("can i call 911 to report a robbery", "report_crime_safely"),
    ("is it safe to report a crime", "report_crime_safely"),
    ("what happens at a traffic stop", "traffic_stops"),
    ("i got pulled over, what now", "traffic_stops"),
    ("what did the mayor do after the report", "city_response"),
    ("how did city hall respond", "city_response"),
]
# (question, the intent it asks for): translations and paraphrases
QUESTIONS = [
    ("¿la policía me va a pedir mis documentos?", "immigration_status"),
    ("¿es seguro denunciar un robo?", "report_crime_safely"),
    ("¿qué pasa si me para una patrulla cuando manejo?", "traffic_stops"),
    ("are officers going to find out whether I'm undocumented?", "immigration_status"),
    ("if someone breaks into my house can I phone for help without fear?", "report_crime_safely"),
]


def context():
    return ExecutionContext(GraphSchema({}), "test", node_name="train_SentenceMeaningClassifier")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    config = {**SentenceMeaningClassifier.get_default_config(), "batch_size": 3}
    classifier = SentenceMeaningClassifier.create(config, storage, Resource("meaning"), context())
    classifier.train(TrainingData([Message(data={TEXT: t, "intent": i}) for t, i in EXAMPLES]))
    return classifier, config, storage


def ranked(classifier, text):
    [message] = classifier.process([Message(data={TEXT: text})])
    return message.get("intent"), message.get("intent_ranking")


@pytest.mark.parametrize("question, intent", QUESTIONS)
def test_it_knows_translations_and_paraphrases_of_what_it_was_taught(trained, question, intent):
    classifier, _, _ = trained
    top, ranking = ranked(classifier, question)
    assert top["name"] == ranking[0]["name"] == intent
    assert sorted(r["name"] for r in ranking) == sorted({i for _, i in EXAMPLES})
    assert all(a["confidence"] >= b["confidence"] for a, b in pairwise(ranking))
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_it_reads_one_vector_per_text_and_its_settings_reach_the_regression(trained):
    classifier, _, _ = trained
    vectors = classifier.embed(["ICE?", "¿ICE?", "ICE at work"] * 2)  # two batches of 3 and a batch boundary
    assert vectors.shape == (6, DIMENSIONS)
    np.testing.assert_allclose(vectors[:3], vectors[3:], atol=1e-6)
    assert classifier.clf.C == 10.0 and classifier.clf.class_weight is None and classifier.clf.max_iter == 1000


@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_message_with_no_text_gets_no_intent_and_no_ranking(trained, text):
    classifier, _, _ = trained
    [message] = classifier.process([Message(data={TEXT: text} if text is not None else {})])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_it_is_stored_and_loaded_with_rasas_code(trained):
    classifier, config, storage = trained
    loaded = SentenceMeaningClassifier.load(config, storage, Resource("meaning"), context())
    for question, _ in QUESTIONS:
        assert ranked(loaded, question) == ranked(classifier, question)


def test_the_encoder_version_is_in_the_fingerprint(monkeypatch):
    config = SentenceMeaningClassifier.get_default_config()
    before = SentenceMeaningClassifier.fingerprint_addon(config)
    assert before == sentence_meaning.encoder_version()
    monkeypatch.setattr(sentence_meaning, "encoder_version", lambda: "9.9.9")
    assert SentenceMeaningClassifier.fingerprint_addon(config) != before


@pytest.mark.parametrize("bad", [{"threads": 0}, {"batch_size": "many"}])
def test_bad_settings_are_refused(bad, tmp_path):
    config = {**SentenceMeaningClassifier.get_default_config(), **bad}
    with pytest.raises(ValueError):
        SentenceMeaningClassifier.create(config, LocalModelStorage(tmp_path), Resource("meaning"), context())
