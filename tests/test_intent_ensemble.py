"""nlu_pipeline/intent_ensemble.py: one component that owns its members and
averages them inside. Its average is the weighted mean of what each member
says; each DIET member is Rasa's DIETClassifier with the same weights as one
trained here with its seed, is stored without its optimizer's state, and is
loaded without training, answering as Rasa's own load does, unless the
stored weights miss one; every member is stored in the component's one resource, comes back
from it and through Rasa's training cache; a regression is read as plain numbers, never
through pickle; a missing member stops loading; a
message no member can read gets no intent; bad settings are refused at
start-up."""

import asyncio
import shutil
import tracemalloc

import numpy as np
import pytest
import tensorflow as tf
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression

from devtools.nlu_bench import policy_topics
from nlu_pipeline import diet_answering, intent_ensemble
from nlu_pipeline.intent_ensemble import IntentEnsemble, diet_config
from nlu_pipeline.sentence_meaning import DIMENSIONS
from tests.featurized_examples import featurize

EXAMPLES = [
    ("will the police ask for my papers", "immigration_status"),
    ("do officers ask about immigration status", "immigration_status"),
    ("can i call 911 to report a robbery", "report_crime_safely"),
    ("is it safe to report a crime", "report_crime_safely"),
    ("what happens at a traffic stop", "traffic_stops"),
    ("i got pulled over, will they ask for my license", "traffic_stops"),
]
QUESTIONS = ["will they ask about my papers", "can i report a robbery", "pulled over last night"]
DIET = {"epochs": 3, "number_of_transformer_layers": 0, "entity_recognition": False, "constrain_similarities": True}
NGRAMS = {"kind": "ngrams", "weight": 1, "C": 1, "class_weight": "balanced", "max_iter": 300}
MEANING = {"kind": "meaning", "weight": 3, "C": 10, "class_weight": None, "max_iter": 1000}
MEMBERS = [
    {"kind": "diet", "weight": 1, "random_seed": 42},
    {"kind": "diet", "weight": 1, "random_seed": 7},
    NGRAMS,
    MEANING,
]


def context():
    return ExecutionContext(GraphSchema({}), "test", node_name="train_IntentEnsemble")


def config(members=MEMBERS, **more):
    return {**IntentEnsemble.get_default_config(), "members": members, "diet": DIET, "ranking_length": 0, **more}


@pytest.fixture(scope="module")
def featurized(tmp_path_factory):
    """The examples featurized by Rasa's tokenizer and count vectors; and a function featurizing a question."""
    return featurize(EXAMPLES, LocalModelStorage(tmp_path_factory.mktemp("features")))


@pytest.fixture(scope="module")
def trained(featurized, tmp_path_factory):
    data, _ = featurized
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    ensemble = IntentEnsemble.create(config(), storage, Resource("ensemble"), context())
    ensemble.train(data)
    return ensemble, storage


def ranking(component, message):
    [parsed] = component.process([message])
    return parsed.get("intent"), parsed.get("intent_ranking")


def test_the_average_is_the_weighted_mean_of_the_members(featurized, trained):
    _, question = featurized
    ensemble, _ = trained
    for text in QUESTIONS:
        top, ranked = ranking(ensemble, question(text))
        assert {e["name"]: e["confidence"] for e in ranked} == pytest.approx(weighted_mean(ensemble, question(text)))
        assert top == ranked[0]
        assert [e["confidence"] for e in ranked] == sorted((e["confidence"] for e in ranked), reverse=True)
    # the members do not all agree, so the average is not any one of them
    said = [ensemble.rankings(m, [question(QUESTIONS[2])])[0] for m in MEMBERS]
    assert len({tuple(round(e["confidence"], 6) for e in r) for r in said}) == len(MEMBERS)


def test_each_diet_has_the_weights_of_rasas_diet_trained_here_with_its_seed(featurized, trained, tmp_path):
    data, question = featurized
    ensemble, _ = trained
    for member in MEMBERS[:2]:
        diet = DIETClassifier.create(
            diet_config(DIET, member["random_seed"]), LocalModelStorage(tmp_path), Resource("here"), context()
        )
        diet.train(data)
        for text in QUESTIONS:
            [alone] = diet.process([question(text)])
            assert ensemble.rankings(member, [question(text)]) == [alone.get("intent_ranking")]


def test_every_member_is_stored_in_the_components_resource_and_comes_back(featurized, trained):
    _, question = featurized
    ensemble, storage = trained
    with storage.read_from(Resource("ensemble")) as folder:
        stored = sorted(path.name for path in folder.iterdir())
    assert stored == ["diet_seed_42", "diet_seed_7", "meaning.npz", "ngrams.npz"]
    loaded = IntentEnsemble.load(config(), storage, Resource("ensemble"), context())
    for text in QUESTIONS:
        assert ranking(loaded, question(text)) == ranking(ensemble, question(text))


def test_a_stored_regression_that_would_need_pickle_is_refused(trained, tmp_path):
    """A regression is read as plain numbers: a file that holds a Python
    object (which pickle would build, running code) stops the load."""
    _, storage = trained
    with storage.read_from(Resource("ensemble")) as folder:
        shutil.copytree(folder, tmp_path / "ensemble")
    stored = tmp_path / "ensemble" / "ngrams.npz"
    with np.load(stored) as arrays:
        numbers = dict(arrays)
    np.savez(stored, **{**numbers, "classes": np.array(list(numbers["classes"]), dtype=object)})
    with pytest.raises(ValueError, match="allow_pickle"):
        IntentEnsemble.load(config(), LocalModelStorage(tmp_path), Resource("ensemble"), context())


def test_rasas_training_cache_carries_every_member(featurized, trained, tmp_path):
    """What Rasa's training cache does with a trained node's resource: copies
    it out, and back into the next training's model storage."""
    _, question = featurized
    ensemble, storage = trained
    (tmp_path / "cache").mkdir()
    Resource("ensemble").to_cache(tmp_path / "cache", storage)
    (tmp_path / "next").mkdir()
    restored = LocalModelStorage(tmp_path / "next")
    resource = Resource.from_cache("ensemble", tmp_path / "cache", restored, "fingerprint")
    loaded = IntentEnsemble.load(config(), restored, resource, context())
    assert ranking(loaded, question(QUESTIONS[2])) == ranking(ensemble, question(QUESTIONS[2]))


def allocated_while_answering(model, features):
    """The most bytes allocated at once while `model` answers (numpy reports its arrays to tracemalloc)."""
    tracemalloc.start()
    try:
        model.predict_proba(features)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_regression_on_many_ngrams_answers_without_copying_its_coefficients():
    """scipy copied every coefficient of the n-gram member (tens of MB) for each message."""
    rng = np.random.default_rng(0)
    features = sparse_random(300, 40_000, density=0.001, format="csr", random_state=0)
    model = LogisticRegression(max_iter=50).fit(features, rng.integers(0, 5, 300))
    question = features[:1]
    before = model.predict_proba(question)
    assert allocated_while_answering(model, question) > model.coef_.nbytes  # as fitted: a copy each time
    intent_ensemble.row_major_transpose(model)
    assert allocated_while_answering(model, question) < model.coef_.nbytes / 100
    assert (model.predict_proba(question) == before).all()


def test_the_ensembles_regressions_are_stored_for_answering_without_a_copy(trained):
    ensemble, storage = trained
    loaded = IntentEnsemble.load(config(), storage, Resource("ensemble"), context())
    for component in (ensemble, loaded):
        for kind in ("ngrams", "meaning"):
            assert component.models[kind].coef_.T.flags.c_contiguous


def test_a_diet_is_stored_without_its_optimizers_state(trained):
    """Adam's values (twice the weights) are only for training: the stored
    checkpoints leave them out."""
    _, storage = trained
    with storage.read_from(Resource("ensemble")) as folder:
        for member in MEMBERS[:2]:
            checkpoint = folder / intent_ensemble.member_name(member) / "DIETClassifier.tf_model"
            stored = dict(tf.train.list_variables(str(checkpoint)))
            weights = sum(int(np.prod(shape)) for name, shape in stored.items() if "optimizer" not in name)
            assert weights > 1000
            assert sum(int(np.prod(shape)) for name, shape in stored.items() if "optimizer" in name) <= 2


def test_a_diet_is_loaded_without_training_and_answers_as_rasas_load(featurized, trained, monkeypatch):
    """Rasa's load fits each DIET on one example to build its weights; the
    ensemble's reads them without training (no optimizer, no traced training
    step), and answers to the bit as Rasa's load of the same files does."""
    _, question = featurized
    ensemble, storage = trained
    rasas = {}
    with storage.read_from(Resource("ensemble")) as folder:
        for member in MEMBERS[:2]:
            name = intent_ensemble.member_name(member)
            rasas[name] = DIETClassifier.load(
                diet_config(DIET, member["random_seed"]),
                LocalModelStorage(folder),
                Resource(name),
                intent_ensemble.diet_context(context(), name),
            )

    def no_training(*args, **kwargs):
        raise AssertionError("a DIET was trained while loading")

    monkeypatch.setattr(tf.keras.Model, "fit", no_training)
    loaded = IntentEnsemble.load(config(), storage, Resource("ensemble"), context())
    for component in (ensemble, loaded):
        for member in MEMBERS[:2]:
            name = intent_ensemble.member_name(member)
            diet = component.models[name]
            assert diet.model.optimizer is None and diet.model.train_function is None
            for text in QUESTIONS:
                [alone] = rasas[name].process([question(text)])
                assert diet.process([question(text)])[0].get("intent_ranking") == alone.get("intent_ranking")


def test_a_weight_the_stored_diet_does_not_hold_stops_the_load(trained, monkeypatch):
    """A weight created while loading that the checkpoint has no value for
    would answer with its random start: the load stops instead."""
    _, storage = trained
    answer = diet_answering.AnsweringDIET.run_inference

    def with_a_weight_more(model, *args, **kwargs):
        model.weight_more = tf.Variable(tf.random.normal([3]))
        return answer(model, *args, **kwargs)

    monkeypatch.setattr(diet_answering.AnsweringDIET, "run_inference", with_a_weight_more)
    with pytest.raises(AssertionError, match="weight_more|Unresolved|not matched|unmatched"):
        IntentEnsemble.load(config(), storage, Resource("ensemble"), context())


@pytest.mark.parametrize("missing", ["diet_seed_7", "meaning.npz", "diet_seed_42/DIETClassifier.tf_model.index"])
def test_a_missing_member_stops_loading_rather_than_answering_with_fewer(trained, tmp_path, missing):
    _, storage = trained
    with storage.read_from(Resource("ensemble")) as folder:
        shutil.copytree(folder, tmp_path / "ensemble")
    gone = tmp_path / "ensemble" / missing
    shutil.rmtree(gone) if gone.is_dir() else gone.unlink()
    with pytest.raises((FileNotFoundError, OSError, tf.errors.NotFoundError)):
        IntentEnsemble.load(config(), LocalModelStorage(tmp_path), Resource("ensemble"), context())


def test_a_diet_rasa_could_not_load_stops_loading_rather_than_answering_untrained(trained, monkeypatch):
    """Rasa's DIETClassifier answers a load that fails with a ValueError (a
    weight of another shape, say) with an untrained DIET, which the ensemble
    would leave out of its average without a word."""
    _, storage = trained

    def cannot_load(cls, *args, **kwargs):
        raise ValueError("a weight of another shape")

    monkeypatch.setattr(diet_answering.DIETClassifier, "_load", classmethod(cannot_load))
    with pytest.raises(RuntimeError, match="could not be loaded"):
        IntentEnsemble.load(config(), storage, Resource("ensemble"), context())


def weighted_mean(ensemble, message):
    """The weighted mean of the rankings of the members that read the message."""
    sums: dict = {}
    total = 0
    for member in MEMBERS:
        [said] = ensemble.rankings(member, [message])
        if said is None:
            continue
        total += member["weight"]
        for entry in said:
            sums[entry["name"]] = sums.get(entry["name"], 0) + member["weight"] * entry["confidence"]
    return {name: value / total for name, value in sums.items()}


def test_a_member_that_cannot_read_a_message_is_left_out_of_its_average(trained):
    """A message the featurizers never saw has no n-gram features: the other
    members decide without the n-gram regression."""
    ensemble, _ = trained
    message = Message(data={TEXT: "¿la policía me va a pedir mis papeles?"})
    assert ensemble.rankings(NGRAMS, [message]) == [None]
    assert ensemble.rankings(MEANING, [message])[0]
    _, ranked = ranking(ensemble, Message(data={TEXT: message.get(TEXT)}))
    assert {e["name"]: e["confidence"] for e in ranked} == pytest.approx(weighted_mean(ensemble, message))


@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_message_no_member_can_read_gets_no_intent_and_no_ranking(trained, text):
    ensemble, _ = trained
    regressions = IntentEnsemble(config([NGRAMS, MEANING]), None, Resource("r"), context(), dict(ensemble.models))
    top, ranked = ranking(regressions, Message(data={TEXT: text} if text is not None else {}))
    assert top == {"name": None, "confidence": 0.0}
    assert ranked == []


def test_the_meaning_member_reads_one_vector_per_text_in_batches(trained):
    ensemble, _ = trained
    encoder = intent_ensemble.SentenceEncoder(threads=1, batch_size=3)
    vectors = encoder.embed(["ICE?", "¿ICE?", "ICE at work"] * 2)  # two batches of 3
    assert vectors.shape == (6, DIMENSIONS)
    np.testing.assert_allclose(vectors[:3], vectors[3:], atol=1e-6)
    model = ensemble.models["meaning"]
    assert model.C == 10.0 and model.class_weight is None and model.max_iter == 1000


def test_the_encoder_version_is_in_the_fingerprint(monkeypatch):
    before = IntentEnsemble.fingerprint_addon(config())
    assert intent_ensemble.encoder_version() in before
    monkeypatch.setattr(intent_ensemble, "encoder_version", lambda: "9.9.9")
    assert IntentEnsemble.fingerprint_addon(config()) != before


@pytest.mark.parametrize(
    "members",
    [
        [],
        [{**NGRAMS, "weight": 0}],
        [{**NGRAMS, "C": 0}],
        [{"kind": "forest", "weight": 1}],
        [{k: v for k, v in NGRAMS.items() if k != "max_iter"}],
        [{"kind": "diet", "weight": 1, "random_seed": 1}, {"kind": "diet", "weight": 1, "random_seed": 1}],
        [NGRAMS, NGRAMS],
    ],
)
def test_settings_that_cannot_make_an_average_are_refused_at_start_up(members, tmp_path):
    with pytest.raises(ValueError, match="IntentEnsemble"):
        IntentEnsemble.create(config(members), LocalModelStorage(tmp_path), Resource("e"), context())


@pytest.mark.parametrize(("workers", "cores", "expected"), [(None, 2, 2), (None, 8, 2), (None, None, 1), (1, 8, 1)])
def test_diets_train_one_per_core_at_most_one_per_diet(workers, cores, expected, monkeypatch, tmp_path):
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    ensemble = IntentEnsemble.create(
        config([NGRAMS], workers=workers), LocalModelStorage(tmp_path), Resource("e"), context()
    )
    assert ensemble.workers(2) == expected


@pytest.mark.model
def test_the_trained_model_parses_blank_and_odd_text_without_a_topic(agent):
    topics = policy_topics()
    for text in ["", "   ", "\n\t", "/", "?", "...", "\u200b", "😀"]:
        parsed = asyncio.run(agent.parse_message(text))
        assert parsed["intent"].get("name") not in topics, (text, parsed["intent"])
