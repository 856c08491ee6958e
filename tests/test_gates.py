"""The NLU gates (nlu_pipeline/gates.py), run as Rasa runs them on parsed
messages, and the project's one language module: a message in a language the
assistant does not speak, or about police somewhere else, never keeps a policy
topic; short and mixed English and Spanish keep working."""

import shutil
from pathlib import Path

import pytest
import spacy
from rasa.shared.nlu.training_data.message import Message

import nlu_pipeline.spacy_components  # noqa: F401 - registers the lemmatizer factory
from devtools.paths import BUILT_SPACY
from nlu_pipeline import gates
from policy_assistant import text
from tests.pipeline_config import pipeline, settings

CONFIG = {
    "place_entity": "place",
    "local_entity": "local_place",
    "local_agencies": ["lmpd", "metro police"],
    "keep": ["emergency", "legal_advice", "greet"],
}


def parsed(message_text, intent="immigration_status", entities=()):
    message = Message(data={"text": message_text})
    message.set("intent", {"name": intent, "confidence": 0.8})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.8}, {"name": "greet", "confidence": 0.1}])
    message.set("entities", [{"entity": label, "value": value} for label, value in entities])
    return message


@pytest.mark.parametrize(
    "message,expected",
    [
        ("Est-ce que les policiers de Louisville demandent les papiers aux gens ?", "fr"),
        ("هل يمكنني الاتصال بالشرطة إذا لم تكن لدي أوراق؟", "ar"),
        ("Je, polisi wa Louisville wanafanya kazi pamoja na ICE?", "sw"),
        ("Cảnh sát Louisville có làm việc với ICE không?", "vi"),
        ("के लुइसभिल प्रहरीले मेरो कागजपत्र सोध्छ?", "hi"),
        ("will police ask about my immigration status?", None),
        ("la policia me va a pedir papeles?", None),
        ("mi tio got pulled over y le pidieron papeles", None),
        ("ICE?", None),
        ("LMPD", None),
        ("911?", None),
        ("hola", None),
        ("ok thx", None),
        ("", None),
        ("🙂🙂🙂", None),
    ],
)
def test_foreign_language_is_told_apart_from_short_and_mixed_english_and_spanish(message, expected):
    assert text.foreign_language(message) == expected


@pytest.mark.parametrize(
    "message,expected",
    [
        ("هل يمكنني الاتصال بالشرطة إذا لم تكن لدي أوراق؟", None),  # Arabic, spoken
        ("Чи можу я подзвонити в поліцію, якщо в мене немає документів?", None),  # Ukrainian, spoken
        ("шо робити якщо поліція зупинить машину", None),  # Ukrainian as typed on a phone
        ("Могу ли я позвонить в полицию, если у меня нет документов?", "ru"),  # Russian is not
        ("є ще щось?", None),  # lingua says Russian; є is only Ukrainian's
        ("ще", None),  # too short to refuse
        ("Полиция помогает ICE?", "ru"),
        ("Ты знаешь, что это значит?", "ru"),  # ы: only Russian's
        ("آیا پلیس لوئیویل از من مدارک می‌خواهد؟", "fa"),  # Persian is not
        ("Je, polisi wa Louisville wanafanya kazi pamoja na ICE?", "sw"),
    ],
)
def test_a_spoken_language_lingua_knows_is_told_apart_with_no_code_for_it(message, expected):
    """The identifier's languages include every spoken one it has a model for
    (policy_assistant.text._lingua): Ukrainian spoken, Russian still refused."""
    assert text.foreign_language(message, ("en", "es", "fr", "ar", "uk")) == expected


@pytest.mark.parametrize(
    "message,expected",
    [
        ("آیا پلیس لوئیویل از من مدارک می‌خواهد؟", None),  # Persian: read as Dari
        ("क्या पुलिस मेरे कागज़ात माँगेगी?", None),  # Hindi: read as Nepali
        ("Полиция помогает ICE?", "ru"),
    ],
)
def test_identified_as_makes_a_neighbour_the_spoken_language_it_stands_for(message, expected):
    spoken = ("en", "es", "fr", "ar", "uk", "sw", "so", "prs", "ne")
    assert text.foreign_language(message, spoken, identified_as={"fa": "prs", "hi": "ne"}) == expected
    assert text.foreign_language(message, ("en", "es")) is not None  # without them, all three are foreign


def test_language_gate_overrides_the_topic_and_names_the_language():
    gate = gates.LanguageGate(gates.LanguageGate.get_default_config())
    [message] = gate.process([parsed("Est-ce que la police va frapper à ma porte pour l'immigration ?")])
    assert message.get("intent") == {"name": "unsupported_language", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "immigration_status"  # what the classifier thought
    assert {"entity": "foreign_language", "value": "fr"}.items() <= message.get("entities")[-1].items()
    [english] = gate.process([parsed("will police ask about my papers")])
    assert english.get("intent")["name"] == "immigration_status"


def test_an_unsure_classifier_lets_a_likelier_verdict_of_another_language_decide():
    gate = gates.LanguageGate(gates.LanguageGate.get_default_config())
    mixed = "Est-ce que la police de Louisville va me demander mes papiers d'immigration ?"  # English loanwords
    sure = parsed(mixed)
    unsure = parsed(mixed)
    unsure.set("intent", {"name": "immigration_status", "confidence": 0.3})
    [sure, unsure] = gate.process([sure, unsure])
    assert sure.get("intent")["name"] == "immigration_status"
    assert unsure.get("intent")["name"] == "unsupported_language"
    english = parsed("what did the mayor say about the police and immigration")
    english.set("intent", {"name": "city_response", "confidence": 0.3})
    assert gate.process([english])[0].get("intent")["name"] == "city_response"


@pytest.mark.parametrize(
    "entities,intent,expected",
    [
        ([("place", "chicago")], "immigration_status", "other_place"),
        ([("place", "jeffersonville")], "report_crime_safely", "other_place"),
        ([("place", "texas"), ("local_place", "louisville")], "immigration_status", "immigration_status"),
        ([("place", "indiana"), ("agency", "lmpd")], "joint_operations", "joint_operations"),
        ([("place", "texas")], "emergency", "emergency"),  # danger now comes first, wherever
        ([("place", "chicago")], "legal_advice", "legal_advice"),  # someone's own case
        ([("agency", "ice")], "home_visits", "home_visits"),
        ([], "home_visits", "home_visits"),
    ],
)
def test_jurisdiction_gate(entities, intent, expected):
    gate = gates.JurisdictionGate({**gates.JurisdictionGate.get_default_config(), **CONFIG})
    [message] = gate.process([parsed("...", intent, entities)])
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize(
    "entities,expected",
    [
        ([("local_place", "shively")], "enforce_immigration_law"),  # a story set in Louisville
        ([("agency", "lmpd")], "enforce_immigration_law"),
        ([("place", "indiana")], "other_place"),
        ([("place", "texas"), ("local_place", "louisville")], "other_place"),  # the classifier may be right
        ([], "other_place"),  # "police up north": no place named, the classifier decides
    ],
)
def test_a_question_naming_only_louisville_is_about_louisville(entities, expected):
    gate = gates.LocalQuestionGate({**gates.LocalQuestionGate.get_default_config(), **CONFIG})
    message = parsed("...", "other_place", entities)
    message.set(
        "intent_ranking",
        [
            {"name": "other_place", "confidence": 0.7},
            {"name": "enforce_immigration_law", "confidence": 0.2},
        ],
    )
    [message] = gate.process([message])
    assert message.get("intent")["name"] == expected


def test_a_change_to_the_language_rules_retrains(tmp_path, monkeypatch):
    before = gates.LanguageGate.fingerprint_addon({})
    copy = tmp_path / "text.py"
    shutil.copy(text.__file__, copy)
    copy.write_text(copy.read_text() + "\n# a changed rule\n")
    monkeypatch.setattr(text, "__file__", str(copy))
    assert gates.LanguageGate.fingerprint_addon({}) != before


@pytest.fixture(scope="module")
def nlp():
    if not BUILT_SPACY.exists():
        pytest.fail("no built spaCy pipeline: run `make spacy` (make unit builds it)")
    return spacy.load(BUILT_SPACY)


@pytest.mark.parametrize(
    "message,places,local",
    [
        ("will police in chicago ask for my papers", {"chicago"}, set()),
        ("do cops across the river in jeffersonville work with ice", {"across the river", "jeffersonville"}, set()),
        ("la policia de otro estado pregunta por papeles?", {"otro estado"}, set()),
        ("i moved from texas to louisville, will police here ask my status", {"texas"}, {"louisville", "here"}),
        ("will lmpd ask about my status", set(), set()),
        # places named in the other spoken languages' scripts
        ("هل الشرطة في تكساس تسأل عن الأوراق؟", {"تكساس"}, set()),
        ("پولیس در ویرجینیا از ایمیگریشن می‌پرسه؟", {"ویرجینیا"}, set()),
        ("पिट्सबर्ग मा प्रहरीले कागज सोध्छ?", {"पिट्सबर्ग"}, set()),
        ("чи поліція в огайо питає про статус?", {"огайо"}, set()),
    ],
)
def test_the_entity_ruler_marks_places(nlp, message, places, local):
    doc = nlp(message.lower())
    assert {e.text for e in doc.ents if e.label_ == "place"} == places
    assert {e.text for e in doc.ents if e.label_ == "local_place"} == local


def test_places_are_data_in_the_patterns_file():
    import yaml

    patterns = yaml.safe_load((Path(gates.__file__).parent / "entity_patterns.yml").read_text(encoding="utf-8"))
    assert {"place", "local_place"} <= set(patterns)
    assert not set(patterns["place"]) & set(patterns["local_place"])


def test_the_gates_run_after_the_fallback_so_its_ambiguity_check_cannot_undo_them():
    """A confident classifier (0.97 for a Louisville topic) must still end as
    other_place when the question names another city: the pipeline's order,
    run with Rasa's own FallbackClassifier."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    names, _ = pipeline()
    assert names.index("FallbackClassifier") < names.index("LanguageGate") < names.index("JurisdictionGate")
    assert names.index("JurisdictionGate") < names.index("UrgencyGate")
    config = settings()
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), **config["FallbackClassifier"]})
    language = gates.LanguageGate({**gates.LanguageGate.get_default_config(), **config["LanguageGate"]})
    place = gates.JurisdictionGate({**gates.JurisdictionGate.get_default_config(), **config["JurisdictionGate"]})
    message = parsed("do police in chicago ask for papers", entities=[("place", "chicago")])
    message.set("intent", {"name": "immigration_status", "confidence": 0.97})
    message.set("intent_ranking", [{"name": "immigration_status", "confidence": 0.97}])
    for component in (fallback, language, place):
        [message] = component.process([message])
    assert message.get("intent")["name"] == "other_place"


@pytest.mark.parametrize(
    "intent,entities,expected",
    [
        ("home_visits", [("agency", "ice"), ("urgency", "right now")], "emergency"),
        ("report_crime_safely", [("urgency", "ahorita")], "emergency"),
        ("other_place", [("place", "indiana"), ("urgency", "right now")], "emergency"),  # danger first, anywhere
        ("home_visits", [("agency", "ice")], "home_visits"),  # a question about doors is not an emergency
        ("legal_advice", [("urgency", "right now")], "legal_advice"),
        ("greet", [("urgency", "ahorita")], "greet"),
    ],
)
def test_urgency_gate_puts_danger_now_first(intent, entities, expected):
    config = {**gates.UrgencyGate.get_default_config(), "keep": ["legal_advice", "greet"]}
    [message] = gates.UrgencyGate(config).process([parsed("...", intent, entities)])
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize(
    "intent,emergency,expected",
    [
        ("traffic_stops", 0.2, "emergency"),  # danger ranked second but likely enough: 911 first
        ("nlu_fallback", 0.15, "emergency"),
        ("traffic_stops", 0.1, "traffic_stops"),
        ("legal_advice", 0.4, "legal_advice"),  # an intent that must stand
    ],
)
def test_urgency_gate_answers_likely_danger_first(intent, emergency, expected):
    config = {**gates.UrgencyGate.get_default_config(), "keep": ["legal_advice"], "emergency_at_least": 0.15}
    message = parsed("...", intent, [])
    message.set(
        "intent_ranking",
        [
            {"name": intent, "confidence": 1 - emergency},
            {"name": "emergency", "confidence": emergency},
        ],
    )
    [message] = gates.UrgencyGate(config).process([message])
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[1]["name"] == (intent if expected == "emergency" else "emergency")


def test_a_follow_up_about_another_person_that_may_be_danger_now_gets_the_emergency_reply():
    # "what about my dad? they are taking him away": a follow-up, but the
    # classifiers' share of emergency is enough, as for any other question
    config = {**gates.UrgencyGate.get_default_config(), "emergency_at_least": 0.15}
    message = parsed("...", "same_question", [])
    message.set(
        "intent_ranking", [{"name": "same_question", "confidence": 0.8}, {"name": "emergency", "confidence": 0.2}]
    )
    [message] = gates.UrgencyGate(config).process([message])
    assert message.get("intent")["name"] == "emergency"


def test_the_urgency_gate_ignores_the_ranking_by_default():
    message = parsed("...", "traffic_stops", [])
    ranking = [{"name": "traffic_stops", "confidence": 0.5}, {"name": "emergency", "confidence": 0.5}]
    message.set("intent_ranking", ranking)
    [message] = gates.UrgencyGate(gates.UrgencyGate.get_default_config()).process([message])
    assert message.get("intent")["name"] == "traffic_stops"


@pytest.mark.parametrize(
    "message,urgent",
    [
        ("ice is at my door right now what do i do", True),
        ("la migra esta afuera de mi casa ahorita", True),
        ("en este momento hay policias y una van de ice en mi calle", True),
        ("is that still the policy now?", False),
        ("last month ice came to my neighbors door", False),
        ("ahora la policia pregunta por papeles?", False),
        ("what about my dad? they are taking him away", True),
        ("¿y mi mamá? la están arrestando", True),
        ("y mi hermano? lo tienen esposado", True),
        ("do police take people away to ICE after an arrest?", False),
    ],
)
def test_the_entity_ruler_marks_danger_in_the_present(nlp, message, urgent):
    assert any(e.label_ == "urgency" for e in nlp(message.lower()).ents) == urgent


def test_a_louisville_question_the_classifier_sent_elsewhere_meets_the_fallback():
    """LocalQuestionGate runs before Rasa's FallbackClassifier, with the same
    local agencies as the JurisdictionGate: the next intent, if unsure, gets
    "I'm not sure I understood" rather than a weak guess."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    names, _ = pipeline()
    assert names.index("IntentEnsemble") < names.index("LocalQuestionGate") < names.index("FallbackClassifier")
    config = settings()
    assert config["LocalQuestionGate"]["local_agencies"] == config["JurisdictionGate"]["local_agencies"]
    local = gates.LocalQuestionGate({**gates.LocalQuestionGate.get_default_config(), **config["LocalQuestionGate"]})
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), **config["FallbackClassifier"]})
    for second, expected in ((0.25, "nlu_fallback"), (0.6, "enforce_immigration_law")):
        message = parsed("...", "other_place", [("agency", "lmpd")])
        message.set(
            "intent_ranking",
            [
                {"name": "other_place", "confidence": 0.9 - second},
                {"name": "enforce_immigration_law", "confidence": second},
                {"name": "officer_conduct", "confidence": 0.1},
            ],
        )
        message.set("intent", message.get("intent_ranking")[0])
        for component in (local, fallback):
            [message] = component.process([message])
        assert message.get("intent")["name"] == expected


def test_the_lemmatizer_takes_a_language_with_no_lemma_table_or_no_spacy_class():
    """Adding Arabic (no lemma table) or Swahili (no spaCy language) to the
    lemmatizer's languages builds; their words keep their own forms."""
    import spacy

    from nlu_pipeline.spacy_components import BilingualLookupLemmatizer

    lemmatizer = BilingualLookupLemmatizer("lemmatizer", ["en", "ar", "sw"])
    lemmatizer.initialize()
    nlp = spacy.blank("en")
    assert lemmatizer.stop_words["sw"] == frozenset() and lemmatizer.stop_words["ar"]
    arabic = lemmatizer(nlp.make_doc("هل تسأل الشرطة عن وضع الهجرة"))
    assert [t.lemma_ for t in arabic] == [text.fold(t.text) for t in arabic]  # own form, folded as every lemma
    english = lemmatizer(nlp.make_doc("the officers were asking about papers"))
    assert "officer" in [t.lemma_ for t in english]
