"""scripts/kept.sh, which keeps the spaCy pipeline's build and the trained
model outside the clone (the Makefile): the same inputs copy the kept build
instead of building again, a changed input builds again, and only the newest
builds are kept."""

import os
import subprocess
from pathlib import Path

from devtools.paths import PROJECT

SCRIPT = PROJECT / "scripts" / "kept.sh"
# the "build": a folder with the inputs' contents, and a line in a log per run
BUILD = "mkdir -p out && cat a.txt b.txt > out/built.txt && echo ran >> runs.log"


def kept(work: Path, inputs: str = "a.txt b.txt", keep: int = 2) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPT), "thing", "out", str(keep), "bash", "-c", BUILD],
        cwd=work,
        env={**os.environ, "KEPT_DIR": str(work / "kept"), "KEPT_INPUTS": inputs},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def runs(work: Path) -> int:
    return len((work / "runs.log").read_text().splitlines())


def test_the_same_inputs_copy_the_kept_build_and_a_change_builds_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / "b.txt").write_text("two\n")
    kept(tmp_path)
    assert runs(tmp_path) == 1
    (tmp_path / "out" / "built.txt").write_text("spoiled\n")  # a later build step, or a fresh clone
    assert "copying the build of these sources kept in" in kept(tmp_path, inputs="b.txt a.txt")  # any order
    assert runs(tmp_path) == 1 and (tmp_path / "out" / "built.txt").read_text() == "one\ntwo\n"
    (tmp_path / "b.txt").write_text("three\n")
    kept(tmp_path)
    assert runs(tmp_path) == 2 and (tmp_path / "out" / "built.txt").read_text() == "one\nthree\n"


def test_a_renamed_input_is_another_build_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("same\n")
    kept(tmp_path, inputs="a.txt b.txt")
    kept(tmp_path, inputs="a.txt c.txt")  # same contents, another file
    assert runs(tmp_path) == 2
    (tmp_path / "a.txt").write_text("changed\n")
    kept(tmp_path, inputs="a.txt b.txt")
    assert runs(tmp_path) == 3
    assert len(list((tmp_path / "kept" / "thing").iterdir())) == 2
