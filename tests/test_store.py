"""The answer store: the real files load, and every kind of broken edit is
refused with the file and line named.

Tests that need stable content edit a copy of the small fixture store in
tests/fixtures/store/ (`small_store`) rather than the real one, which writers
keep changing."""

import datetime as dt
import logging
import os
import time

import pytest

import policy_assistant.text
from policy_assistant.live_store import LiveStore
from policy_assistant.store import Localized, StoreError, fold, load_store
from tests.conftest import STORE, problems_of, replace, small_store  # noqa: F401  small_store: a fixture

TOPIC_IDS = {
    "enforce_immigration_law",
    "immigration_status",
    "report_crime_safely",
    "when_police_help_ice",
    "home_visits",
    "investigation_findings",
    "joint_operations",
    "dangerous_situations",
    "city_response",
    "community_trust",
    "officer_conduct",
    "contact_liaison",
    "sources_and_dates",
    "jail_and_detainers",  # the three topics of issue 8
    "traffic_stops",
    "information_sharing",
}


def line_of(path, text):
    """The number of the first line of `path` that contains `text`."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# ---------------------------------------------------------------- the real store


def test_real_store_loads_with_every_public_topic():
    store = load_store(STORE)
    assert set(store.topics) == TOPIC_IDS
    assert store.missing_translations == []
    for topic in store.topics.values():
        assert topic.summary["en"] and (topic.quotes or topic.updates)
        for quote in topic.quotes:
            assert quote.speaker.name and quote.speaker.role["en"] and quote.said_on.year == 2017


def test_every_quote_is_used_by_some_topic():
    store = load_store(STORE)
    used = {q.id for t in store.topics.values() for q in t.quotes}
    assert used == set(store.quotes)


# ---------------------------------------------------------------- broken edits (existing contract)


def test_duplicate_quote_id_names_file_and_line(store_copy):
    replace(store_copy / "quotes.yml", "id: fischer_statement_responded", "id: fischer_statement_assistance")
    problems = problems_of(store_copy)
    assert any(
        p.startswith("quotes.yml:") and "duplicate quote id 'fischer_statement_assistance'" in p for p in problems
    ), problems


def test_unknown_quote_in_topic(small_store):
    replace(small_store / "topics" / "home_visits.yml", "quotes: [conrad_rotary_limits", "quotes: [no_such_quote")
    problems = problems_of(small_store)
    assert any(
        p.startswith("topics/home_visits.yml:3:") and "unknown quote id 'no_such_quote'" in p for p in problems
    ), problems


def test_missing_field_is_reported_with_line(store_copy):
    path = store_copy / "sources.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "publisher: WAVE 3 News" in line)
    del lines[index]
    path.write_text("\n".join(lines) + "\n")
    problems = problems_of(store_copy)
    assert any("sources.yml:" in p and "missing field 'publisher'" in p for p in problems), problems


def test_bad_date_is_refused(store_copy):
    replace(store_copy / "updates.yml", "date: 2017-10-26", "date: 2017-10-32")
    problems = problems_of(store_copy)
    line = next(
        i
        for i, text in enumerate((store_copy / "updates.yml").read_text().splitlines(), 1)
        if "id: ordinance_o_342_17" in text
    )
    assert any(p.startswith(f"updates.yml:{line}:") and "not a date" in p for p in problems), problems


def test_topic_with_nothing_to_say(small_store):
    path = small_store / "topics" / "contact_liaison.yml"
    replace(path, "quotes: [fischer_statement_warren]", "quotes: []")
    problems = problems_of(small_store)
    assert any("contact_liaison.yml" in p and "nothing to say" in p for p in problems), problems


def test_yaml_syntax_error_names_line(store_copy):
    path = store_copy / "topics" / "immigration_status.yml"
    path.write_text(path.read_text() + "related: [oops\n  bad: : :\n")
    problems = problems_of(store_copy)
    assert any("immigration_status.yml:" in p and "YAML error" in p for p in problems), problems


def test_binary_file_is_refused(store_copy):
    (store_copy / "topics" / "home_visits.yml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    problems = problems_of(store_copy)
    assert any("home_visits.yml" in p and ("UTF-8" in p or "YAML" in p) for p in problems), problems


def test_unknown_related_topic_and_undeclared_language(small_store):
    replace(small_store / "topics" / "home_visits.yml", "related: [dangerous_situations", "related: [doors")
    replace(small_store / "topics" / "home_visits.yml", "\n  es: ", "\n  fr: ")
    problems = problems_of(small_store)
    assert any("unknown related topic id 'doors'" in p for p in problems), problems
    assert any("undeclared language 'fr'" in p for p in problems), problems


def test_missing_translation_is_listed_not_fatal(small_store):
    path = small_store / "topics" / "joint_operations.yml"
    lines = [
        line for line in path.read_text().splitlines() if not (line.startswith("  es:") and "grupo de trabajo" in line)
    ]
    path.write_text("\n".join(lines) + "\n")
    store = load_store(small_store)
    assert any(
        "joint_operations.yml" in w and "'es' translation of topic 'joint_operations' summary" in w
        for w in store.missing_translations
    ), store.missing_translations


def bump(path):
    """Make sure the edit is seen even on file systems with coarse timestamps."""
    later = time.time() + 2
    os.utime(path, (later, later))


def test_hot_reload_picks_up_a_good_edit(small_store):
    live = LiveStore(small_store)
    assert "Pay attention" not in live.get().topics["home_visits"].summary["en"]
    path = small_store / "topics" / "home_visits.yml"
    replace(path, '  en: "The 2017 report', '  en: "Pay attention: the 2017 report')
    bump(path)
    assert live.get().topics["home_visits"].summary["en"].startswith("Pay attention:")


def test_broken_edit_is_refused_logged_and_last_good_store_serves(small_store, caplog):
    live = LiveStore(small_store)
    good = live.get()
    path = small_store / "quotes.yml"
    replace(path, "speaker: conrad", "speaker: nobody")
    bump(path)
    with caplog.at_level(logging.ERROR):
        assert live.get() is good
    assert "Refused an edit" in caplog.text and "unknown speaker 'nobody'" in caplog.text
    assert live.last_error is not None
    replace(path, "speaker: nobody", "speaker: conrad")
    bump(path)
    # read again, the error is gone: the files are the good store's again (render_check remembers it)
    assert live.get() == good and live.last_error is None


def test_a_file_that_goes_away_while_it_is_read_keeps_the_last_good_store(small_store, monkeypatch):
    """git replaces files one by one while a publish or an undo lands; seen
    once as a FileNotFoundError answered with "can't reach my answers"."""
    from policy_assistant import live_store

    live = LiveStore(small_store)
    good = live.get()
    path = small_store / "topics" / "home_visits.yml"
    replace(path, '  en: "The 2017 report', '  en: "Pay attention: the 2017 report')
    bump(path)
    real = live_store.load_rendered_store

    def vanishing(root):
        monkeypatch.setattr(live_store, "load_rendered_store", real)
        raise FileNotFoundError(str(root / "topics" / "home_visits.yml"))

    monkeypatch.setattr(live_store, "load_rendered_store", vanishing)
    assert live.get() is good  # not an error
    assert live.get().topics["home_visits"].summary["en"].startswith("Pay attention:")  # read again


def test_store_that_never_loaded_raises(tmp_path):
    with pytest.raises(StoreError):
        LiveStore(tmp_path / "missing").get()


# ---------------------------------------------------------------- the schema's new fields


def test_fixture_store_loads_with_every_new_field(small_store):
    store = load_store(small_store)
    assert store.missing_translations == []
    home = store.topics["home_visits"]
    assert home.short["en"].startswith("Police said in 2017") and home.short.text("es").startswith("La policía")
    assert home.reviewed_by is None and home.reviewed_on is None
    joint = store.topics["joint_operations"]
    assert joint.reviewed_by == "Liaison office (test fixture)" and joint.reviewed_on == dt.date(2026, 1, 15)
    limits = store.quotes["conrad_rotary_limits"]
    assert isinstance(limits.context, Localized) and limits.context.text("es").startswith("Conrad dijo")
    assert store.quotes["fischer_statement_warren"].context is None
    assert limits.translations == {"es": limits.translations["es"]} and isinstance(limits.translations, dict)
    assert store.updates["kycir_report_2017_09_07"].kind == "record"
    assert store.updates["multilingual_video_2017_09_22"].kind == "change"
    assert store.updates["jail_detainers_2025_07_22"].qualifies == ("ordinance_o_342_17",)
    assert store.updates["multilingual_video_2017_09_22"].qualifies == ()
    rotary, council = store.sources["insider_louisville_rotary"], store.sources["metro_council_o_342_17"]
    assert rotary.date_inferred is True and store.sources["lpm_2025_07_22"].date_inferred is False
    assert rotary.note is not None and rotary.note.text("es") == "El día se deduce del artículo."
    assert store.sources["wave3_2017_09_22"].note is None
    assert council.url_scope == "section" and rotary.url_scope == "document"
    assert [u.id for u in store.qualifiers("ordinance_o_342_17")] == ["jail_detainers_2025_07_22"]
    assert [u.id for u in store.qualifiers("fischer_statement_assistance")] == ["ordinance_o_342_17"]
    assert store.qualifiers("fischer_statement_warren") == []


def test_localized_text_falls_back_to_english_and_is_read_only():
    title = Localized({"en": "Who can I talk to?", "es": "¿Con quién puedo hablar?"})
    assert title.text("es") == "¿Con quién puedo hablar?"
    assert title.text("ar") == "Who can I talk to?" and title.text(None) == "Who can I talk to?"
    assert title["en"] == "Who can I talk to?" and title.get("ar", "-") == "-"
    assert "es" in title and "ar" not in title and set(title) == {"en", "es"} and len(title) == 2
    assert title == {"en": "Who can I talk to?", "es": "¿Con quién puedo hablar?"}
    with pytest.raises(TypeError):
        title["fr"] = "À qui parler ?"  # type: ignore[index]


def test_fold_is_the_one_in_policy_assistant_text():
    assert fold is policy_assistant.text.fold and fold("Policía") == "policia"


# ---------------------------------------------------------------- the schema's new rules


def test_a_topic_must_list_the_update_that_qualifies_an_update_it_lists(small_store):
    path = small_store / "topics" / "home_visits.yml"
    replace(path, "updates: [ordinance_o_342_17, jail_detainers_2025_07_22]", "updates: [ordinance_o_342_17]")
    problems = problems_of(small_store)
    assert (
        "topics/home_visits.yml:3: lists 'ordinance_o_342_17' but not 'jail_detainers_2025_07_22', "
        "which qualifies it"
    ) in problems, problems


def test_a_topic_must_list_the_update_that_qualifies_a_quote_it_lists(small_store):
    path = small_store / "topics" / "dangerous_situations.yml"
    replace(path, "updates: [ordinance_o_342_17, jail_detainers_2025_07_22]", "updates: [jail_detainers_2025_07_22]")
    problems = problems_of(small_store)
    line = line_of(path, "id: dangerous_situations")
    assert (
        f"topics/dangerous_situations.yml:{line}: lists 'fischer_statement_assistance' but not "
        "'ordinance_o_342_17', which qualifies it"
    ) in problems, problems


def test_qualifies_must_name_known_quotes_or_updates(small_store):
    path = small_store / "updates.yml"
    replace(path, "qualifies: [ordinance_o_342_17]", "qualifies: [ordinance_o_342_17, no_such_item]")
    problems = problems_of(small_store)
    line = line_of(path, "id: jail_detainers_2025_07_22")
    assert f"updates.yml:{line}: unknown quote or update id 'no_such_item'" in problems, problems


@pytest.mark.parametrize(
    "update, old, new, item",
    [
        ("jail_detainers_2025_07_22", "date: 2025-07-22", "date: 2017-10-26", "ordinance_o_342_17"),  # same day
        ("jail_detainers_2025_07_22", "date: 2025-07-22", "date: 2017-01-01", "ordinance_o_342_17"),  # before
        (
            "ordinance_o_342_17",
            "date: 2017-10-26",
            "date: 2017-09-01",
            "fischer_statement_assistance",
        ),  # before said_on
    ],
)
def test_a_qualifying_update_is_dated_after_what_it_qualifies(small_store, update, old, new, item):
    path = small_store / "updates.yml"
    replace(path, old, new)
    problems = problems_of(small_store)
    line = line_of(path, f"id: {update}")
    assert any(
        p.startswith(f"updates.yml:{line}: qualifies '{item}' but is not dated after it") for p in problems
    ), problems


@pytest.mark.parametrize(
    "old, new",
    [
        ("reviewed_by: null", "reviewed_by: Jane Roe, liaison office"),
        ("reviewed_on: null", "reviewed_on: 2026-02-01"),
    ],
)
def test_reviewed_by_and_reviewed_on_go_together(small_store, old, new):
    replace(small_store / "topics" / "home_visits.yml", old, new)
    problems = problems_of(small_store)
    assert (
        "topics/home_visits.yml:3: 'reviewed_by' and 'reviewed_on' go together: set both, or write both as null"
        in problems
    ), problems


def test_reviewed_on_must_be_a_date(small_store):
    replace(small_store / "topics" / "joint_operations.yml", "reviewed_on: 2026-01-15", "reviewed_on: 2026-02-30")
    problems = problems_of(small_store)
    assert (
        "topics/joint_operations.yml:3: field 'reviewed_on' is not a date like 2017-09-22: '2026-02-30'" in problems
    ), problems


FOUR_SENTENCES = "Police said so in 2017. They said it again. The jail changed in 2025. Nothing else changed."
SIXTY_ONE_WORDS = " ".join(["word"] * 60) + " more."
LONG_WORDS = " ".join(["Metropolitan"] * 29) + "."  # 29 words, 1 sentence, 377 characters: too long for one text


@pytest.mark.parametrize(
    "lang, short, counts",
    [
        ("en", FOUR_SENTENCES, "4 sentences, 17 words and 91 characters"),
        ("en", SIXTY_ONE_WORDS, "1 sentences, 61 words and 305 characters"),
        ("es", FOUR_SENTENCES, "4 sentences, 17 words and 91 characters"),
        ("en", LONG_WORDS, "1 sentences, 29 words and 377 characters"),
    ],
)
def test_short_is_at_most_three_sentences_sixty_words_and_one_text_message(small_store, lang, short, counts):
    path = small_store / "topics" / "home_visits.yml"
    line = line_of(path, "short:") + 1
    lines = path.read_text(encoding="utf-8").splitlines()
    index = line if lang == "es" else line - 1
    lines[index] = f'  {lang}: "{short}"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problems_of(small_store)
    assert (
        f"topics/home_visits.yml:{line}: 'short.{lang}' is too long: {counts} "
        "(at most 3 sentences, 60 words and 360 characters: it is sent whole as one text message)"
    ) in problems, problems


def test_abbreviations_do_not_end_a_sentence_of_short(small_store):
    path = small_store / "topics" / "home_visits.yml"
    replace(
        path,
        "In July 2025 the jail changed its rule on ICE detainers.",
        "In July 2025, after a letter from the U.S. Department of Justice, the jail changed. That is all.",
    )
    replace(
        path,
        "En julio de 2025 la cárcel cambió su regla sobre ICE.",
        "En julio de 2025, tras una carta de EE. UU., cambió la cárcel. Nada más.",
    )
    replace(path, "said_by: [greenberg]}]", "said_by: [greenberg]}, [about_this_assistant]]")  # its grounds
    assert load_store(small_store).topics["home_visits"].short.text("es").endswith("Nada más.")


def test_short_is_required(small_store):
    path = small_store / "topics" / "immigration_status.yml"
    short = ("short:", '  en: "In September', '  es: "En septiembre')
    path.write_text("\n".join(line for line in path.read_text().splitlines() if not line.startswith(short)) + "\n")
    assert "topics/immigration_status.yml:2: missing field 'short'" in problems_of(small_store)


def test_update_kind_is_change_or_record(small_store):
    path = small_store / "updates.yml"
    replace(path, "kind: record", "kind: finding")
    problems = problems_of(small_store)
    line = line_of(path, "id: kycir_report_2017_09_07")
    assert f"updates.yml:{line}: field 'kind' must be 'change' or 'record', not 'finding'" in problems, problems


def test_source_url_scope_is_document_or_section(small_store):
    path = small_store / "sources.yml"
    replace(path, "url_scope: section", "url_scope: homepage")
    problems = problems_of(small_store)
    line = line_of(path, "id: kycir_2017_09_07")
    assert (
        f"sources.yml:{line}: field 'url_scope' must be 'document' or 'section', not 'homepage'" in problems
    ), problems


def test_source_note_is_per_language_and_date_inferred_is_true_or_false(small_store):
    path = small_store / "sources.yml"
    replace(path, "url: null\n\n  - id: metro", "url: null\n    note: Plain English only.\n\n  - id: metro")
    replace(path, "date_inferred: false", "date_inferred: perhaps")
    problems = problems_of(small_store)
    assert (
        f"sources.yml:{line_of(path, 'id: wave3_2017_09_22')}: field 'note' must map language codes to text" in problems
    ), problems
    assert (
        f"sources.yml:{line_of(path, 'id: lpm_2025_07_22')}: field 'date_inferred' must be true or false" in problems
    ), problems


def test_quote_context_needs_english(small_store):
    path = small_store / "quotes.yml"
    replace(path, '      en: "Conrad said LMPD and ICE leaders:"\n', "")
    problems = problems_of(small_store)
    line = line_of(path, 'es: "Conrad dijo')  # the line of the context's texts
    assert f"quotes.yml:{line}: field 'context' needs an 'en' text" in problems, problems


# ---------------------------------------------------------------- reading and the schema's other rules


def test_unknown_field_is_refused_as_a_likely_typo(small_store):
    path = small_store / "topics" / "contact_liaison.yml"
    replace(path, "related:", "relatd:")
    problems = problems_of(small_store)
    assert "topics/contact_liaison.yml:2: unknown field 'relatd'" in problems, problems


def test_duplicate_key_is_refused_with_its_line(small_store):
    path = small_store / "topics" / "contact_liaison.yml"
    path.write_text(path.read_text() + "quotes: [fischer_statement_warren]\n")
    problems = problems_of(small_store)
    line = len(path.read_text().splitlines())
    assert f"topics/contact_liaison.yml:{line}: YAML error: duplicate key 'quotes'" in problems, problems


def test_file_over_two_megabytes_is_refused(small_store):
    path = small_store / "resources.yml"
    path.write_text(path.read_text() + "#" * 2_000_001 + "\n")
    assert "resources.yml: larger than 2000000 bytes" in problems_of(small_store)


def test_a_list_that_names_an_id_twice(small_store):
    replace(
        small_store / "topics" / "home_visits.yml",
        "related: [dangerous_situations, contact_liaison]",
        "related: [dangerous_situations, contact_liaison, dangerous_situations]",
    )
    assert "topics/home_visits.yml:3: 'related' lists an id twice" in problems_of(small_store)


def test_a_broken_file_does_not_make_every_reference_to_it_unknown(small_store):
    (small_store / "sources.yml").write_text("sources: [oops\n")
    problems = problems_of(small_store)
    assert len(problems) == 1 and problems[0].startswith("sources.yml:2: YAML error"), problems


def test_a_character_yaml_does_not_allow_is_reported_on_its_own_line_after_accented_text(small_store):
    path = small_store / "sources.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = len(lines) + 3
    path.write_text("\n".join([*lines, "# política, región, información", "# más, aquí", "# \x07 here"]) + "\n")
    problems = problems_of(small_store)
    assert len(problems) == 1 and problems[0].startswith(f"sources.yml:{at}: YAML error"), problems


def test_a_value_its_tag_does_not_fit_is_reported_with_its_line_not_a_crash(small_store):
    path = small_store / "sources.yml"
    at = len(path.read_text(encoding="utf-8").splitlines()) + 1
    path.write_text(path.read_text(encoding="utf-8") + "extra: !!int abc\n", encoding="utf-8")
    assert problems_of(small_store) == [f"sources.yml:{at}: YAML error: 'abc' is not of the type int"]


def test_an_empty_list_may_be_written_with_nothing_after_it(small_store):
    replace(small_store / "topics" / "contact_liaison.yml", "updates: []", "updates:")
    assert load_store(small_store).topics["contact_liaison"].updates == ()


def test_a_label_with_an_unknown_placeholder_is_refused(store_copy):
    """{fecha} would break every answer at run time; the load refuses it instead."""
    path = store_copy / "languages" / "es.yml"
    text = path.read_text(encoding="utf-8")
    assert "{date}" in text
    path.write_text(text.replace("{date}", "{fecha}", 1), encoding="utf-8")
    problems = problems_of(store_copy)
    assert any(p.startswith("languages/es.yml") and "unknown placeholder {fecha}" in p for p in problems), problems


def test_a_missing_label_falls_back_to_english(store_copy):
    path = store_copy / "languages" / "es.yml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("  disclaimer:")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = load_store(store_copy)
    assert "disclaimer" not in store.language("es").labels
    assert store.language("es").label("disclaimer") == store.language("en").labels["disclaimer"]
    assert any("no 'labels.disclaimer' text" in w for w in store.missing_translations)


# ---------------------------------------------------------------- quotes stand in their source's text


def test_a_quote_changed_by_one_character_is_refused(small_store):
    quotes = small_store / "quotes.yml"
    replace(quotes, "federal agents detain people", "federal agents detain persons")
    problems = problems_of(small_store)
    line = line_of(quotes, "id: fischer_statement_assistance")  # the quote's first line
    assert any(
        p.startswith(f"quotes.yml:{line}:")
        and "is not in the text of its source (source_texts/insider_louisville_rotary.txt)" in p
        for p in problems
    ), problems


def test_a_quote_whose_source_has_no_text_is_refused(small_store):
    (small_store / "source_texts" / "insider_louisville_rotary.txt").unlink()
    problems = problems_of(small_store)
    assert any("no text of its source: add source_texts/insider_louisville_rotary.txt" in p for p in problems)


def test_editing_a_source_text_reloads_the_live_store(small_store):
    live = LiveStore(small_store)
    live.get()
    text = small_store / "source_texts" / "insider_louisville_rotary.txt"
    text.write_text("nothing quoted here\n", encoding="utf-8")
    live.get()
    assert live.last_error is not None and "is not in the text of its source" in str(live.last_error)


# ---------------------------------------------------------------- language files, with the line of the key


def test_a_keyword_written_as_one_word_is_refused_not_read_letter_by_letter(store_copy):
    """`more: MAS` is not [M, A, S]: texting "A" must never mean MORE (or, with
    `stop: ALTO`, stop the conversation)."""
    path = store_copy / "languages" / "es.yml"
    replace(path, "  more: [MAS, MÁS]", "  more: MAS")
    assert f"languages/es.yml:{line_of(path, 'more: MAS')}: 'keywords.more' must be a list, such as [MAS]" in (
        problems_of(store_copy)
    )


def test_a_message_that_is_not_text_is_refused_with_the_line_of_its_key(store_copy):
    path = store_copy / "languages" / "es.yml"
    replace(path, "  thank: ", "  thank: [")
    text = path.read_text(encoding="utf-8").splitlines()
    at = line_of(path, "  thank: [")
    text[at - 1] += "]"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    problems = problems_of(store_copy)
    assert any(p.startswith(f"languages/es.yml:{at}: 'messages.thank' must be text") for p in problems), problems


def test_a_label_with_an_unknown_placeholder_is_refused_on_its_own_line(store_copy):
    path = store_copy / "languages" / "es.yml"
    replace(path, "son del {date}", "son del {latest}")
    at = line_of(path, "old_warning:")
    assert any(
        p.startswith(f"languages/es.yml:{at}: 'labels.old_warning' has an unknown placeholder")
        for p in (problems_of(store_copy))
    )


def test_a_language_with_its_labels_left_empty_loads_and_falls_back(store_copy):
    path = store_copy / "languages" / "es.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("labels:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    path.write_text("\n".join(lines[: start + 1] + lines[end:]) + "\n", encoding="utf-8")
    store = load_store(store_copy)
    assert store.language("es").label("since_then") == store.language("en").label("since_then")
