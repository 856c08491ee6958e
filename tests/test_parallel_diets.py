"""nlu_pipeline/parallel_diets.py: DIETs trained side by side, each in a
process of its own, are Rasa's own DIETClassifiers with the same weights as
one trained here with the same seed; they are stored inside the component's
one resource, come back from it, and put their rankings aside in seed order."""

import shutil

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

from nlu_pipeline import ensemble
from nlu_pipeline.parallel_diets import ParallelDIETClassifiers, diet_config
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
SETTINGS = {"epochs": 3, "number_of_transformer_layers": 0, "entity_recognition": False, "constrain_similarities": True}
SEEDS = [42, 7]


@pytest.fixture(scope="module")
def featurized(tmp_path_factory):
    """The examples featurized by Rasa's tokenizer and count vectors; and a function featurizing a question."""
    return featurize(EXAMPLES, LocalModelStorage(tmp_path_factory.mktemp("features")))


@pytest.fixture(scope="module")
def trained(featurized, tmp_path_factory):
    data, _ = featurized
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    config = {**ParallelDIETClassifiers.get_default_config(), **SETTINGS, "random_seeds": SEEDS}
    context = ExecutionContext(GraphSchema({}), "test", node_name="train_ParallelDIETClassifiers")
    component = ParallelDIETClassifiers.create(config, storage, Resource("diets"), context)
    component.train(data)
    return component, config, storage, context


def kept(component, question):
    [message] = component.process([question])
    return message.get(ensemble.KEPT)


def test_each_diet_has_the_weights_of_rasas_diet_trained_here_with_its_seed(featurized, trained, tmp_path):
    data, question = featurized
    component, config, _, _ = trained
    here = []
    for seed in SEEDS:
        diet = DIETClassifier.create(
            diet_config(config, seed), LocalModelStorage(tmp_path), Resource(f"here_{seed}"), trained[3]
        )
        diet.train(data)
        here.append(diet)
    for text in QUESTIONS:
        rankings = kept(component, question(text))
        assert len(rankings) == len(SEEDS)
        for ranking, diet in zip(rankings, here, strict=True):
            [alone] = diet.process([question(text)])
            assert ranking == alone.get("intent_ranking")
    # the seeds matter: the two DIETs do not agree to the last digit
    assert kept(component, question(QUESTIONS[0]))[0] != kept(component, question(QUESTIONS[0]))[1]


def test_the_diets_are_stored_inside_the_components_own_resource_and_come_back(featurized, trained):
    _, question = featurized
    component, config, storage, context = trained
    with storage.read_from(Resource("diets")) as folder:
        assert sorted(path.name for path in folder.iterdir()) == ["diet_seed_42", "diet_seed_7"]
    loaded = ParallelDIETClassifiers.load(config, storage, Resource("diets"), context)
    for text in QUESTIONS:
        assert kept(loaded, question(text)) == kept(component, question(text))


def test_rasas_training_cache_carries_the_diets_with_the_component(featurized, trained, tmp_path):
    """What Rasa's training cache does with a trained node's resource: copies
    it out, and back into the next training's model storage."""
    _, question = featurized
    component, config, storage, context = trained
    (tmp_path / "cache").mkdir()
    Resource("diets").to_cache(tmp_path / "cache", storage)
    (tmp_path / "next").mkdir()
    restored = LocalModelStorage(tmp_path / "next")
    resource = Resource.from_cache("diets", tmp_path / "cache", restored, "fingerprint")
    loaded = ParallelDIETClassifiers.load(config, restored, resource, context)
    assert kept(loaded, question(QUESTIONS[2])) == kept(component, question(QUESTIONS[2]))


def test_the_message_keeps_the_last_diets_intent_for_the_next_classifier(featurized, trained):
    _, question = featurized
    component, *_ = trained
    [message] = component.process([question(QUESTIONS[1])])
    assert message.get("intent_ranking") == message.get(ensemble.KEPT)[-1]
    assert message.get("intent")["name"] == message.get("intent_ranking")[0]["name"]


def test_a_missing_diet_stops_loading_rather_than_answering_untrained(trained, tmp_path):
    _, config, storage, context = trained
    with storage.read_from(Resource("diets")) as folder:
        shutil.copytree(folder, tmp_path / "diets")
    shutil.rmtree(tmp_path / "diets" / "diet_seed_7")
    with pytest.raises(FileNotFoundError, match="seed 7"):
        ParallelDIETClassifiers.load(config, LocalModelStorage(tmp_path), Resource("diets"), context)


@pytest.mark.parametrize("seeds", [[], [42, 42]])
def test_seeds_must_be_given_and_differ(seeds, tmp_path):
    config = {**ParallelDIETClassifiers.get_default_config(), "random_seeds": seeds}
    with pytest.raises(ValueError, match="random_seeds"):
        ParallelDIETClassifiers.create(
            config, LocalModelStorage(tmp_path), Resource("diets"), ExecutionContext(GraphSchema({}), "test")
        )


@pytest.mark.parametrize(("workers", "cores", "expected"), [(None, 2, 2), (None, 8, 2), (None, None, 1), (1, 8, 1)])
def test_workers_one_per_core_at_most_one_per_seed(workers, cores, expected, monkeypatch, tmp_path):
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    config = {**ParallelDIETClassifiers.get_default_config(), "random_seeds": SEEDS, "workers": workers}
    component = ParallelDIETClassifiers.create(
        config, LocalModelStorage(tmp_path), Resource("diets"), ExecutionContext(GraphSchema({}), "test")
    )
    assert component.workers() == expected
