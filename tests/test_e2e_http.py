"""End to end over HTTP: the real action server and Rasa server, started as
`make run` starts them, answer real questions from the real store."""

import re
import uuid

import pytest
import requests

from devtools.paths import ARTICLE, STORE
from devtools.servers import payloads, topic_of
from policy_assistant.answers import fixed_reply, message, review_line, spoken_names, unsupported_message
from policy_assistant.store import load_store

pytestmark = pytest.mark.e2e

store = load_store(STORE)


def sender():
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize(
    "question,topic",
    [
        ("will the police ask about my immigration status?", "immigration_status"),
        ("Can I call 911 safely if I'm undocumented?", "report_crime_safely"),
        ("Will police knock on my door for ICE?", "home_visits"),
        ("does lmpd enforce immigration law", "enforce_immigration_law"),
        ("how many times did police help ICE according to the report", "investigation_findings"),
    ],
)
def test_questions_get_sourced_dated_answers(live, question, topic):
    messages = live.ask(question, sender=sender())
    assert topic_of(messages) == topic
    [payload] = [p for p in payloads(messages) if "topic" in p]
    assert payload["lang"] == "en" and "reviewed_on" in payload and payload["short"]
    assert payload["reviewed_text"] == review_line(store.topics[topic], store.language("en"))
    text = next(m["text"] for m in messages if "text" in m)
    assert "Policies change. This is information, not legal advice." in text
    for quote in payload["quotes"]:
        assert quote["said_on"] == "2017-09-07" and quote["speaker"] and quote["source"]["title"]
        assert quote["text"] == store.quotes[quote["id"]].text
        if ARTICLE.exists():
            assert quote["text"] in ARTICLE.read_text(encoding="utf-8")
    assert re.search(r"\d{1,2} \w+ 20\d\d", text)


def test_follow_ups_after_an_answer(live):
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    who = live.ask("who said that?", sender=me)
    assert "Steve Conrad" in who[0]["text"] and topic_of(who) is None
    when = live.ask("when was that said?", sender=me)
    assert "7 September 2017" in when[0]["text"]
    more = live.ask("tell me more", sender=me)
    assert store.topics["home_visits"].summary["en"] in more[0]["text"]  # the whole summary, not a first sentence
    assert store.quotes["conrad_reporters_ruse"].text in more[0]["text"]
    assert store.topics["dangerous_situations"].title["en"] in [b["title"] for b in more[0]["buttons"]]


def test_reply_words_and_numbers_are_understood_by_the_nlu_on_any_channel(live):
    """MAS, FUENTES and a bare number are the NLU's (nlu_pipeline/reply_words.py), not the phone's:
    the REST channel gets the details in the reply word's language, and a number that names no
    option offered here (options are numbered on a phone only) the "not sure I understood" reply."""
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    more = live.ask("MAS", sender=me)
    assert store.topics["home_visits"].summary["es"] in more[0]["text"]
    sources = live.ask("fuentes", sender=me)
    assert "Steve Conrad" in sources[0]["text"] and sources[0]["text"].startswith(
        store.language("es").label("who_said")
    )
    number = live.ask("2", sender=me)
    assert number[0]["text"] == fixed_reply(store, "nlu_fallback", "es").text and topic_of(number) is None
    # before any answer, the bare word asks about the sources themselves
    assert topic_of(live.ask("FUENTES", sender=sender())) == "sources_and_dates"


def test_button_payload_answers_the_topic(live):
    assert topic_of(live.ask("/joint_operations", sender=sender())) == "joint_operations"


@pytest.mark.parametrize(
    "message",
    [
        "",
        " ",
        "x" * 20000,
        "\x00\x01\x02\ufffd\ufffd",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "Wie spät ist es?",
        "🙂🙂🙂",
    ],
)
def test_bad_input_gets_a_friendly_answer(live, message):
    messages = live.ask(message, sender=sender())
    assert messages and all(isinstance(m.get("text", ""), str) for m in messages)
    assert any(m.get("text") for m in messages)


def test_emergency_says_call_911_first(live):
    messages = live.ask("ICE is at my door right now", sender=sender())
    assert messages[0]["text"].startswith("If anyone is in danger right now, call 911.")


def test_non_json_body_is_rejected_without_crashing(live):
    response = requests.post(live.url + "/webhooks/rest/webhook", data=b"\xff\xfe not json", timeout=30)
    assert response.status_code == 400
    assert live.ask("hello", sender=sender())  # still serving


def test_action_server_down_still_gets_a_reply_and_recovers(live):
    me = sender()
    live.stop_actions()
    try:
        messages = live.ask("will the police ask about my immigration status?", sender=me)
        assert [m["text"] for m in messages] == [store.language("en").messages["unavailable"]]
        messages = live.ask("la policia me va a preguntar por mis papeles?", sender=me, metadata={"lang": "es"})
        assert [m["text"] for m in messages] == [store.language("es").messages["unavailable"]]
    finally:
        live.start_actions()
    assert topic_of(live.ask("will the police ask about my immigration status?", sender=me)) == "immigration_status"


def test_the_servers_own_message_is_in_the_conversations_language_or_the_pages(live):
    # a Dari conversation, then the action server down: "سلام" is Arabic as
    # much as Dari, so the conversation's language decides, then the page's
    me = sender()
    dari = store.topics["immigration_status"].title["prs"]
    assert [p["lang"] for p in payloads(live.ask(dari, sender=me)) if "topic" in p] == ["prs"]
    live.stop_actions()
    try:
        assert [m["text"] for m in live.ask("سلام", sender=me)] == [store.language("prs").messages["unavailable"]]
        page = live.ask("سلام", sender=sender(), metadata={"page_lang": "prs"})
        assert [m["text"] for m in page] == [store.language("prs").messages["unavailable"]]
    finally:
        live.start_actions()


def test_user_text_never_reaches_the_server_logs(live):
    secret = f"my name is Zyxwv{uuid.uuid4().hex[:6]} and I live at 12 Elm"
    live.ask(secret, sender=sender())
    for slashed in (f"/ {secret}", f"/{secret}", '/{"name": "Zyxwv"}', "/greet{Zyxwv}"):
        assert live.ask(slashed, sender=sender())  # a slash is not a way into the log
    live.ask(secret, sender=sender(), path="/webhooks/webchat/webhook")
    live.stop_actions()
    try:
        live.ask(secret + " again", sender=sender())
    finally:
        live.start_actions()
    for log in (live.rasa_log, live.actions_log):
        assert "Zyxwv" not in log.read_text(errors="replace"), log


def test_spanish_question_gets_spanish_answer_with_official_english_words(live):
    me = sender()
    messages = live.ask("¿la policía me va a preguntar por mis papeles?", sender=me)
    [payload] = [p for p in payloads(messages) if "topic" in p]
    assert payload["topic"] == "immigration_status" and payload["lang"] == "es"
    assert payload["summary"] == store.topics["immigration_status"].summary["es"]
    for quote in payload["quotes"]:
        assert quote["text"] == store.quotes[quote["id"]].text  # the official English words
        assert quote["translation"] == {
            "lang": "es",
            "text": store.quotes[quote["id"]].translations["es"],
            "official": False,
            "label": "Traducción no oficial",
        }
    assert all(u["lang"] == "es" for u in payload["updates"])
    text = next(m["text"] for m in messages if "text" in m)
    assert payload["short"] in text and "Las políticas cambian." in text
    details = live.ask("/ask_more", sender=me)[0]["text"]  # "más": the details, in Spanish
    assert "Traducción no oficial: “" in details and "Las políticas cambian." in details


def test_language_is_switched_on_request_and_kept(live):
    me = sender()
    assert live.ask("en español por favor", sender=me)[0]["text"] == "Desde ahora le respondo en español."
    kept = [p for p in payloads(live.ask("/enforce_immigration_law", sender=me)) if "topic" in p]
    assert kept[0]["lang"] == "es"
    short = live.ask("ok", sender=me)
    assert all(p.get("lang", "es") == "es" for p in payloads(short))
    # after an answer, the switch says that answer again in the language asked for
    again = next(p for p in payloads(live.ask("in English please", sender=me)) if "topic" in p)
    assert (again["topic"], again["lang"]) == ("enforce_immigration_law", "en")
    assert next(p for p in payloads(live.ask("/home_visits", sender=me)) if "topic" in p)["lang"] == "en"


@pytest.mark.parametrize(
    "ask_es,ask_en", [("could you put that in Spanish?", "English please"), ("ponlo en español", "ponlo en inglés")]
)
def test_say_that_in_another_language_repeats_the_last_answer_in_it(live, ask_es, ask_en):
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    again = live.ask(ask_es, sender=me)
    [payload] = [p for p in payloads(again) if "topic" in p]
    assert (payload["topic"], payload["lang"], payload["language"]) == ("home_visits", "es", "es")
    assert again[0]["text"].startswith(store.topics["home_visits"].title["es"])  # the short answer first
    more = live.ask("MAS", sender=me)[0]["text"]  # then the details, in Spanish
    assert store.topics["home_visits"].summary["es"] in more
    back = [p for p in payloads(live.ask(ask_en, sender=me)) if "topic" in p]
    assert [(p["topic"], p["lang"]) for p in back] == [("home_visits", "en")]


@pytest.mark.parametrize(
    "lang,question,follow_up,topic",
    [
        ("en", "will police knock on my door for ICE?", "ok and what about my sister in law?", "home_visits"),
        ("es", "¿la policía me va a preguntar por mis papeles?", "¿y si es mi nieto?", "immigration_status"),
    ],
)
def test_a_follow_up_about_another_person_gets_the_same_topic_not_the_emergency_reply(
    live, lang, question, follow_up, topic
):
    me = sender()
    assert topic_of(live.ask(question, sender=me)) == topic
    again = [p for p in payloads(live.ask(follow_up, sender=me)) if "topic" in p]
    assert [(p["topic"], p["lang"]) for p in again] == [(topic, lang)]
    # danger in its words is still the emergency reply first
    now = "and my sister in law? ICE has her right now" if lang == "en" else "¿y mi nieto? la migra lo tiene ahorita"
    assert live.ask(now, sender=me)[0]["text"] == fixed_reply(store, "emergency", lang).text


def test_an_unsure_follow_up_goes_on_with_the_topic_just_answered_and_alone_is_not_understood(live):
    # the NLU is unsure of it (below the fallback threshold) and reads it
    # likeliest as "the same question" (policy_assistant.context.topic_asked)
    follow_up = "what if they bring a warrant?"
    me = sender()
    assert topic_of(live.ask("when does LMPD help ICE?", sender=me)) == "when_police_help_ice"
    again = [p for p in payloads(live.ask(follow_up, sender=me)) if "topic" in p]
    assert [(p["topic"], p["lang"]) for p in again] == [("when_police_help_ice", "en")]
    alone = live.ask(follow_up, sender=sender())
    assert topic_of(alone) is None and alone[0]["text"].startswith(store.language("en").messages["nlu_fallback"])


def test_say_that_in_spanish_after_the_emergency_reply_says_it_again_in_spanish(live):
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    assert live.ask("ICE is at my door right now", sender=me)[0]["text"] == fixed_reply(store, "emergency", "en").text
    again = live.ask("en español por favor", sender=me)
    assert again[0]["text"] == fixed_reply(store, "emergency", "es").text and topic_of(again) is None


def test_a_greeting_or_thanks_in_the_other_language_is_answered_in_it(live):
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    assert live.ask("gracias!", sender=me)[0]["text"] == fixed_reply(store, "thank", "es").text
    assert live.ask("thanks", sender=me)[0]["text"] == fixed_reply(store, "thank", "en").text
    assert live.ask("hola", sender=me)[0]["text"] == fixed_reply(store, "greet", "es").text


def test_a_language_named_in_a_question_does_not_move_the_answer_away_from_the_questions_language(live):
    me = sender()
    assert topic_of(live.ask("will police knock on my door for ICE?", sender=me)) == "home_visits"
    # the words alone took "inglés" here for a request, and answered in English
    question = "mi esposo no habla inglés y tiene miedo de llamar a la policía, ¿le van a preguntar por sus papeles?"
    answered = live.ask(question, sender=me)
    assert all(p["lang"] == "es" for p in payloads(answered) if "lang" in p) and payloads(answered)
    # "I don't speak English", in Spanish: the languages, in Spanish
    languages = live.ask("no hablo inglés", sender=sender())[0]["text"]
    assert languages == message(store, "language_choices", "es").format(names=spoken_names(store))


def test_page_language_metadata_sets_the_answer_language(live):
    messages = live.ask("will police knock on my door for ICE?", sender=sender(), metadata={"lang": "es"})
    assert next(p for p in payloads(messages) if "topic" in p)["lang"] == "es"


def test_the_language_a_page_is_shown_in_is_the_last_resort(live):
    me = sender()
    # a message with no language of its own opens the conversation in the page's
    # ("ok" alone: "not sure" or, since the nine-language model, a goodbye)
    replies = {fixed_reply(store, intent, "es").text for intent in ("nlu_fallback", "goodbye")}
    assert live.ask("ok", sender=me, metadata={"page_lang": "es"})[0]["text"] in replies
    # a message in English on that page is answered in English
    english = live.ask("will police knock on my door for ICE?", sender=me, metadata={"page_lang": "es"})
    assert next(p for p in payloads(english) if "topic" in p)["lang"] == "en"


@pytest.mark.parametrize(
    "question",
    ["do police in Lexington ask people for their papers?", "la policia de Houston trabaja con la migra?"],
)
def test_another_place_gets_the_louisville_only_reply_and_no_topic(live, question):
    messages = live.ask(question, sender=sender())
    assert topic_of(messages) is None
    lang = "es" if "policia" in question else "en"
    assert messages[0]["text"] == fixed_reply(store, "other_place", lang).text
    assert messages[0]["buttons"]  # the closest Louisville topics


@pytest.mark.parametrize(
    "question,code",
    [
        ("A polícia de Louisville vai me perguntar sobre os meus papéis de imigração?", "pt"),
        ("Полиция Луисвилла будет спрашивать о моём иммиграционном статусе?", "ru"),
    ],
)
def test_a_language_not_spoken_gets_the_languages_spoken_and_911_never_a_topic(live, question, code):
    messages = live.ask(question, sender=sender())
    assert topic_of(messages) is None
    text = messages[0]["text"]
    # every language spoken, by name, first in the language the message looks
    # most like (Russian's script: Ukrainian; Portuguese's words: Spanish), then English
    reply_lang = {"ru": "uk", "pt": "es"}[code]
    assert text.startswith(unsupported_message(store, reply_lang)) and "911" in text
    assert "Français" in text and "Українська" in text and "العربية" in text
    assert store.not_spoken[code].sentence in text


@pytest.mark.parametrize(
    "lang,question",
    [
        ("ar", "هل ستسألني شرطة لويفيل عن أوراق الإقامة إذا أوقفوني؟"),
        ("uk", "Чи питатиме поліція Луїсвілла про мій імміграційний статус?"),
        # the topic's own title in the other new languages
        *((lang, store.topics["immigration_status"].title[lang]) for lang in ("sw", "so", "prs", "ne")),
    ],
)
def test_a_question_in_a_new_language_gets_its_answer_in_it_unchecked_and_english_one_reply_away(live, lang, question):
    me = sender()
    messages = live.ask(question, sender=me)
    [payload] = [p for p in payloads(messages) if "topic" in p]
    assert (payload["topic"], payload["lang"]) == ("immigration_status", lang)
    assert payload["short"] == store.topics["immigration_status"].short[lang]
    for quote in payload["quotes"]:
        assert quote["text"] == store.quotes[quote["id"]].text  # the official English words
        assert quote["translation"]["text"] == store.quotes[quote["id"]].translations[lang]
    assert store.language(lang).labels["translation_unchecked"] in messages[0]["text"]
    back = [p for p in payloads(live.ask("English", sender=me)) if "topic" in p]
    assert [(p["topic"], p["lang"]) for p in back] == [("immigration_status", "en")]


def test_own_case_gets_the_legal_advice_referral(live):
    messages = live.ask("my DACA renewal is late, should I still file it?", sender=sender())
    assert topic_of(messages) is None
    assert messages[0]["text"] == store.language("en").messages["legal_advice"]


def test_danger_now_is_an_emergency_but_a_past_event_is_not(live):
    now = live.ask("ICE agents are banging on my door right now, what do I do", sender=sender())
    assert now[0]["text"] == store.language("en").messages["emergency"]
    ahora = live.ask("estan tocando la puerta y dicen que son de inmigracion ahorita, abro?", sender=sender())
    assert ahora[0]["text"] == fixed_reply(store, "emergency", "es").text  # with its translation notice
    past = live.ask(
        "last year officers came with ICE to my neighbors apartment, do police still do that?", sender=sender()
    )
    assert past[0]["text"] != store.language("en").messages["emergency"]


def listening_addresses(port: int) -> set:
    """The local addresses a TCP port listens on (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_both_servers_listen_on_this_machine_only(live):
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    for port in (live.port, live.actions_port):
        addresses = listening_addresses(port)
        assert addresses and addresses <= loopback, (port, addresses)


@pytest.mark.parametrize(
    "question,lang",
    [
        # Persian, which the language identifier tells from Arabic but not from Dari
        ("آیا پلیس لوئیویل از من درباره وضعیت اقامتم سوال می‌کند؟", "prs"),
        # Hindi, which it tells from nothing closer than Nepali
        ("क्या लुइसविल पुलिस मुझसे मेरे इमिग्रेशन स्टेटस के बारे में पूछेगी?", "ne"),
    ],
)
def test_persian_and_hindi_reach_the_nlu_as_dari_and_nepali_and_are_answered_in_them(live, question, lang):
    """identified_as in config.yml: the language identifier's Persian is
    Dari, its Hindi Nepali; neither is refused as a language not spoken."""
    messages = live.ask(question, sender=sender())
    text = " ".join(m.get("text", "") for m in messages)
    assert unsupported_message(store, lang) not in text and unsupported_message(store, "en") not in text
    assert {p["lang"] for p in payloads(messages) if "lang" in p} <= {lang}
    if lang == "prs":  # Persian a Dari reader reads: the topic, in Dari
        assert topic_of(messages) == "immigration_status"
