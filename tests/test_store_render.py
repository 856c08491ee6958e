"""Issue 10, item 10: the store validator refuses edits that would break
answers. Three edits that used to reach people (a missing `labels.since_then`,
a `date_format` with an unknown placeholder, an empty `resources.yml`) are
refused by the store's rules with the file and line, by the render check
(policy_assistant.render_check) and by LiveStore, which keeps serving the last
good store. The render check is the catch-all: what the rules let through and
still breaks an answer is refused too. The real store loads and renders."""

import contextlib
import datetime as dt
import inspect
import logging
import os
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from cachetools import LRUCache

import policy_assistant.store as store_rules
from policy_assistant import answers, render_check, schema
from policy_assistant.live_store import LiveStore
from policy_assistant.render_check import load_rendered_store, main, render_problems
from policy_assistant.store import PLACEHOLDERS, REQUIRED_LABELS, StoreError, load_store
from tests.conftest import STORE


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def drop_since_then(root: Path) -> None:
    for code in ("es", "en"):
        path = root / "languages" / f"{code}.yml"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.startswith("  since_then:")]
        assert len(kept) == len(lines) - 1, path
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def unknown_date_placeholder(root: Path) -> None:
    edit(root / "languages" / "es.yml", 'date_format: "{day} de', 'date_format: "{weekday} {day} de')


def empty_resources(root: Path) -> None:
    (root / "resources.yml").write_text("", encoding="utf-8")


# each broken edit, and the words (with file:line) it is refused with
BROKEN_EDITS = {
    "missing_since_then": (drop_since_then, r"languages/en\.yml:\d+: no 'labels\.since_then' text"),
    "unknown_date_placeholder": (
        unknown_date_placeholder,
        r"languages/es\.yml:\d+: 'date_format' has an unknown placeholder \{weekday\}: "
        r"use only \{day\}, \{month\}, \{year\}",
    ),
    "empty_resources": (empty_resources, r"resources\.yml:1: the file is empty: .*'resources: \[\]'"),
}


def named(problems: list[str], pattern: str) -> bool:
    return any(re.match(pattern, p) for p in problems)


def bump(root: Path) -> None:
    """Make sure the edit is seen even on file systems with coarse timestamps."""
    later = time.time() + 2
    for path in root.rglob("*.yml"):
        os.utime(path, (later, later))


# ---------------------------------------------------------------- the real store


def test_the_real_store_loads_and_renders(capsys):
    problems, count = render_problems(load_store(STORE))
    assert problems == [] and count > 0
    assert main([str(STORE)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "loads and renders" in out, out


# ---------------------------------------------------------------- the three broken edits


@pytest.mark.parametrize("name", BROKEN_EDITS)
def test_a_broken_edit_is_refused_by_the_render_check(store_copy, capsys, name):
    break_it, words = BROKEN_EDITS[name]
    assert main([str(store_copy)]) == 0
    capsys.readouterr()
    break_it(store_copy)
    with pytest.raises(StoreError) as error:
        load_rendered_store(store_copy)
    assert named(error.value.problems, words), error.value.problems
    assert main([str(store_copy)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and re.search(words, captured.err), captured.err


@pytest.mark.parametrize("name", BROKEN_EDITS)
def test_a_broken_edit_is_refused_by_the_live_store_which_keeps_the_last_good_one(store_copy, caplog, name):
    break_it, words = BROKEN_EDITS[name]
    live = LiveStore(store_copy)
    good = live.get()
    break_it(store_copy)
    bump(store_copy)
    with caplog.at_level(logging.ERROR, logger="policy_assistant.live_store"):
        assert live.get() is good
    assert live.last_error is not None and named(live.last_error.problems, words), live.last_error
    assert "Refused an edit" in caplog.text and re.search(words, caplog.text), caplog.text


# ---------------------------------------------------------------- the catch-all


def test_what_the_rules_let_through_is_refused_by_rendering(store_copy, monkeypatch, caplog):
    """With the rule on required labels switched off, the store loads without
    `since_then`; the render check still refuses it, and so does LiveStore."""
    live = LiveStore(store_copy)
    good = live.get()
    monkeypatch.setattr(store_rules, "REQUIRED_LABELS", ())
    drop_since_then(store_copy)
    bump(store_copy)
    load_store(store_copy)  # the rules alone would let it through
    problems, _ = render_problems(load_store(store_copy))
    assert len(problems) == 1, problems
    assert re.fullmatch(
        r"rendering the messages in '(en|es)' failed: the label 'since_then' is missing \(and \d+ more .*\)",
        problems[0],
    ), problems
    with caplog.at_level(logging.ERROR, logger="policy_assistant.live_store"):
        assert live.get() is good
    assert live.last_error is not None and live.last_error.problems == problems
    assert "the label 'since_then' is missing" in caplog.text


def test_an_unfilled_date_placeholder_the_rules_let_through_is_refused_by_rendering(store_copy, monkeypatch):
    monkeypatch.setattr(schema, "DATE_PLACEHOLDERS", {**schema.DATE_PLACEHOLDERS, "weekday": "lunes"})
    unknown_date_placeholder(store_copy)
    problems, _ = render_problems(load_store(store_copy))
    assert len(problems) == 1, problems
    assert re.fullmatch(
        r"rendering topic '\w+' in 'es' failed: KeyError: 'weekday' \(and \d+ more .*\)", problems[0]
    ), problems


def test_any_error_while_rendering_names_what_the_language_and_the_cause(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no line for this source")

    monkeypatch.setattr(answers, "source_line", broken)
    problems, _ = render_problems(load_store(STORE))
    assert problems and all("failed: RuntimeError: no line for this source" in p for p in problems), problems
    assert problems[0].startswith("rendering topic '") and " in 'en' failed" in problems[0]


def test_every_public_way_of_rendering_is_used_in_every_language(monkeypatch):
    store = load_store(STORE)
    called: dict[str, set] = {}
    ways = ["answer_topic", "details_text", "topic_payload", "follow_up", "fixed_reply", "message"]
    for name in [*ways, "not_spoken_text"]:
        real = getattr(answers, name)

        def spy(*args, _name=name, _real=real, **kwargs):
            arguments = inspect.signature(_real).bind(*args, **kwargs).arguments
            called.setdefault(_name, set()).add(arguments.get("lang", arguments.get("foreign")))
            return _real(*args, **kwargs)

        monkeypatch.setattr(answers, name, spy)
    assert render_problems(store)[0] == []
    for name in ways:
        assert set(store.languages) <= called.get(name, set()), name
    assert {None, *store.not_spoken} <= called["not_spoken_text"]


def test_the_rules_and_the_answers_agree_on_labels_and_placeholders(monkeypatch):
    """Every label the rules require is used, and every placeholder the rules
    allow in a label is filled in by the answers."""
    used: dict[str, set] = {}
    real = answers.label

    def spy(language, key, **values):
        used.setdefault(key, set()).update(values)
        return real(language, key, **values)

    monkeypatch.setattr(answers, "label", spy)
    assert render_problems(load_store(STORE))[0] == []
    assert set(REQUIRED_LABELS) <= set(used)
    for where, values in PLACEHOLDERS.items():
        section, key = where.split(".")
        if section == "labels":
            assert set(values) <= used.get(key, set()), (key, used.get(key))


# ---------------------------------------------------------------- the rules, with file and line


@pytest.mark.parametrize(
    "file,old,new,problem",
    [
        # {latest} is filled in for another label; in old_warning it would break every old answer
        (
            "es.yml",
            "son del {date}",
            "son del {latest}",
            r"languages/es\.yml:\d+: 'labels\.old_warning' has an unknown placeholder \{latest\}: "
            r"use only \{date\}, \{years\}",
        ),
        (
            "en.yml",
            "since_then: What changed",
            "since_then: What changed since {date}",
            r"languages/en\.yml:\d+: 'labels\.since_then' has an unknown placeholder \{date\}: ",
        ),
        (
            "en.yml",
            'date_format: "{day} {month}',
            'date_format: "{day} {month:d}',
            r"languages/en\.yml:\d+: 'date_format' cannot be filled in: ",
        ),
    ],
)
def test_a_placeholder_the_assistant_cannot_fill_in_is_refused_at_load(store_copy, file, old, new, problem):
    edit(store_copy / "languages" / file, old, new)
    with pytest.raises(StoreError) as error:
        load_store(store_copy)
    assert named(error.value.problems, problem), error.value.problems


def test_the_fallback_reply_is_required(store_copy):
    path = store_copy / "replies.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("  - intent: nlu_fallback")
    end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("  - intent:"))
    path.write_text("\n".join(lines[:at] + lines[end:]) + "\n", encoding="utf-8")
    with pytest.raises(StoreError) as error:
        load_store(store_copy)
    assert "replies.yml: no 'nlu_fallback' reply: it answers every message not understood" in error.value.problems


def test_a_label_missing_only_in_spanish_still_falls_back_to_english(store_copy):
    path = store_copy / "languages" / "es.yml"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if not line.startswith("  since_then:")) + "\n"
    )
    store = load_rendered_store(store_copy)
    assert store.language("es").label("since_then") == store.language("en").labels["since_then"]


# ---------------------------------------------------------------- a store that passed is remembered


@pytest.fixture
def loads(monkeypatch) -> list[Path]:
    """Each folder render_check loads a store from, in order; nothing remembered before."""
    monkeypatch.setattr(render_check, "_passed", LRUCache(maxsize=render_check.REMEMBERED))
    seen: list[Path] = []
    real = render_check.load_store

    def spy(root):
        seen.append(Path(root))
        return real(root)

    monkeypatch.setattr(render_check, "load_store", spy)
    return seen


def test_a_store_that_passed_is_checked_again_only_when_its_files_or_the_day_change(
    store_copy, tmp_path, loads, monkeypatch
):
    first = load_rendered_store(store_copy)
    assert load_rendered_store(store_copy) is first and loads == [store_copy]
    # the same files in another folder (a console's checkout of a draft): not checked again
    elsewhere = tmp_path / "checkout"
    shutil.copytree(store_copy, elsewhere)
    assert load_rendered_store(elsewhere) is first and len(loads) == 1
    # a file changed, or a file moved: checked again
    edit(store_copy / "languages" / "en.yml", "since_then: What changed", "since_then: What has changed")
    changed = load_rendered_store(store_copy)
    assert changed is not first and changed.language("en").labels["since_then"].startswith("What has changed")
    assert len(loads) == 2
    (elsewhere / "resources.yml").rename(elsewhere / "resources-moved.yml")
    with contextlib.suppress(StoreError):  # whether it still loads is the loader's business
        load_rendered_store(elsewhere)
    assert len(loads) == 3

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date.today() + dt.timedelta(days=1)

    monkeypatch.setattr(render_check, "dt", SimpleNamespace(date=Tomorrow))
    assert load_rendered_store(store_copy) is not changed and len(loads) == 4


def test_a_store_that_fails_is_checked_every_time(store_copy, loads, monkeypatch):
    monkeypatch.setattr(store_rules, "REQUIRED_LABELS", ())  # so that rendering is what refuses it
    drop_since_then(store_copy)
    for _ in range(2):
        with pytest.raises(StoreError, match="since_then"):
            load_rendered_store(store_copy)
    assert len(loads) == 2


def test_a_store_whose_files_changed_while_it_was_read_is_not_remembered(store_copy, loads, monkeypatch):
    english = store_copy / "languages" / "en.yml"
    before = english.read_text(encoding="utf-8")
    real = render_check.load_store

    def edited_meanwhile(root):
        edit(english, "since_then: What changed", "since_then: What has changed")  # a publish lands
        return real(root)

    monkeypatch.setattr(render_check, "load_store", edited_meanwhile)
    read = load_rendered_store(store_copy)
    assert read.language("en").labels["since_then"].startswith("What has changed")
    # the publish undone: these files were never the ones read, and are read now
    english.write_text(before, encoding="utf-8")
    monkeypatch.setattr(render_check, "load_store", real)
    again = load_rendered_store(store_copy)
    assert again.language("en").labels["since_then"] == "What changed since then"
