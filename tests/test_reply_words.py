"""The short replies people send on a phone, understood after the channel: one
rule (policy_assistant/reply_words.py) for the NLU component that turns a reply
word into ask_more or ask_who_said and a bare number into choose_option
(nlu_pipeline/reply_words.py), for the actions' choice of language, and for
the phone channel's STOP. The component runs here as Rasa runs it, with the
pipeline's own gates and Rasa's FallbackClassifier after it."""

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from devtools.paths import STORE
from nlu_pipeline import gates
from nlu_pipeline.reply_words import ReplyWords
from policy_assistant import language, write_server_texts
from policy_assistant.reply_words import option_number, reply_word
from policy_assistant.store import load_store
from tests.pipeline_config import pipeline, settings

store = load_store(STORE)
KEYWORDS = {code: lang.keywords for code, lang in store.languages.items()}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("more", ("more", "en")),
        (" Más ", ("more", "es")),
        ("mas", ("more", "es")),
        ("MAS!", ("more", "es")),
        ("FUENTES", ("sources", "es")),
        ("sources?", ("sources", "en")),
        ("Stop.", ("stop", "en")),
        ("¡alto!", ("stop", "es")),
        ("stop the police from asking", None),
        ("tell me more", None),
        ("", None),
        ("?!", None),
    ],
)
def test_a_reply_word_of_any_language_with_the_punctuation_people_add(text, expected):
    assert reply_word(text, KEYWORDS) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        *[("1", 1), (" 2 ", 2), ("3.", 3), ("4)", 4), ("99", 99), ("0", None), ("100", None), ("911", None)],
        ("1 2", None),
        # the digits phones type in Arabic (Arabic-Indic), Dari (Persian) and Nepali (Devanagari)
        *[("٣", 3), ("۲.", 2), ("२", 2), ("١٢", 12), ("٩١١", None)],
    ],
)
def test_a_bare_number_from_1_to_99_picks_an_option(text, expected):
    assert option_number(text) == expected


def test_a_reply_word_chooses_its_language_after_the_pages_choice():
    langs = store.languages
    assert language.choose("MAS", langs, slot="en") == "es"
    assert language.choose("more", langs, slot="es") == "en"
    assert language.choose("MAS", langs, slot="en", metadata={"lang": "en"}) == "en"  # the page's choice stands
    assert language.choose("2", langs, slot="es") == "es"  # a number keeps the conversation's


@pytest.fixture
def texts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Rasa server's texts, written from the real store, where the component reads them."""
    path = write_server_texts.write(store, tmp_path / "server_texts.json")
    monkeypatch.setenv("SERVER_TEXTS", str(path))
    return path


def parsed(text: str, intent: str = "nlu_fallback") -> Message:
    """A message as the classifiers leave it: unsure, and with emergency ranked
    high enough for the UrgencyGate to take it."""
    message = Message(data={"text": text})
    ranking = [{"name": intent, "confidence": 0.35}, {"name": "emergency", "confidence": 0.3}]
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    message.set("entities", [])
    return message


def understood(text: str) -> Message:
    """`text` through ReplyWords and everything config.yml runs after it."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    names, _ = pipeline()
    after = names[names.index("ReplyWords") + 1 :]
    assert after == ["FallbackClassifier", "LanguageGate", "JurisdictionGate", "UrgencyGate"]
    config = settings()
    components = [
        ReplyWords({}),
        FallbackClassifier({**FallbackClassifier.get_default_config(), **config["FallbackClassifier"]}),
        gates.LanguageGate({**gates.LanguageGate.get_default_config(), **config["LanguageGate"]}),
        gates.JurisdictionGate({**gates.JurisdictionGate.get_default_config(), **config["JurisdictionGate"]}),
        gates.UrgencyGate({**gates.UrgencyGate.get_default_config(), **config["UrgencyGate"]}),
    ]
    message = parsed(text)
    for component in components:
        [message] = component.process([message])
    return message


@pytest.mark.parametrize(
    "text,intent",
    [
        ("MORE", "ask_more"),
        ("más", "ask_more"),
        ("MAS.", "ask_more"),
        ("Sources", "ask_who_said"),
        ("FUENTES", "ask_who_said"),
    ],
)
def test_a_reply_word_gets_its_intent_with_full_confidence_through_the_pipeline(texts_file, text, intent):
    message = understood(text)
    assert message.get("intent") == {"name": intent, "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == [intent]


@pytest.mark.parametrize("text", [" 2. ", "٢", "۲", "२"])
def test_a_bare_number_gets_choose_option_with_its_number(texts_file, text):
    message = understood(text)
    assert message.get("intent") == {"name": "choose_option", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("option_number", "2")]


@pytest.mark.parametrize("text", ["STOP", "ALTO", "tell me more", "911", "0", "more about traffic stops"])
def test_anything_else_is_left_to_the_classifiers(texts_file, text):
    message = parsed(text, "greet")
    [after] = ReplyWords({}).process([message])
    assert after.get("intent") == {"name": "greet", "confidence": 0.35} and after.get("entities") == []


def test_a_word_added_in_the_store_is_understood_once_its_texts_are_written(texts_file, store_copy):
    path = store_copy / "languages" / "es.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("more: [MAS, MÁS]", "more: [MAS, MÁS, OTRO]"))
    assert understood("otro").get("intent")["name"] != "ask_more"
    write_server_texts.write(load_store(store_copy), texts_file)
    assert understood("otro").get("intent") == {"name": "ask_more", "confidence": 1.0}


def test_without_the_texts_file_numbers_still_work_and_words_go_to_the_classifiers(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVER_TEXTS", str(tmp_path / "missing.json"))
    assert understood("3").get("intent")["name"] == "choose_option"
    [more] = ReplyWords({}).process([parsed("MORE", "greet")])
    assert more.get("intent")["name"] == "greet"


def test_a_reply_word_ended_by_a_danda_or_arabic_question_mark():
    assert reply_word("थप।", KEYWORDS) == ("more", "ne")
    assert reply_word("المزيد؟", KEYWORDS) == ("more", "ar")
