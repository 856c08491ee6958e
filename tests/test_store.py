"""The answer store: the real files load, and every kind of broken edit is
refused with the file and line named."""
import logging
import os
import time

import pytest

from policy_assistant.live_store import LiveStore
from policy_assistant.store import StoreError, load_store
from tests.conftest import STORE

TOPIC_IDS = {
    "enforce_immigration_law", "immigration_status", "report_crime_safely", "when_police_help_ice",
    "home_visits", "investigation_findings", "joint_operations", "dangerous_situations",
    "city_response", "community_trust", "officer_conduct", "contact_liaison", "sources_and_dates",
}


def problems_of(root):
    with pytest.raises(StoreError) as error:
        load_store(root)
    return error.value.problems


def replace(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


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


def test_duplicate_quote_id_names_file_and_line(store_copy):
    replace(store_copy / "quotes.yml", "id: fischer_statement_responded", "id: fischer_statement_assistance")
    problems = problems_of(store_copy)
    assert any(p.startswith("quotes.yml:") and "duplicate quote id 'fischer_statement_assistance'" in p
               for p in problems), problems


def test_unknown_quote_in_topic(store_copy):
    replace(store_copy / "topics" / "home_visits.yml", "quotes: [conrad_rotary_limits", "quotes: [no_such_quote")
    problems = problems_of(store_copy)
    assert any(p.startswith("topics/home_visits.yml:3:") and "unknown quote id 'no_such_quote'" in p
               for p in problems), problems


def test_missing_field_is_reported_with_line(store_copy):
    path = store_copy / "sources.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, l in enumerate(lines) if "publisher: WAVE 3 News" in l)
    del lines[index]
    path.write_text("\n".join(lines) + "\n")
    problems = problems_of(store_copy)
    assert any("sources.yml:" in p and "missing field 'publisher'" in p for p in problems), problems


def test_bad_date_is_refused(store_copy):
    replace(store_copy / "updates.yml", "date: 2017-10-26", "date: 2017-10-32")
    problems = problems_of(store_copy)
    line = next(i for i, l in enumerate((store_copy / "updates.yml").read_text().splitlines(), 1)
                if "id: ordinance_o_342_17" in l)
    assert any(p.startswith(f"updates.yml:{line}:") and "not a date" in p for p in problems), problems


def test_topic_with_nothing_to_say(store_copy):
    path = store_copy / "topics" / "contact_liaison.yml"
    replace(path, "quotes: [fischer_statement_warren]", "quotes: []")
    problems = problems_of(store_copy)
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


def test_unknown_related_topic_and_undeclared_language(store_copy):
    replace(store_copy / "topics" / "home_visits.yml", "related: [dangerous_situations", "related: [doors")
    replace(store_copy / "topics" / "home_visits.yml", "\n  es: ", "\n  fr: ")
    problems = problems_of(store_copy)
    assert any("unknown related topic id 'doors'" in p for p in problems), problems
    assert any("undeclared language 'fr'" in p for p in problems), problems


def test_missing_translation_is_listed_not_fatal(store_copy):
    path = store_copy / "topics" / "joint_operations.yml"
    lines = [l for l in path.read_text().splitlines() if not (l.startswith("  es:") and "grupo de trabajo" in l)]
    path.write_text("\n".join(lines) + "\n")
    store = load_store(store_copy)
    assert any("joint_operations.yml" in w and "'es' translation of topic 'joint_operations' summary" in w
               for w in store.missing_translations), store.missing_translations


def bump(path):
    """Make sure the edit is seen even on file systems with coarse timestamps."""
    later = time.time() + 2
    os.utime(path, (later, later))


def test_hot_reload_picks_up_a_good_edit(store_copy):
    live = LiveStore(store_copy)
    assert "Pay attention" not in live.get().topics["home_visits"].summary["en"]
    path = store_copy / "topics" / "home_visits.yml"
    replace(path, "  en: \"The 2017 report", "  en: \"Pay attention. The 2017 report")
    bump(path)
    assert live.get().topics["home_visits"].summary["en"].startswith("Pay attention.")


def test_broken_edit_is_refused_logged_and_last_good_store_serves(store_copy, caplog):
    live = LiveStore(store_copy)
    good = live.get()
    path = store_copy / "quotes.yml"
    replace(path, "speaker: conrad", "speaker: nobody")
    bump(path)
    with caplog.at_level(logging.ERROR):
        assert live.get() is good
    assert "Refused an edit" in caplog.text and "unknown speaker 'nobody'" in caplog.text
    assert live.last_error is not None
    replace(path, "speaker: nobody", "speaker: conrad")
    bump(path)
    assert live.get() is not good and live.last_error is None


def test_store_that_never_loaded_raises(tmp_path):
    with pytest.raises(StoreError):
        LiveStore(tmp_path / "missing").get()
