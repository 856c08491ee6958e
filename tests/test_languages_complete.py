"""Adding a language is data only (see answer_store/README.md). This test lists
every piece a declared language still lacks, so a half-added language fails
here rather than in front of the people using it."""

import re
import shutil
from pathlib import Path

import yaml

from devtools.detection_words import examples
from devtools.paths import PROJECT, STORE
from policy_assistant.names import ANSWER_HELPED, ANSWER_NOT_HELPED, CHOOSE_OPTION, SHARE_QUESTION
from policy_assistant.store import DEFAULT_LANGUAGE, load_store

MIN_EXAMPLES = 25
# Intents without examples in a spoken language: unsupported_language, set by
# the NLU's language gate for messages in the languages it does not speak (its
# examples are in data/nlu/other/), choose_option, set for a bare number by
# nlu_pipeline/reply_words.py, never by a classifier, and share_question, which
# the offer's button says (its typed words, a dozen or more per language, are
# in data/nlu/other/share_question.yml).
# set by buttons (their payloads, their numbers on a phone, their words typed), not by the classifiers
NOT_A_SPOKEN_INTENT = {"unsupported_language", CHOOSE_OPTION, SHARE_QUESTION, ANSWER_HELPED, ANSWER_NOT_HELPED}


def domain_intents(root: Path):
    intents = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))["intents"]
    return [intent for intent in intents if intent not in NOT_A_SPOKEN_INTENT]


def nlu_counts(folder: Path):
    counts = {}
    for intent, _ in examples(folder):
        counts[intent] = counts.get(intent, 0) + 1
    return counts


def language_gaps(project: Path, store_root: Path):
    """Every missing piece of every declared language, as readable lines."""
    store = load_store(store_root)
    gaps = list(store.missing_translations)
    intents = domain_intents(project)
    reference = store.language(DEFAULT_LANGUAGE)
    for code, language in store.languages.items():
        counts = nlu_counts(project / "data" / "nlu" / code)
        for intent in intents:
            if counts.get(intent, 0) < MIN_EXAMPLES:
                gaps.append(
                    f"data/nlu/{code}/: intent '{intent}' has {counts.get(intent, 0)} examples "
                    f"(needs {MIN_EXAMPLES})"
                )
        if not any((project / "tests" / "nlu").glob(f"*_{code}.yml")):
            gaps.append(f"tests/nlu/bench_{code}.yml: missing held-out questions")
        for section in ("messages", "labels", "ui"):
            for key, text in dict(getattr(reference, section)).items():
                if text and not dict(getattr(language, section)).get(key):
                    gaps.append(f"languages/{code}.yml: empty or missing '{section}.{key}'")
        if not language.detection_words or not language.switch_words:
            gaps.append(f"languages/{code}.yml: needs detection words and switch words")
        unnamed = sorted(set(store.languages) - {code} - set(language.language_names))
        if unnamed:
            # so that "answer in English" works in this language, and "in <this language>" in the others
            gaps.append(f"languages/{code}.yml: 'detection.names' lacks the words for {', '.join(unnamed)}")
        if code != DEFAULT_LANGUAGE and not language.messages.get("summary_missing"):
            gaps.append(f"languages/{code}.yml: needs 'messages.summary_missing'")
    return gaps


def test_every_declared_language_is_complete():
    assert set(load_store(STORE).languages) >= {"en", "es", "fr"}
    assert language_gaps(PROJECT, STORE) == []


def test_the_nlu_speaks_the_stores_languages():
    """The language gate lets through, and the lemmatizer reads, exactly the
    languages of the answer store: a language added to the store and not to
    config.yml would be refused as not spoken."""
    store = load_store(STORE)
    config = yaml.safe_load((PROJECT / "config.yml").read_text(encoding="utf-8"))
    [gate] = [c for c in config["pipeline"] if c["name"].endswith("LanguageGate")]
    assert sorted(gate["spoken"]) == sorted(store.languages)
    identified_as = {code: lang for lang, spoken in store.languages.items() for code in spoken.detection.identified_as}
    assert gate.get("identified_as", {}) == identified_as
    spacy_config = (PROJECT / "nlu_pipeline" / "config.cfg").read_text(encoding="utf-8")
    [listed] = re.findall(r"^languages = (\[.*\])$", spacy_config, flags=re.M)
    assert sorted(yaml.safe_load(listed)) == sorted(store.languages)


def test_a_half_added_language_is_caught(tmp_path):
    project = tmp_path / "project"
    (project / "data" / "nlu").mkdir(parents=True)
    shutil.copy(PROJECT / "domain.yml", project / "domain.yml")
    for code in load_store(STORE).languages:
        shutil.copytree(PROJECT / "data" / "nlu" / code, project / "data" / "nlu" / code)
    shutil.copytree(PROJECT / "tests" / "nlu", project / "tests" / "nlu")
    store_root = project / "answer_store"
    shutil.copytree(STORE, store_root)
    # declare Tagalog with only a few of its pieces
    half = (store_root / "languages" / "es.yml").read_text(encoding="utf-8")
    half = half.replace("code: es", "code: tl").replace("name: Español", "name: Tagalog")
    half = re.sub(r"\n  greet: >-\n(    .*\n)+", "\n", half)
    (store_root / "languages" / "tl.yml").write_text(half, encoding="utf-8")
    gaps = language_gaps(project, store_root)
    assert any("no 'tl' translation of topic 'home_visits' summary" in g for g in gaps)
    assert any("no 'tl' translation of quote 'conrad_rotary_limits'" in g for g in gaps)
    assert any(g.startswith("data/nlu/tl/: intent 'home_visits' has 0 examples") for g in gaps)
    assert any(g == "tests/nlu/bench_tl.yml: missing held-out questions" for g in gaps)
    assert any(g.startswith("languages/en.yml: 'detection.names' lacks the words for") and "tl" in g for g in gaps)
    assert any("no 'messages.greet' text" in g for g in gaps)
