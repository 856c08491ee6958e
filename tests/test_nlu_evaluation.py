"""The developer tools' model loading (devtools/nlu_evaluation.py)."""

from pathlib import Path

import pytest

from devtools.nlu_evaluation import load_agent


def test_a_model_path_with_no_file_is_refused_not_replaced_by_the_newest_model(tmp_path: Path, monkeypatch) -> None:
    # Rasa, given a path with no file, loads the newest model in its folder:
    # `nlu_bench --model` with a typing slip would report another model's figures
    from rasa.core.agent import Agent

    loaded = []
    monkeypatch.setattr(Agent, "load", lambda path, **_: loaded.append(path))
    (tmp_path / "other.tar.gz").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="no model file at .*typo.tar.gz"):
        load_agent(tmp_path / "typo.tar.gz")
    assert loaded == []
