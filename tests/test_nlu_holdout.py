"""Intent accuracy of the real trained model on held-out questions that are not
in the training data. The numbers are printed at the end of the test run."""

import re
from pathlib import Path

import pytest
import yaml

from devtools.conversation_bench import FOLDER, conversations
from devtools.conversation_bench import READABLE as CONVERSATION_SETS_READABLE
from devtools.nlu_bench import READABLE, SETS, bench_files, danger_items, emergency_figures, examples
from devtools.nlu_evaluation import REPORT, evaluate
from devtools.paths import PROJECT, STORE

MINIMUM_ACCURACY = 0.85
HOLDOUT = sorted((PROJECT / "tests" / "nlu").glob("holdout_*.yml"))
# the harder benchmarks of issue 7 (make nlu-bench) and its development set
# (make nlu-dev): held out just the same
BENCH = [f for name in SETS for f in bench_files(name)]


# in data/nlu/ before tests/conversations/ existed (git log -S shows when)
STOCK_PHRASES = {"when did the mayor say that", "when did the chief say that", "can you tell me more"}


def normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def training_texts():
    from rasa.shared.nlu.training_data.loading import load_data

    return {
        normal(m.get("text"))
        for f in sorted((PROJECT / "data" / "nlu").rglob("*.yml"))
        for m in load_data(str(f)).intent_examples
    }


def test_holdout_questions_are_not_in_training_data():
    from rasa.shared.nlu.training_data.loading import load_data

    seen = training_texts()
    for f in HOLDOUT + BENCH:
        leaked = [m.get("text") for m in load_data(str(f)).intent_examples if normal(m.get("text")) in seen]
        assert not leaked, f"{f.name}: {leaked}"
    other = yaml.safe_load((PROJECT / "tests" / "nlu" / "unsupported_languages.yml").read_text(encoding="utf-8"))
    leaked = [t for texts in other.values() for t in texts if normal(t) in seen]
    assert not leaked, f"unsupported_languages.yml: {leaked}"
    leaked = [item["text"] for item in danger_items() if normal(item["text"]) in seen]
    assert not leaked, f"danger_dev.yml: {leaked}"
    # the conversations (make conversation-bench, make conversation-dev). A turn
    # of four words or fewer ("gracias", "who said that") may be a training
    # example of its own, and so may the stock follow-ups in STOCK_PHRASES, which
    # were before the conversations were written; any other turn may not.
    for name in ("heldout", *sorted(CONVERSATION_SETS_READABLE)):
        turns = [turn["text"] for chat in conversations(FOLDER / f"{name}.yml") for turn in chat["turns"]]
        leaked = [t for t in turns if len(normal(t).split()) > 4 and normal(t) in seen - STOCK_PHRASES]
        assert not leaked, f"conversations/{name}.yml: {leaked}"


def test_every_language_has_a_holdout_file():
    assert {f.stem.split("_")[1] for f in HOLDOUT} >= {"en", "es"}


@pytest.mark.model
@pytest.mark.parametrize("holdout", HOLDOUT, ids=[f.stem for f in HOLDOUT])
def test_intent_accuracy_on_held_out_questions(agent, holdout: Path):
    result = evaluate(agent, holdout)
    REPORT.append(f"{result.file}: intent accuracy {result.accuracy:.3f} ({result.correct}/{result.total})")
    assert result.total >= 100
    assert result.accuracy >= MINIMUM_ACCURACY, "\n".join(
        [f"accuracy {result.accuracy:.3f} < {MINIMUM_ACCURACY}"]
        + [f"{t!r}: expected {e}, got {g} ({c:.2f})" for t, e, g, c in result.errors]
    )


CATEGORIES = {
    "story_question_last",
    "phone_typing",
    "situation_words",
    "other_place",
    "own_case",
    "past_event",
    "danger_now",
    "chit_chat",
    "short_mixed",
}


@pytest.mark.parametrize("name", SETS)
def test_each_benchmark_has_every_category_in_each_of_its_languages(name: str):
    files = bench_files(name)
    assert {f.stem.split("_", 1)[1] for f in files} >= {"en", "es"}
    for f in files:
        counts: dict = {}
        for _, _, category in examples(f):
            counts[category] = counts.get(category, 0) + 1
        assert set(counts) == CATEGORIES, f.name
        assert min(counts.values()) >= 8, f"{f.name}: {counts}"


def test_the_benchmarks_single_questions_are_never_printed():
    import subprocess
    import sys

    for name in set(SETS) - READABLE:
        run = subprocess.run(
            [sys.executable, "-m", "devtools.nlu_bench", "--set", name, "--errors"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2 and "only for the dev set" in run.stderr, run.stderr


# issue 27: each language added since English and Spanish, on its held-out benchmark
NEW_LANGUAGE_BENCHES = [f for f in bench_files("bench") if f.stem.split("_", 1)[1] not in {"en", "es"}]
# Issue 27 asks for 0.80 and 0.95. French and Ukrainian meet both; Arabic,
# Dari, Nepali, Somali and Swahili reach 0.80 but not 0.95 on the second
# (docs/results.md, 2026-12-06). This test holds every new language at 0.80 and
# 0.90, so that none falls back; the issue stays open until all reach 0.95.
TOPIC_FIRST, FIRST_OR_IN_MENU = 0.80, 0.90


@pytest.mark.model
@pytest.mark.parametrize("bench", NEW_LANGUAGE_BENCHES, ids=[f.stem for f in NEW_LANGUAGE_BENCHES])
def test_a_new_languages_policy_questions_get_their_topic_first_or_in_the_menu(agent, bench: Path):
    """Figures only: the questions stay unread."""
    from devtools.nlu_bench import in_menu, parse_all, policy_topics

    topics = policy_topics()
    rows = [(text, expected) for text, expected, _ in examples(bench) if expected in topics]
    parsed = parse_all(agent, [text for text, _ in rows])
    first = sum(p["intent"]["name"] == expected for (_, expected), p in zip(rows, parsed, strict=True))
    offered = sum(in_menu(p, expected, topics) for (_, expected), p in zip(rows, parsed, strict=True))
    REPORT.append(f"{bench.name}: topic first {first}/{len(rows)}, first or in the menu {offered}/{len(rows)}")
    assert len(rows) >= 80
    assert first / len(rows) >= TOPIC_FIRST, f"topic first {first}/{len(rows)}"
    assert offered / len(rows) >= FIRST_OR_IN_MENU, f"first or in the menu {offered}/{len(rows)}"


# The emergency reply on its development set (tests/nlu/danger_dev.yml, 90
# messages of danger now and 90 look-alikes in 9 languages): floors below what
# the model gives (82 and 76 of 90, docs/results.md, 2026-12-07), so that
# neither a missed emergency nor a false alarm can grow far unseen.
URGENT_CAUGHT, LOOKALIKES_CALM = 0.85, 0.75


def test_the_danger_set_holds_urgent_messages_and_look_alikes_in_every_spoken_language():
    from policy_assistant.store import load_store

    items = danger_items()
    assert all(isinstance(item["urgent"], bool) for item in items)
    spoken = set(load_store(STORE).languages)
    counts = emergency_figures(items, ["greet"] * len(items))
    assert set(counts) == spoken | {"all"}
    for lang in spoken:
        assert counts[lang]["urgent"] >= 10 and counts[lang]["lookalike"] >= 10, lang


def test_the_danger_figures_count_what_got_the_emergency_reply():
    urgent = [{"text": t, "lang": "en", "urgent": True} for t in "abc"]
    lookalikes = [{"text": t, "lang": "es", "urgent": False} for t in "def"]
    got = ["emergency", "emergency", "home_visits", "emergency", "greet", "report_crime_safely"]
    counts = emergency_figures(urgent + lookalikes, got)
    assert dict(counts["en"]) == {"urgent": 3, "caught": 2}
    assert dict(counts["es"]) == {"lookalike": 3, "calm": 2}
    assert dict(counts["all"]) == {"urgent": 3, "caught": 2, "lookalike": 3, "calm": 2}


@pytest.mark.model
def test_danger_now_gets_the_emergency_reply_and_look_alikes_do_not(agent):
    from devtools.nlu_bench import danger_intents

    counts = emergency_figures(*danger_intents(agent))["all"]
    REPORT.append(
        f"danger_dev.yml: urgent given the emergency reply {counts['caught']}/{counts['urgent']}, "
        f"look-alikes not given it {counts['calm']}/{counts['lookalike']}"
    )
    assert counts["caught"] / counts["urgent"] >= URGENT_CAUGHT, counts
    assert counts["calm"] / counts["lookalike"] >= LOOKALIKES_CALM, counts
