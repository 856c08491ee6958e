"""Every sentence we write names its grounds (answer_store/README.md, "Grounds"):
the real store's every sentence, in every language, rests on grounds whose text
stands in its source; each rule of the loader is seen refusing a broken copy of
the small fixture store; the payload, the review line and SOURCES by sentence
carry the grounds."""

import datetime as dt

import pytest

from policy_assistant import answers
from policy_assistant.phone_messages import MAX_MESSAGES, MESSAGE_LIMIT, pack
from policy_assistant.schema import MAX_EXPLANATIONS, Localized, Passage, Quote, Scope
from policy_assistant.store import load_store, source_text_path
from policy_assistant.text import sentences
from tests.conftest import STORE, problems_of, replace, small_store  # noqa: F401  small_store: a fixture

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def store():
    return load_store(STORE)


def one(problems, *words):
    """The one problem that has every word, or a failure that lists them all."""
    found = [p for p in problems if all(w in p for w in words)]
    assert len(found) == 1, problems
    return found[0]


# ---------------------------------------------------------------- the real store


def test_every_sentence_of_every_topic_in_every_language_rests_on_grounds_found_in_their_source(store):
    checked = 0
    for topic in store.topics.values():
        for lang in store.languages:
            payload = answers.topic_payload(store, topic, lang, TODAY)
            for part in ("short", "summary"):
                items = payload["grounds"][part]
                assert [i["sentence"] for i in items] == list(sentences(payload[part])), (topic.id, lang, part)
                for item in items:
                    assert item["grounds"], (topic.id, lang, item["sentence"])
                    for shown in item["grounds"]:
                        ground = store.grounds[shown["id"]]
                        assert shown["label"] and shown["text"], shown
                        if isinstance(ground, Quote | Passage):
                            text = source_text_path(STORE, ground.source.id).read_text(encoding="utf-8")
                            assert ground.text in text and shown["text"] == ground.text
                        checked += 1
    assert checked > 500


def test_every_fixed_reply_update_context_and_resource_has_grounds(store):
    for reply in store.replies.values():
        for lang in store.languages:
            pairs = store.grounded(reply, "text", lang)
            assert pairs and len(pairs) == len(sentences(store.language(lang).messages[reply.intent]))
    for update in store.updates.values():
        assert store.grounded(update, "text", "es")
    for quote in store.quotes.values():
        assert bool(quote.context) == bool(store.grounded(quote, "context", "en")) if quote.context else True


def test_the_emergency_reply_and_topics_that_limit_police_say_whose_rules_these_are(store):
    assert store.replies["emergency"].limits_police
    for record, field in [(store.replies["emergency"], "text")] + [
        (t, "short") for t in store.topics.values() if t.limits_police
    ]:
        grounds = [store.grounds[g] for _, entry in store.grounded(record, field, "en") for g in entry.ids]
        assert any(isinstance(g, Scope) for g in grounds), record
    assert sum(t.limits_police for t in store.topics.values()) >= 3


def test_no_sentence_about_the_2025_jail_change_rests_on_it_without_naming_the_mayor(store):
    """The 2025 jail statement is a report of what the mayor said: a sentence
    resting only on it lists him in said_by (the loader's rule, seen here on
    the real content)."""
    jail = "timeline_2025_07_22_s1"
    for record in [*store.topics.values(), *store.updates.values()]:
        for field, entries in record.grounds.items():
            for entry in entries:
                if entry.ids == [jail]:
                    assert "greenberg" in entry.said_by, (record.id, field)


# ---------------------------------------------------------------- the loader's rules, on broken copies


def test_a_sentence_without_grounds_is_refused_with_file_and_line(small_store):
    path = small_store / "topics" / "dangerous_situations.yml"
    replace(path, ", [ordinance_assist_only]]", "]")
    problem = one(problems_of(small_store), "dangerous_situations.yml", "'short.en' has 2 sentences")
    assert "lists 1" in problem and problem.startswith("topics/dangerous_situations.yml:")


def test_a_translation_with_a_sentence_more_is_refused_in_its_language(small_store):
    replace(small_store / "topics" / "immigration_status.yml", 'estatus migratorio."', 'estatus migratorio. Otra más."')
    problem = one(problems_of(small_store), "'short.es' has 2 sentences")
    assert "immigration_status.yml" in problem


def test_a_reply_whose_words_gain_a_sentence_is_refused_naming_the_language_file(small_store):
    replace(small_store / "languages" / "en.yml", "I'm not sure I understood.", "I'm not sure I understood. Try again.")
    one(problems_of(small_store), "replies.yml", "messages.nlu_fallback in languages/en.yml has 2 sentences")


def test_an_unknown_ground_id_is_refused(small_store):
    replace(
        small_store / "topics" / "immigration_status.yml", "short: [[timeline_video]]", "short: [[no_such_passage]]"
    )
    one(problems_of(small_store), "unknown ground 'no_such_passage' in grounds.short")


def test_a_passage_not_in_its_source_character_for_character_is_refused(small_store):
    replace(small_store / "grounds" / "fixture.yml", "a video in several languages", "a video in many languages")
    one(problems_of(small_store), "passage 'timeline_video' is not in the text of its source")


def test_a_sentence_resting_only_on_what_someone_said_must_name_them(small_store):
    path = small_store / "topics" / "contact_liaison.yml"
    replace(
        path, "short: [{ids: [fischer_statement_warren], said_by: [fischer]}]", "short: [[fischer_statement_warren]]"
    )
    problem = one(
        problems_of(small_store), "contact_liaison.yml", "sentence 1 of 'short' rests only on what people said"
    )
    assert "said_by: [fischer]" in problem


def test_said_by_names_only_people_its_grounds_report(small_store):
    path = small_store / "topics" / "immigration_status.yml"
    replace(path, "short: [[timeline_video]]", "short: [{ids: [timeline_video], said_by: [conrad]}]")
    one(problems_of(small_store), "said_by 'conrad', but none of its grounds reports what they said")


def test_a_topic_that_limits_police_needs_a_scope_in_its_short_answer(small_store):
    path = small_store / "topics" / "immigration_status.yml"
    replace(path, "related: [home_visits]", "related: [home_visits]\nlimits_police: true")
    one(problems_of(small_store), "immigration_status.yml", "limits_police: true", "needs a sentence")
    replace(path, "short: [[timeline_video]]", "short: [[timeline_video, police_not_ice]]")
    load_store(small_store)


def test_a_passage_of_our_own_note_must_cite_the_records_it_rests_on(small_store):
    replace(small_store / "grounds" / "fixture.yml", "    cites: [wave3_2017_09_22]\n", "")
    one(problems_of(small_store), "passage 'timeline_video' is from our own note")


def test_explanations_are_kept_few(small_store):
    extra = "".join(
        f"  - id: extra_{i}\n    text: {{en: An explanation., es: Una explicación.}}\n" for i in range(MAX_EXPLANATIONS)
    )
    replace(small_store / "grounds" / "fixture.yml", "absences:\n", extra + "absences:\n")
    one(problems_of(small_store), f"{MAX_EXPLANATIONS + 1} explanations: keep them few")


def test_grounds_for_a_text_the_record_does_not_have_are_refused(small_store):
    replace(
        small_store / "topics" / "immigration_status.yml",
        "  summary: [[timeline_video]]",
        "  summary: [[timeline_video]]\n  title: [[timeline_video]]",
    )
    one(problems_of(small_store), "'grounds.title': this topic has no text 'title'")


def test_a_ground_id_is_one_list_across_kinds(small_store):
    replace(small_store / "grounds" / "fixture.yml", "  - id: contacts_not_verified", "  - id: timeline_video")
    one(problems_of(small_store), "duplicate ground id 'timeline_video'")


# ---------------------------------------------------------------- what answers carry


def test_the_payload_labels_a_note_passage_as_our_note_and_cites_its_record(small_store):
    store = load_store(small_store)
    payload = answers.topic_payload(store, store.topics["immigration_status"], "es", TODAY)
    (item,) = payload["grounds"]["short"]
    (ground,) = item["grounds"]
    assert ground["kind"] == "passage" and ground["label"] == store.language("es").label("ground_note")
    assert (
        ground["source"]["id"] == "wave3_2017_09_22" and ground["text"] == "LMPD publishes a video in several languages"
    )
    quote_item = answers.topic_payload(store, store.topics["contact_liaison"], "es", TODAY)["grounds"]["short"][0]
    assert quote_item["said_by"] == ["Greg Fischer"] and quote_item["grounds"][0]["kind"] == "quote"
    assert quote_item["grounds"][0]["caption"].startswith("Greg Fischer, ")
    checked = answers.ground_payload(store.grounds["contacts_not_verified"], store.language("en"))
    assert (
        checked["source"] is None
        and checked["checked_label"]
        and checked["sources"][0]["id"] == "insider_louisville_rotary"
    )
    assert (
        quote_item["grounds"][0]["translation"]["text"].startswith("Reconozco")
        or quote_item["grounds"][0]["translation"]["text"]
    )


def test_a_ground_is_shown_once_per_store_and_a_variant_with_other_labels_shows_its_own(store):
    def first_ground(of):
        return answers.grounds_payload(of, of.topics["home_visits"], ("short",), "es")["short"][0]["grounds"][0]

    first = first_ground(store)
    assert first_ground(store) is first  # made once, shared by every answer that cites it
    spanish = store.language("es")
    kinds = {key: "OTRA ETIQUETA" for key in ("ground_quote", "ground_passage", "ground_note")}
    relabelled = spanish.copy(update={"labels": spanish.labels.copy(update=kinds)})
    variant = store.variant(languages={**store.languages, "es": relabelled})
    assert first["label"] != "OTRA ETIQUETA" and first_ground(variant)["label"] == "OTRA ETIQUETA"
    assert first_ground(store) is first  # the variant did not replace the store's own
    shares_memo = store.copy(update={"languages": {**store.languages, "es": relabelled}})
    assert first_ground(shares_memo)["label"] == "OTRA ETIQUETA"  # kept with the language it was made for


def test_a_variant_with_other_topics_shares_the_grounds_shown_and_adds_none(store):
    """render_check renders every topic as reviewed: those copies of the store
    reuse the grounds already shown instead of making each one again."""
    first = answers.grounds_payload(store, store.topics["home_visits"], ("short",), "es")["short"][0]["grounds"][0]
    before = len(store._shown)
    topic = store.topics["home_visits"]
    reviewed = topic.copy(update={"reviewed_by": "city staff", "reviewed_on": dt.date(2026, 1, 1)})
    variant = store.variant(topics={**store.topics, "home_visits": reviewed})
    again = answers.grounds_payload(variant, reviewed, ("short",), "es")["short"][0]["grounds"][0]
    assert again is first and len(store._shown) == before


def test_a_fingerprint_is_kept_only_by_a_copy_with_the_same_texts(store):
    topic = store.topics["home_visits"]
    digest = topic.fingerprint()
    reviewed = topic.copy(update={"reviewed_by": "city staff", "reviewed_on": dt.date(2026, 1, 1)})
    assert reviewed.fingerprint() == digest
    edited = topic.copy(update={"summary": Localized({**topic.summary, "en": "Another summary."})})
    assert edited.fingerprint() != digest and topic.fingerprint() == digest


def test_a_change_after_review_shows_in_the_review_line(small_store):
    path = small_store / "topics" / "immigration_status.yml"
    version = load_store(small_store).topics["immigration_status"].fingerprint()
    replace(
        path,
        "related: [home_visits]",
        f"related: [home_visits]\nreviewed_by: Liaison\nreviewed_on: 2026-11-01\nreviewed_version: {version}",
    )
    store = load_store(small_store)
    topic = store.topics["immigration_status"]
    assert not topic.changed_since_review()
    assert answers.review_line(topic, store.language("en")).startswith("Reviewed by city staff (Liaison)")
    replace(path, "do not ask about immigration status.", "do not ask about status.")
    store = load_store(small_store)
    topic = store.topics["immigration_status"]
    assert topic.changed_since_review()
    assert "changed since then" in answers.review_line(topic, store.language("en"))


def test_sources_by_sentence_numbers_every_sentence_of_the_short_answer_and_fits_a_phone(store):
    for topic_id in ("home_visits", "jail_and_detainers"):
        for lang in ("en", "es"):
            language = store.language(lang)
            reply = answers.follow_up(store, "who", topic_id, lang, TODAY, text="SOURCES")
            heading = language.label("grounds_heading").format(part=language.label("in_short"))
            assert heading in reply.text
            short = sentences(store.topics[topic_id].short.text(lang))
            block = reply.text.split(heading, 1)[1].split("\n\n")[0].strip().splitlines()
            assert [line.split(" ", 1)[0] for line in block] == [str(n) for n in range(1, len(short) + 1)]
            messages = pack([reply.text])
            assert len(messages) <= MAX_MESSAGES and all(len(m) <= MESSAGE_LIMIT for m in messages)
            assert heading in "\n".join(messages)
