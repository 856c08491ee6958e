"""A change to the project's spaCy pipeline must retrain the model: Rasa
fingerprints SpacyNLP by model name only, so our SpacyNLP adds the content hash
of the built pipeline. Checked with Rasa's own fingerprint function."""

import shutil

import pytest
import yaml
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from devtools.paths import PROJECT
from nlu_pipeline import build_spacy
from nlu_pipeline.rasa_spacy import SpacyNLP

BUILT = PROJECT / "build" / "spacy_pipeline"


@pytest.fixture
def pipeline(tmp_path):
    if not BUILT.exists():
        pytest.fail("no built spaCy pipeline: run `make test` (it builds it)")
    copy = tmp_path / "spacy_pipeline"
    shutil.copytree(BUILT, copy)
    return copy


def key(model_path):
    return calculate_fingerprint_key(SpacyNLP, {"model": str(model_path), "case_sensitive": False}, {})


def change(pipeline):
    patterns = pipeline / "entity_ruler" / "patterns.jsonl"
    patterns.write_text(patterns.read_text() + '{"label":"speaker","pattern":"someone new"}\n')


def test_unchanged_pipeline_keeps_its_fingerprint(pipeline):
    assert key(pipeline) == key(pipeline)
    assert SpacyNLP.fingerprint_addon({"model": str(pipeline)}) == SpacyNLP.fingerprint_addon({"model": str(BUILT)})


def test_changed_pipeline_at_the_same_path_changes_component_and_model_fingerprints(pipeline):
    before_key, before_model = key(pipeline), SpacyNLP.load_model(str(pipeline)).fingerprint()
    change(pipeline)
    assert key(pipeline) != before_key
    assert SpacyNLP.load_model(str(pipeline)).fingerprint() != before_model


def test_config_uses_the_fingerprinting_spacy_nlp_and_the_built_pipeline():
    config = yaml.safe_load((PROJECT / "config.yml").read_text())
    first = config["pipeline"][0]
    assert first["name"] == "nlu_pipeline.rasa_spacy.SpacyNLP"
    assert (PROJECT / first["model"]).resolve() == BUILT.resolve()


def test_pipeline_lemmatizes_both_languages_and_marks_domain_terms():
    import spacy

    nlp = spacy.load(BUILT)
    es = nlp("¿la policía me va a preguntar por mis papeles?")
    assert [t.lemma_ for t in es][:3] == ["¿", "lo", "policia"] and es[-2].lemma_ == "papel"
    en = nlp("chief conrad said officers knocked on doors for ice")
    assert [t.lemma_ for t in en][4:7] == ["knock", "on", "door"]
    assert {(e.text, e.label_) for e in en.ents} == {("chief conrad", "speaker"), ("ice", "agency")}
    assert build_spacy.content_hash(BUILT) == SpacyNLP.fingerprint_addon({"model": str(BUILT)})


def test_the_graphs_two_spacy_nodes_share_one_loaded_pipeline_until_it_is_rebuilt(pipeline):
    """Rasa makes two graph nodes of SpacyNLP, each created on its own: they
    share one loaded pipeline, not a copy each; a rebuilt one at
    the same path is loaded afresh."""
    config = {**SpacyNLP.get_default_config(), "model": str(pipeline)}
    provider, runner = (SpacyNLP.create(config, None, None, None) for _ in range(2))
    assert provider.provide().model is runner.provide().model
    change(pipeline)
    rebuilt = SpacyNLP.create(config, None, None, None).provide().model
    assert rebuilt is not provider.provide().model
    assert [(e.text, e.label_) for e in rebuilt("someone new said it").ents] == [("someone new", "speaker")]
