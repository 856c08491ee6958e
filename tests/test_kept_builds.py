"""scripts/kept.sh, which keeps the spaCy pipeline's build and the trained
model outside the clone (the Makefile): the same inputs copy the kept build
instead of building again, a changed input builds again, and only the newest
builds are kept."""

import os
import re
import subprocess
from pathlib import Path

from devtools.paths import PROJECT

SCRIPT = PROJECT / "scripts" / "kept.sh"
# the "build": a folder with the inputs' contents, and a line in a log per run
BUILD = "mkdir -p out && cat a.txt b.txt > out/built.txt && echo ran >> runs.log"


def kept(work: Path, inputs: str = "a.txt b.txt", keep: int = 2, build: str = BUILD, check: bool = True) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPT), "thing", "out", str(keep), "bash", "-c", build],
        cwd=work,
        env={**os.environ, "KEPT_DIR": str(work / "kept"), "KEPT_INPUTS": inputs},
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )
    return done.stdout + done.stderr


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


def key_of(said: str) -> str:
    """The key of the build kept.sh just made or copied, from what it said."""
    return re.search(r"kept\S*/thing/([0-9a-f]{16})", said).group(1)  # type: ignore[union-attr]


def test_a_renamed_input_is_another_build_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("same\n")
    first = key_of(kept(tmp_path, inputs="a.txt b.txt"))
    second = key_of(kept(tmp_path, inputs="a.txt c.txt"))  # same contents, another file
    assert runs(tmp_path) == 2 and first != second
    assert key_of(kept(tmp_path, inputs="a.txt b.txt")) == first  # used again: now the newest
    (tmp_path / "a.txt").write_text("changed\n")
    third = key_of(kept(tmp_path, inputs="a.txt b.txt"))
    assert runs(tmp_path) == 3
    kept_now = sorted(p.name for p in (tmp_path / "kept" / "thing").iterdir() if not p.name.startswith("."))
    assert kept_now == sorted([first, third])  # the two most recently built or used


def test_a_missing_input_or_a_failed_build_keeps_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n")
    assert "no input b.txt" in kept(tmp_path, check=False)
    (tmp_path / "b.txt").write_text("two\n")
    assert "none kept" in kept(tmp_path, build="exit 3", check=False)
    assert [p.name for p in (tmp_path / "kept" / "thing").iterdir() if not p.name.startswith(".")] == []
    kept(tmp_path)
    assert runs(tmp_path) == 1
