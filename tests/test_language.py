"""Choosing the conversation's language from the store's language data."""

import pytest

from devtools.paths import STORE
from policy_assistant import language
from policy_assistant.store import load_store

LANGS = load_store(STORE).languages


@pytest.mark.parametrize(
    "text,expected",
    [
        ("will the police ask about my immigration status?", "en"),
        ("¿La policía me va a preguntar por mis papeles?", "es"),
        ("la migra esta en mi puerta que hago", "es"),
        ("puedo llamar al 911 si no tengo papeles", "es"),
        ("hola", "es"),
    ],
)
def test_detects_clear_messages(text, expected):
    assert language.choose(text, LANGS) == expected


NEUTRAL = [
    "ok",
    "ICE?",
    "LMPD",
    "911",
    "/home_visits",
    "/ask_more",
    "/ask_who_said",
    "",
    "😀",
    "q",
    "Q1",
    "que?",
    "tal",
]


@pytest.mark.parametrize("text", NEUTRAL)
def test_short_or_neutral_messages_keep_the_current_language(text):
    assert language.choose(text, LANGS, slot="es") == "es"
    assert language.choose(text, LANGS, slot="en") == "en"


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        ("hola", "en", "es"),
        ("gracias!", "en", "es"),
        ("muchas gracias", "en", "es"),
        ("ok gracias", "en", "es"),
        ("thank you so much", "es", "en"),
        ("thanks", "es", "en"),
        ("buenas noches", "en", "es"),
        ("good morning", "es", "en"),
        ("q onda", None, "es"),
        ("que onda", "en", "es"),
        ("quiubo", "en", "es"),
        ("Bendiciones y gracias", "en", "es"),
        ("Dios le bendiga", "en", "es"),
        # as people type them on phones: "ola" for "hola", "wenas" for "buenas"
        ("ola", None, "es"),
        ("ola", "en", "es"),
        ("wenas", "en", "es"),
        ("sup", "es", "en"),
        ("wassup", "es", "en"),
    ],
)
def test_a_greeting_or_thanks_in_the_other_language_is_answered_in_it(text, slot, expected):
    assert language.choose(text, LANGS, slot=slot) == expected


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        # English words people mix into other languages are not English
        # greetings ("up", "whats" for WhatsApp): the message stays in its own language
        ("makarao hu back up ICE lini?", "en", "sw"),
        ("esta info is up to date o es del 2017?", None, "es"),
        ("pásame eso por whats", None, "es"),
    ],
)
def test_english_words_mixed_into_another_language_do_not_make_it_english(text, slot, expected):
    assert language.choose(text, LANGS, slot=slot) == expected


@pytest.mark.parametrize(
    "text,slot",
    [
        ("LMPD and ICE?", "es"),
        ("policia en Louisville, ICE o LMPD", "en"),
        ("help, ICE", "es"),
        ("police?", "es"),
        ("I-94?", "es"),
        ("migra?", "en"),
        ("y?", "en"),  # "why?" on a phone, though "y" is Spanish's "and"
        ("thanks y'all", "en"),
    ],
)
def test_one_marker_among_neutral_words_does_not_flip_an_established_language(text, slot):
    assert language.choose(text, LANGS, slot=slot) == slot


@pytest.mark.parametrize(
    "text,expected",
    [
        ("en español por favor", "es"),
        ("en espanol porfa", "es"),
        ("in English please", "en"),
        ("can you answer in spanish", "es"),
        ("español", "es"),
        ("english", "en"),
        ("could you give me that in Spanish? my mom reads Spanish better than English", "es"),
        ("pásamelo en inglés, mi jefe no lee español", "en"),
        ("tradúcelo al inglés, mi jefe no lee español", "en"),
        ("translate that to Spanish for my mom", "es"),
    ],
)
def test_explicit_request_wins(text, expected):
    other = "en" if expected == "es" else "es"
    assert language.choose(text, LANGS, slot=other, metadata={"lang": other}) == expected


def test_page_choice_wins_over_detection_and_unknown_codes_are_ignored():
    assert language.choose("will the police ask about my status", LANGS, slot="en", metadata={"lang": "es"}) == "es"
    assert language.choose("will the police ask about my status", LANGS, metadata={"lang": "xx"}) == "en"
    assert language.choose("hello", LANGS, metadata="not a dict") == "en"


def test_the_pages_language_is_the_last_resort():
    # a message with no language of its own, in a new conversation: the page's
    assert language.choose("ok", LANGS, metadata={"page_lang": "es"}) == "es"
    # the conversation's language, and the message's own, come before the page's
    assert language.choose("ok", LANGS, slot="en", metadata={"page_lang": "es"}) == "en"
    assert language.choose("will police ask about my status", LANGS, metadata={"page_lang": "es"}) == "en"
    assert language.choose("ok", LANGS, metadata={"page_lang": "xx"}) == "en"


@pytest.mark.parametrize(
    "word,slot,expected",
    [
        ("SOURCES", "fr", "fr"),  # a word English and French share keeps a French conversation French
        ("sources", "en", "en"),
        ("SOURCES", None, "en"),  # no conversation yet: the first language that has it
        ("SOURCES", "es", "en"),  # not a Spanish word (FUENTES): it names English
        ("MAS", "fr", "es"),
        ("PLUS", "en", "fr"),
    ],
)
def test_a_reply_word_two_languages_share_keeps_the_conversations_language(word, slot, expected):
    assert language.choose(word, LANGS, slot=slot) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Чи запитає поліція про мій статус?", "CYRILLIC"),
        ("هل ستسألني الشرطة عن أوراقي؟", "ARABIC"),
        ("LMPD і ICE працюють разом?", "CYRILLIC"),  # English words in a Ukrainian question
        ("will LMPD ask? поліція", "LATIN"),
        ("911 ?", None),
        ("", None),
    ],
)
def test_the_script_a_message_is_mostly_written_in(text, expected):
    from policy_assistant.text import script

    assert script(text) == expected


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        # a script only one spoken language uses decides, whatever its words and the conversation's language
        ("Поліція Луїсвілла співпрацює з ICE?", "en", "uk"),
        ("шо буде", "es", "uk"),
        ("الشرطة", "en", "ar"),
        ("LMPD і ICE разом?", None, "uk"),
        # and back: a clear English question in a Ukrainian conversation is answered in English
        ("will the police ask about my immigration status?", "uk", "en"),
        ("ok", "uk", "uk"),
        ("ok", "ar", "ar"),
    ],
)
def test_a_message_in_a_script_only_one_spoken_language_uses_is_answered_in_it(text, slot, expected):
    assert language.choose(text, LANGS, slot) == expected


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        ("англійською, будь ласка", "uk", "en"),
        ("Можна мені відповідь англійською?", "uk", "en"),
        ("скажіть це іспанською", "uk", "es"),
        ("відповідайте українською", "en", "uk"),
        # the adverb after "по-" ("in English"), read as two words
        ("по-англійськи будь ласка", "uk", "en"),
        ("напиши по-українськи", "en", "uk"),
    ],
)
def test_a_request_to_switch_in_a_new_language_names_the_language_in_its_own_words(text, slot, expected):
    """How a language names the others (`detection.names`) and its cue words
    (`switch_cues`) are data: Ukrainian asks for English in Ukrainian."""
    assert language.requested(text, LANGS) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a language named in a statement is not a request to switch (review of issue 27)
        "After my car got broken into the officer spoke a little Spanish to me, is that normal?",
        "ma mère parle pas anglais, est-ce que la police va lui demander ses papiers ?",
        "свекруха ні слова не знає англійською мовою, її питатимуть про документи?",
        "Waalidkay ma hadal karaan ingiriis, booliisku ma weydiin doonaa sharcigooda?",
    ],
)
def test_a_language_named_in_a_statement_is_not_a_request_to_switch(text):
    assert language.requested(text, LANGS) is None


@pytest.mark.parametrize(
    "text,slot,expected",
    [
        ("سلام گل", "en", "prs"),  # no marker word; گ is Persian's, not Arabic's
        ("سلام", "prs", "prs"),  # shared by both: the conversation's stays
        ("سلام", "ar", "ar"),
    ],
)
def test_between_arabic_and_dari_the_letters_then_the_conversation_decide(text, slot, expected):
    assert language.choose(text, LANGS, slot) == expected


def test_on_a_dari_page_a_message_arabic_and_dari_share_is_dari_until_the_conversation_says_otherwise():
    # the page's language breaks a tie within a script, never the words or letters
    page = {"page_lang": "prs"}
    assert language.choose("سلام", LANGS, None, page) == "prs"
    assert language.choose("سلام", LANGS, "ar", page) == "ar"
    assert language.choose("سلام گل", LANGS, None, {"page_lang": "ar"}) == "prs"
    # a Latin-script page does not hold back an Arabic-script message
    assert language.choose("سلام", LANGS, None, {"page_lang": "en"}) == "ar"


def test_devanagari_vowel_signs_count_with_their_letters():
    from policy_assistant.text import script, words

    assert script("मेरो कागजपत्र सोध्छ? ICE") == "DEVANAGARI"
    assert words("می‌کند") == words("میکند")  # a zero-width non-joiner does not split a word


def test_a_detection_word_must_be_one_word_as_messages_are_read():
    from policy_assistant.schema import Detection, Problem

    with pytest.raises(Exception, match="one word"):
        Detection(words=["af-soomaali"])
    assert Problem  # the store's own error type carries the message


@pytest.mark.parametrize(
    "text,expected",
    [
        # a language named next to a negation is not the one asked for
        ("no hablo inglés", None),
        ("I don't speak English", None),
        ("не розмовляю англійською, будь ласка", None),
        ("je ne parle pas anglais", None),
        ("لا أتكلم الإنجليزية من فضلك", None),
        ("mama yangu haongei Kiingereza tafadhali", None),
        # where the negated verb comes after the name
        ("مادرم به زبان انگلیسی صحبت کرده نمی‌تواند", None),
        ("मेरो आमालाई अंग्रेजी भाषा आउँदैन", None),
        # the other language named is then the one asked for
        ("no hablo inglés, respóndame en español", "es"),
        ("not in English, in Spanish please", "es"),
        ("je ne parle pas anglais, en français svp", "fr"),
        # a negation reaches only its own part of the sentence, and only a few words
        ("no, en español por favor", "es"),
        ("hablame en español que no entiendo ingles", "es"),
        ("I can't read this so please answer me in English", "en"),
        ("No… en español por favor", "es"),  # an ellipsis, "|" for "।", an emoji end a part too
        ("नेपालीमा भन्नुहोस् | अंग्रेजी आउँदैन", "ne"),
        ("No 😔 en español por favor", "es"),
        # "in"/"en" between them does not count: "I can't read English"
        ("No puedo leer en inglés", None),
        ("I cannot read anything in English", None),
        # a negation reaches one name only: the nearest, ahead first
        ("no hablo ingles español por favor", "es"),
        ("nepalima bhannus angreji bujhdina", "ne"),
        ("англійською будь ласка не українською", "en"),
        ("англійською не розмовляю", None),
        ("Ingiriis maaha ee af Soomaali fadlan", "so"),
        ("Kiingereza hapana, Kiswahili tafadhali", "sw"),
        # "without" comes before what it is without: "in English without hard words"
        ("لطفا به انگلیسی بدون کلمات سخت", "en"),
        ("أجب بالإنجليزية بدون تعقيد من فضلك", "en"),
    ],
)
def test_a_language_named_next_to_a_negation_is_not_the_one_asked_for(text, expected):
    assert language.requested(text, LANGS) == expected


def test_a_language_named_in_a_question_is_named_in_passing():
    """In a message the NLU read as a question (a topic, a refusal, an
    emergency, or one it is not sure of) a language is most often named in
    passing: the only one it can ask for is the one it is written in."""
    text = "la policía me habló en inglés y no entendí nada, ¿me pueden preguntar por mis papeles?"
    assert language.requested(text, LANGS) == "en"  # the words alone take it for a request
    assert language.requested(text, LANGS, question=True) is None
    assert language.choose(text, LANGS, "en", question=True) == "es"
    # the one language a question can ask for is its own: on a page shown in Spanish
    asked = "will police knock on my door for ICE? answer in English please"
    assert language.requested(asked, LANGS, question=True) == "en"
    assert language.choose(asked, LANGS, "es", {"lang": "es"}, question=True) == "en"
    assert language.requested("will police knock on my door? answer in Spanish please", LANGS, question=True) is None
    topics = {"traffic_stops"}
    for intent in ("traffic_stops", "nlu_fallback", "other_place", "legal_advice", "emergency"):
        assert language.is_question(intent, topics)
    for intent in ("change_language", "greet", "thank", "ask_more", "same_question", None):
        assert not language.is_question(intent, topics)
