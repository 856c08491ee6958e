"""Composing answers from the real store: the payload contract, the short
answer first, dates, the order of updates and quotes, Spanish, and honest
fallbacks."""

import datetime as dt
import re

import pytest

from devtools.paths import STORE
from policy_assistant import answers, phone_messages
from policy_assistant.store import StoreError, load_store

store = load_store(STORE)
TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("topic", sorted(store.topics))
@pytest.mark.parametrize("lang", sorted(store.languages))
def test_payload_contract_for_every_topic(topic, lang):
    reply = answers.answer_topic(store, topic, lang, today=TODAY)
    p = reply.payload
    assert p["topic"] == topic and p["lang"] == lang
    assert isinstance(p["summary"], str) and p["summary"]
    assert isinstance(p["short"], str) and p["short"]
    assert p["reviewed_on"] is None or dt.date.fromisoformat(p["reviewed_on"])
    assert p["quotes"] or p["updates"] or p["records"]
    details = answers.details_text(store, topic, lang, today=TODAY)
    for q in p["quotes"]:
        assert {"id", "speaker", "role", "said_on", "text", "source"} <= set(q)
        assert {"title", "publisher", "date", "url"} <= set(q["source"])
        assert q["text"] == store.quotes[q["id"]].text
        assert q["text"] in details and q["speaker"] in details
        if lang != "en":  # every quote stays in English, with its unofficial translation labelled
            assert q["translation"]["official"] is False and q["translation"]["text"] in details
            assert q["translation"]["label"] == store.language(lang).labels["unofficial_translation"]
    for u in p["updates"] + p["records"]:
        assert {"date", "text", "source"} <= set(u)
        dt.date.fromisoformat(u["date"])
        assert u["text"] in details
    assert [u["date"] for u in p["updates"]] == sorted((u["date"] for u in p["updates"]), reverse=True)
    assert set(p["related"]) <= set(store.topics) and topic not in p["related"]
    assert [b["payload"] for b in reply.buttons] == [f"/{t}" for t in p["related"]]
    labels = store.language(lang).labels
    assert labels["disclaimer"] in reply.text and labels["disclaimer"] in details


@pytest.mark.parametrize("topic", sorted(store.topics))
@pytest.mark.parametrize("lang", sorted(store.languages))
def test_text_reply_is_the_short_answer_with_its_date_and_how_to_get_more(topic, lang):
    reply = answers.answer_topic(store, topic, lang, today=TODAY)
    labels = store.language(lang).labels
    assert reply.payload["short"] in reply.text
    assert labels["details_hint"] in reply.text
    assert answers.review_line(store.topics[topic], store.language(lang)) in reply.text
    if reply.payload["latest_change"]:
        assert reply.payload["latest_change"]["date_text"] in reply.text
    for quote in reply.payload["quotes"]:
        assert quote["text"] not in reply.text  # the details are one step away
    # short: the details are one step away (the translation notice comes on top)
    assert len(reply.text) - len(answers.translation_line(store.language(lang))) < 900


def test_immigration_status_says_2017_is_silent_and_leads_with_later_note():
    reply = answers.answer_topic(store, "immigration_status", "en", today=TODAY)
    assert "do not say whether officers ask" in reply.payload["summary"]
    text = answers.details_text(store, "immigration_status", "en", today=TODAY)
    assert text.index("What changed since") < text.index("What officials said")
    assert text.index("do not ask about immigration status") < text.index("regardless of their immigration status")


def test_old_statements_are_flagged_as_old():
    text = answers.details_text(store, "home_visits", "en", today=TODAY)
    assert "These statements are from 7 September 2017, 9 years ago" in text
    payload = answers.answer_topic(store, "home_visits", "en", today=TODAY).payload
    assert payload["old"] is True and payload["years_ago"] == 9
    recent = answers.details_text(store, "home_visits", "en", today=dt.date(2017, 10, 1))
    assert "years ago" not in recent


def test_spanish_answer_keeps_english_quote_and_labels_translation():
    text = answers.details_text(store, "home_visits", "es", today=TODAY)
    quote = store.quotes["conrad_rotary_limits"]
    assert quote.text in text
    assert "Traducción no oficial: “" + quote.translations["es"] in text
    reply = answers.answer_topic(store, "home_visits", "es", today=TODAY)
    assert reply.payload["summary"] == store.topics["home_visits"].summary["es"]
    assert reply.payload["short"] == store.topics["home_visits"].short["es"]
    assert "7 de septiembre de 2017" in text


def test_dates_and_labels_come_ready_for_the_page():
    p = answers.answer_topic(store, "home_visits", "es", today=TODAY).payload
    assert p["quotes"][0]["said_on_text"] == "7 de septiembre de 2017"
    assert all(re.fullmatch(r"\d{1,2} de \w+ de \d{4}", u["date_text"]) for u in p["updates"])
    assert p["labels"]["officials_said"] == store.language("es").labels["officials_said"].format(year=2017)
    assert p["reviewed_text"] == answers.review_line(store.topics["home_visits"], store.language("es"))


def test_topic_without_spanish_summary_answers_in_english_with_spanish_note(store_copy):
    path = store_copy / "topics" / "officer_conduct.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("summary:")
    es = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  es:"))
    end = next(i for i in range(es + 1, len(lines)) if not lines[i].startswith("    "))
    del lines[es:end]  # the key and its folded text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edited = load_store(store_copy)
    reply = answers.answer_topic(edited, "officer_conduct", "es", today=TODAY)
    assert reply.payload["lang"] == "es" and reply.payload["summary_lang"] == "en"
    assert reply.payload["summary"] == edited.topics["officer_conduct"].summary["en"]
    details = answers.details_text(edited, "officer_conduct", "es", today=TODAY)
    assert edited.language("es").messages["summary_missing"] in details


def test_contact_liaison_lists_only_sourced_resources_without_invented_contacts():
    reply = answers.answer_topic(store, "contact_liaison", "en", today=TODAY)
    [resource] = reply.payload["resources"]
    assert resource["url"] is None and resource["phone"] is None
    assert resource["source"]["publisher"] == "Insider Louisville"


def test_the_review_line_says_reviewed_only_when_a_reviewer_is_recorded():
    topic = store.topics["home_visits"]
    en = store.language("en")
    unreviewed = topic.copy(update={"reviewed_by": None, "reviewed_on": None})
    assert answers.review_line(unreviewed, en) == en.labels["not_reviewed"]
    reviewed = topic.copy(update={"reviewed_by": "Liaison office", "reviewed_on": dt.date(2026, 12, 1)})
    assert answers.review_line(reviewed, en) == "Reviewed by city staff (Liaison office) on 1 December 2026."


def test_who_said_it_after_an_answer_without_quotes_says_no_official_is_quoted():
    reply = answers.follow_up(store, "who", "jail_and_detainers", "en")
    assert reply.text.startswith(store.language("en").labels["no_quotes"])


def test_follow_ups_refer_to_the_last_topic():
    who = answers.follow_up(store, "who", "home_visits", "en")
    assert "Steve Conrad" in who.text and "Greg Fischer" in who.text
    when = answers.follow_up(store, "when", "home_visits", "en")
    assert "7 September 2017" in when.text and "22 July 2025" in when.text
    more = answers.follow_up(store, "more", "home_visits", "en", today=TODAY)
    assert store.topics["home_visits"].summary["en"] in more.text  # whole, not a first sentence
    assert store.topics["dangerous_situations"].title["en"] in [b["title"] for b in more.buttons]


def test_follow_up_without_a_topic_asks_what_to_answer():
    reply = answers.follow_up(store, "who", None, "es")
    notice = answers.translation_line(store.language("es"))
    assert reply.text == f"{store.language('es').messages['no_topic_yet']}\n\n{notice}"
    assert answers.follow_up(store, "when", None, "en").payload["topic"] == "sources_and_dates"


@pytest.mark.parametrize(("word", "lang"), [("SOURCES", "en"), ("fuentes?", "es")])
def test_the_reply_word_sources_before_any_answer_answers_the_sources_topic(word, lang):
    """A bare SOURCES is about the sources even with nothing answered yet;
    "who said that?" is not (above)."""
    reply = answers.follow_up(store, "who", None, lang, text=word)
    assert reply.payload["topic"] == "sources_and_dates"
    assert answers.follow_up(store, "who", None, lang, text="who said that?").payload is None


@pytest.mark.parametrize("intent", ["greet", "emergency", "legal_advice", "out_of_scope", "nlu_fallback"])
def test_fixed_replies_have_no_topic_and_come_from_the_store(intent):
    for lang, language in store.languages.items():
        reply = answers.fixed_reply(store, intent, lang)
        assert reply.payload is None
        assert reply.text.startswith(language.messages[intent])
        assert reply.text.endswith(answers.translation_line(language))
    assert "911" in answers.fixed_reply(store, "emergency", "en").text


@pytest.mark.parametrize("lang", sorted(set(store.languages) - {"en"}))
def test_every_answer_in_a_language_no_native_speaker_checked_says_so_and_offers_english(lang):
    language = store.language(lang)
    assert not language.checked  # the honest state today: no native speaker is recorded for any translation
    notice, offer = language.labels["translation_unchecked"], language.labels["english_offer"]
    assert notice and offer and "English" in offer
    for topic in store.topics:
        reply = answers.answer_topic(store, topic, lang, today=TODAY)
        assert answers.translation_line(language) == f"{notice} {offer}" and f"{notice} {offer}" in reply.text
        assert reply.payload["unchecked_notice"] == notice
        assert reply.payload["english_button"] == {"title": "English", "payload": "English"}
    for intent in set(store.replies) - answers.NO_TRANSLATION_NOTICE:
        assert answers.fixed_reply(store, intent, lang).text.endswith(offer)
    for intent in answers.NO_TRANSLATION_NOTICE & set(store.replies):
        assert offer not in answers.fixed_reply(store, intent, lang).text


def test_english_answers_carry_no_translation_notice():
    reply = answers.answer_topic(store, "home_visits", "en", today=TODAY)
    assert reply.payload["english_button"] is None and reply.payload["translation_notice"] == ""
    assert store.language("es").labels["translation_unchecked"] not in reply.text


def test_a_language_a_native_speaker_checked_drops_the_notice(store_copy):
    path = store_copy / "languages" / "fr.yml"
    version = load_store(store_copy).texts_version("fr")
    checker = f"\nchecked_by: A. Mukendi\nchecked_on: 2026-12-01\nchecked_version: '{version}'\n"
    text = path.read_text(encoding="utf-8").replace("\nname: Français\n", "\nname: Français" + checker)
    path.write_text(text, encoding="utf-8")
    checked = load_store(store_copy)
    reply = answers.answer_topic(checked, "home_visits", "fr", today=TODAY)
    assert checked.language("fr").checked and reply.payload["english_button"] is None
    assert checked.language("fr").labels["translation_unchecked"] not in reply.text
    # a check by hand, without the version the Languages page writes, is refused
    path.write_text(text.replace(f"checked_version: '{version}'\n", ""), encoding="utf-8")
    with pytest.raises(StoreError, match="'checked_by', 'checked_on' and 'checked_version' go together"):
        load_store(store_copy)


def test_the_reply_to_a_language_not_spoken_names_every_language_spoken():
    text = answers.fixed_reply(store, "unsupported_language", "en", foreign="vi").text
    for language in store.languages.values():
        assert language.name in text
    assert "{names}" not in text and store.not_spoken["vi"].sentence in text


def test_not_understood_offers_at_most_three_closest_topics():
    closest = ["traffic_stops", "jail_and_detainers", "home_visits", "immigration_status"]
    reply = answers.fixed_reply(store, "nlu_fallback", "fr", closest=closest)
    assert [b["payload"] for b in reply.buttons] == [f"/{t}" for t in closest[: answers.MENU_SIZE]]
    nothing_close = answers.fixed_reply(store, "nlu_fallback", "en")
    assert [b["payload"] for b in nothing_close.buttons] == [f"/{t}" for t in store.replies["nlu_fallback"].buttons]


def test_an_english_or_french_text_changed_after_a_check_says_the_changes_are_not_yet_checked(store_copy):
    path = store_copy / "languages" / "fr.yml"
    version = load_store(store_copy).texts_version("fr")
    checker = f"\nchecked_by: A. Mukendi\nchecked_on: 2026-12-01\nchecked_version: '{version}'\n"
    path.write_text(path.read_text(encoding="utf-8").replace("\nname: Français\n", "\nname: Français" + checker))
    assert load_store(store_copy).language("fr").checked
    topic = store_copy / "topics" / "home_visits.yml"
    text = topic.read_text(encoding="utf-8")
    # a change in another language's text changes nothing for French
    topic.write_text(text.replace("¿La policía", "¿Acaso la policía", 1))
    assert load_store(store_copy).language("fr").checked
    for old, new in [
        ("Will police knock on my door", "Will the police knock on my door"),
        ("La police va-t-elle frapper", "Est-ce que la police va frapper"),
    ]:
        topic.write_text(text.replace(old, new, 1))
        changed = load_store(store_copy)
        fr = changed.language("fr")
        assert not fr.checked and fr.changed_since_checked, old
        reply = answers.answer_topic(changed, "home_visits", "fr", today=TODAY)
        notice = fr.labels["translation_changed"].format(by="A. Mukendi", date="1 décembre 2026")
        assert reply.payload["unchecked_notice"] == notice and notice in reply.text
        assert reply.payload["english_button"] == {"title": "English", "payload": "English"}


@pytest.mark.parametrize("lang", sorted(set(store.languages) - {"en"}))
@pytest.mark.parametrize("kind", ["who", "when", "more"])
def test_follow_ups_in_a_language_no_native_speaker_checked_carry_the_notice_on_every_channel(lang, kind):
    line = answers.translation_line(store.language(lang))
    assert line and answers.follow_up(store, kind, "home_visits", lang).text.endswith(line)
    assert line in answers.follow_up(store, kind, None, lang, text="hmm").text  # no answer yet
    assert line in phone_messages.topic_messages(store, "home_visits", lang)[-1]
    assert line in phone_messages.details_messages(store, "home_visits", lang)[-1]
    assert not answers.follow_up(store, kind, "home_visits", "en").text.endswith(line)
