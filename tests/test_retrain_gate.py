"""The retraining gate (devtools/nlu_gate.py) and the retraining's file
steps (devtools/retrain.py), without a model: what falls beyond the noise is
named, what stays within it is not; one retraining at a time; the serving
model is kept beside the new one."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from devtools import nlu_gate, retrain


def rows(*figures: tuple[str, str, int, int]) -> list[dict]:
    return [
        {"lang": lang, "category": category, "right": right, "asked": asked} for lang, category, right, asked in figures
    ]


SERVING = {
    "bench": rows(("en", "situation", 90, 100), ("es", "situation", 80, 100), ("es", "other_place", 20, 20)),
    "bench2": rows(("en", "situation", 45, 50)),
    "dev": rows(("en", "situation", 40, 50), ("fr", "direct", 9, 10)),
}


def test_the_same_figures_pass_and_every_figure_is_listed():
    lines, fallen = nlu_gate.compare(SERVING, SERVING)
    assert fallen == []
    assert "held-out benchmarks, language en: 90.0 -> 90.0 points" in lines  # 135 of 150, pooled over two sets
    assert "development set, direct: 9 -> 9 of 10 right" in lines


def test_a_language_more_than_one_point_lower_fails_and_one_point_does_not():
    # en pooled: 135/150 = 90.0; 134/150 = 89.3 (0.7 lower) passes; 133/150 = 88.7 (1.3 lower) fails
    within = {**SERVING, "bench": rows(("en", "situation", 89, 100)) + SERVING["bench"][1:]}
    assert nlu_gate.compare(SERVING, within)[1] == []
    beyond = {**SERVING, "bench": rows(("en", "situation", 88, 100)) + SERVING["bench"][1:]}
    assert nlu_gate.compare(SERVING, beyond)[1] == ["held-out benchmarks, language en: 90.0 -> 88.7 points"]


def test_a_category_more_than_two_questions_lower_fails_even_when_no_language_does():
    # es: 97/120 right before; other_place loses 3 of 20 while situation gains 3: es stays at 80.8 points
    moved = {
        **SERVING,
        "bench": rows(("en", "situation", 90, 100), ("es", "situation", 83, 100), ("es", "other_place", 17, 20)),
    }
    assert nlu_gate.compare(SERVING, moved)[1] == ["held-out benchmarks, other_place: 20 -> 17 of 20 right"]
    two = {
        **SERVING,
        "bench": rows(("en", "situation", 90, 100), ("es", "situation", 82, 100), ("es", "other_place", 18, 20)),
    }
    assert nlu_gate.compare(SERVING, two)[1] == []


def test_the_development_set_is_gated_on_its_own_and_a_lost_language_counts_as_zero():
    candidate = {**SERVING, "dev": rows(("en", "situation", 40, 50))}  # French no longer measured
    assert nlu_gate.compare(SERVING, candidate)[1] == [
        "development set, language fr: 90.0 -> 0.0 points",
        "development set, direct: 9 -> 0 of 10 right",
    ]


def test_one_retraining_at_a_time(tmp_path: Path):
    assert not retrain.running(tmp_path)
    with retrain.only_one(tmp_path):
        assert retrain.running(tmp_path)
        with pytest.raises(retrain.RetrainError, match="already running"), retrain.only_one(tmp_path):
            pass
    assert not retrain.running(tmp_path)
    with open(tmp_path / retrain.LOCK_FILE) as lock:  # released: anyone can take it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_install_keeps_the_serving_model_beside_the_new_one(tmp_path: Path):
    model, candidate = tmp_path / "policy-assistant.tar.gz", tmp_path / "candidates" / "candidate-1.tar.gz"
    candidate.parent.mkdir()
    model.write_bytes(b"serving")
    candidate.write_bytes(b"new")
    previous = retrain.install(candidate, model)
    assert previous.name == "policy-assistant.previous.tar.gz"
    assert (model.read_bytes(), previous.read_bytes(), candidate.exists()) == (b"new", b"serving", False)


def test_the_serving_models_figures_are_measured_once_per_model_and_questions(tmp_path: Path, monkeypatch):
    model = tmp_path / "policy-assistant.tar.gz"
    measured: list[str] = []
    ids = {"id": "model-1"}
    monkeypatch.setattr(retrain, "model_id", lambda path: ids["id"])
    monkeypatch.setattr(retrain, "figures", lambda path: measured.append(ids["id"]) or {"dev": [ids["id"]]})
    assert retrain.serving_figures(model) == {"dev": ["model-1"]}
    assert retrain.serving_figures(model) == {"dev": ["model-1"]} and measured == ["model-1"]  # kept
    ids["id"] = "model-2"  # another model in the file: measured again
    assert retrain.serving_figures(model) == {"dev": ["model-2"]} and measured == ["model-1", "model-2"]
    monkeypatch.setattr(retrain, "_questions_key", lambda: "other questions")  # the benchmarks changed
    retrain.serving_figures(model)
    assert measured == ["model-1", "model-2", "model-2"]
