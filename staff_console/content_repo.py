"""The content repository: a git repository whose work tree is the live answer
store. The action servers read that work tree ($ANSWER_STORE), and re-read it
when its files change (policy_assistant.live_store). Every publish is a commit
with the staff member who wrote the change as author and the publisher as
committer; an undo is a change like any other (undo() makes it, a draft
carries it through review) and its publish is a commit too.

A change is never written into the live work tree until it is whole and good:
it is committed in a temporary worktree, loaded and rendered there by the
store's own validator (policy_assistant.render_check), and only then does the
live branch move forward to it (`git merge --ff-only`). If anything fails, the
live files are untouched and the last good version keeps serving.

Whenever the live answers are prepared or published, the Rasa server's own
texts are written from them (policy_assistant.write_server_texts), when the
repository is given a file for them: the Rasa server reads that file, never
the answer store.

The project's own answer_store/ reaches the content repository through the
branch `project`: each time the console starts, a changed answer_store/ is
committed there and merged into `main`, so a developer's change and a staff
member's publish meet in a normal git merge."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping

from policy_assistant import write_server_texts
from policy_assistant.render_check import load_rendered_store
from policy_assistant.store import Store, StoreError, load_store, store_files

logger = logging.getLogger(__name__)

MAIN, PROJECT_BRANCH = "main", "project"
PROJECT_AUTHOR = ("answer_store of the project", "project@staff-console.invalid")
PUBLISHED_BY = "Published-by: "  # trailer of every publish commit
# each retraining's outcome (devtools/retrain.py), committed like a publish so
# that it is in the history; read by neither the store nor Rasa
RETRAINING_HISTORY = "retraining/history.yml"
Changes = Mapping[str, "str | None"]  # path in the store -> new text, or None to delete


class PublishError(Exception):
    """A publish that was refused; the message is in plain words for staff."""


class InvalidContent(PublishError):
    """The change would make the store invalid; `problems` are the validator's."""

    def __init__(self, error: StoreError):
        self.problems = error.problems
        super().__init__("The change was not published: the answers would be broken.")


@dataclass(frozen=True)
class Person:
    name: str

    @property
    def email(self) -> str:
        return f"{self.name}@staff-console.invalid"


@dataclass(frozen=True)
class Publish:
    sha: str
    author: str
    publisher: str
    time: str  # ISO 8601
    subject: str
    note: str
    diff: str

    @property
    def retraining(self) -> bool:
        """A retraining's record, not a change of the answers: nothing to undo."""
        changed = re.findall(r"^diff --git a/(\S+) ", self.diff, flags=re.MULTILINE)
        return changed == [RETRAINING_HISTORY]


@dataclass(frozen=True)
class Undo:
    subject: str
    base: str  # the commit the changes were made on
    changes: Dict[str, str | None]


def _identity(author: Person, committer: Person) -> Dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": committer.name,
        "GIT_COMMITTER_EMAIL": committer.email,
    }


class ContentRepo:
    def __init__(self, path: Path, server_texts: Path | None = None):
        self.path = Path(path).resolve()
        self.server_texts = server_texts  # the Rasa server's texts, written from the live answers (None: nowhere)

    # ------------------------------------------------------------ git
    def git(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", "-c", "commit.gpgsign=false", *args],
            cwd=cwd or self.path,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
            capture_output=True,
            text=True,
        )
        if check and result.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout

    def head(self) -> str:
        return self.git("rev-parse", MAIN).strip()

    def read(self, path: str, commit: str = MAIN) -> str | None:
        result = subprocess.run(
            ["git", "show", f"{commit}:{path}"], cwd=self.path, capture_output=True, text=True, check=False
        )
        return result.stdout if result.returncode == 0 else None

    def files(self, commit: str = MAIN) -> List[str]:
        return sorted(self.git("ls-tree", "-r", "--name-only", commit).split("\n")[:-1])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.path / ".git" / "staff-console.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _worktree(self, commit: str) -> Iterator[Path]:
        """A temporary checkout of `commit`, removed afterwards."""
        folder = Path(tempfile.mkdtemp(prefix="content-"))
        tree = folder / "tree"
        self.git("worktree", "add", "--quiet", "--detach", str(tree), commit)
        try:
            yield tree
        finally:
            self.git("worktree", "remove", "--force", str(tree), check=False)
            shutil.rmtree(folder, ignore_errors=True)
            self.git("worktree", "prune", check=False)

    # ------------------------------------------------------------ set-up
    def ensure(self, project_store: Path) -> List[str]:
        """Create the repository from the project's answer store if there is
        none, else bring in what changed in the project's answer store; then
        write the Rasa server's texts from the live answers. Returns what it
        did, in plain words."""
        return self._set_up(project_store) + self.write_server_texts()

    def _set_up(self, project_store: Path) -> List[str]:
        if not (self.path / ".git").exists():
            if self.path.exists() and any(self.path.iterdir()):
                raise PublishError(f"{self.path} exists and is not a content repository")
            self.path.mkdir(parents=True, exist_ok=True)
            self.git("init", "--quiet", "--initial-branch", MAIN)
            _copy_store(project_store, self.path)
            self.git("add", "--all")
            self.git(
                "commit",
                "--quiet",
                "--message",
                "Start from the project's answer_store/",
                env=_identity(Person(PROJECT_AUTHOR[0]), Person(PROJECT_AUTHOR[0])),
            )
            self.git("branch", PROJECT_BRANCH)
            return [f"Created the content repository {self.path} from {project_store}"]
        return self._import_project(project_store)

    def _import_project(self, project_store: Path) -> List[str]:
        with self._locked():
            with self._worktree(PROJECT_BRANCH) as tree:
                for old in store_files(tree):
                    old.unlink()
                _copy_store(project_store, tree)
                self.git("add", "--all", cwd=tree)
                if not self.git("status", "--porcelain", cwd=tree).strip():
                    return []
                self.git(
                    "commit",
                    "--quiet",
                    "--message",
                    "The project's answer_store/ changed",
                    cwd=tree,
                    env=_identity(Person(PROJECT_AUTHOR[0]), Person(PROJECT_AUTHOR[0])),
                )
                self.git("branch", "--force", PROJECT_BRANCH, "HEAD", cwd=tree)
            with self._worktree(MAIN) as tree:
                self.git(
                    "merge",
                    "--no-edit",
                    "--quiet",
                    PROJECT_BRANCH,
                    cwd=tree,
                    env=_identity(Person(PROJECT_AUTHOR[0]), Person(PROJECT_AUTHOR[0])),
                    check=False,
                )
                if self.git("ls-files", "--unmerged", cwd=tree).strip():
                    self.git("merge", "--abort", cwd=tree, check=False)
                    return [
                        "The project's answer_store/ changed the same lines as a staff publish: "
                        f"not merged; merge branch '{PROJECT_BRANCH}' into '{MAIN}' by hand in {self.path}"
                    ]
                try:
                    load_rendered_store(tree)
                except StoreError as error:
                    return [f"The project's answer_store/ was not merged: the result is invalid: {error}"]
                self._advance(self.git("rev-parse", "HEAD", cwd=tree).strip())
        return ["Merged the changes of the project's answer_store/ into the live content"]

    # ------------------------------------------------------------ publishing
    def publish(
        self, changes: Changes, author: Person, publisher: Person, note: str, subject: str, base: str | None = None
    ) -> str:
        """Commit `changes` (made on `base`) as `author`, published by
        `publisher`, after the store's validator accepts the result; then move
        the live work tree to it. Returns the new commit."""
        with self._locked():
            head = self.head()
            if base is not None and base != head:
                moved = [path for path in changes if self.read(path, base) != self.read(path, head)]
                if moved:
                    raise PublishError(
                        "Someone published a change to "
                        + ", ".join(moved)
                        + " after this draft began. Discard this draft and make the change again."
                    )
            with self._worktree(head) as tree:
                _write(tree, changes)
                self.git("add", "--all", cwd=tree)
                if not self.git("status", "--porcelain", cwd=tree).strip():
                    raise PublishError("There is nothing to publish: the draft is the same as the live answers.")
                try:
                    store = load_rendered_store(tree)
                except StoreError as error:
                    raise InvalidContent(error) from error
                message = f"{subject}\n\n{note.strip()}\n\n{PUBLISHED_BY}{publisher.name}\n"
                self.git("commit", "--quiet", "--message", message, cwd=tree, env=_identity(author, publisher))
                sha = self.git("rev-parse", "HEAD", cwd=tree).strip()
            self._advance(sha)
            for problem in self.write_server_texts(store, quiet=True):
                logger.error("Published %s. %s", sha[:10], problem)
            return sha

    def write_server_texts(self, store: Store | None = None, quiet: bool = False) -> List[str]:
        """The Rasa server's own texts from the live answers (`store` when it
        is loaded already) into self.server_texts. Returns what it did, in
        plain words; with `quiet`, only what failed. A failure keeps the last
        texts written: the Rasa server goes on saying them."""
        if self.server_texts is None:
            return []
        try:
            write_server_texts.write(store or load_store(self.path), self.server_texts)
        except StoreError:
            return ["The Rasa server's texts were not written: the live answers do not load."]
        except OSError as error:
            return [f"The Rasa server's texts could not be written to {self.server_texts} ({error.strerror})."]
        return [] if quiet else [f"Wrote the Rasa server's texts to {self.server_texts}"]

    def _advance(self, sha: str) -> None:
        """Move the live branch and work tree to `sha` (a descendant of it)."""
        result = self.git("merge", "--ff-only", "--quiet", sha, check=False)
        if self.head() != sha:
            raise PublishError(
                "The live files could not be updated (were they edited by hand on the server?): "
                + result.strip()
                + " Nothing was published; the last good version keeps serving."
            )

    def undo(self, sha: str) -> Undo:
        """The changes that undo an earlier publish, made on the live head;
        nothing is published."""
        if not re.fullmatch(r"[0-9a-f]{40}", sha) or sha not in self.git("rev-list", MAIN).split():
            raise PublishError("No such publish.")
        subject = self.git("log", "-1", "--format=%s", sha).strip()
        head = self.head()
        with self._worktree(head) as tree:
            self.git("revert", "--no-commit", sha, cwd=tree, check=False)
            if self.git("ls-files", "--unmerged", cwd=tree).strip():
                raise PublishError("Later publishes changed the same lines, so this one cannot be undone by itself.")
            changed = self.git("diff", "--name-only", "HEAD", cwd=tree).split("\n")[:-1]
            changes = {path: _text_or_none(tree / path) for path in changed}
        if not changes:
            raise PublishError("There is nothing to undo: the live answers are already as before that publish.")
        return Undo(f'Undo "{subject}"', head, changes)

    def history(self, limit: int = 50) -> List[Publish]:
        """The publishes on the live branch, newest first, with their diffs."""
        out = self.git("log", f"-{limit}", "--format=%H%x1f%an%x1f%cn%x1f%cI%x1f%s%x1f%b%x1e", MAIN)
        result = []
        for entry in out.split("\x1e"):
            if not entry.strip():
                continue
            sha, author, committer, time, subject, body = (entry.strip("\n").split("\x1f", 5) + [""] * 6)[:6]
            note = "\n".join(line for line in body.strip().splitlines() if not line.startswith(PUBLISHED_BY)).strip()
            diff = self.git("show", "--format=", "--no-color", "--patch", sha)
            result.append(Publish(sha, author, committer, time, subject, note, diff))
        return result

    def checkout(self, changes: Changes, into: Path) -> Path:
        """A plain copy of the live store with `changes` applied, at `into`
        (for previews and field checks)."""
        _copy_store(self.path, into)
        _write(into, changes)
        return into

    def load(self, changes: Changes) -> Store:
        """The store with `changes` applied, loaded and rendered; raises StoreError."""
        with tempfile.TemporaryDirectory(prefix="draft-") as folder:
            return load_rendered_store(self.checkout(changes, Path(folder) / "store"))


def _copy_store(source: Path, target: Path) -> None:
    for path in store_files(source):
        rel = path.relative_to(source)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
    readme = source / "README.md"
    if readme.exists():
        shutil.copyfile(readme, target / "README.md")


def _write(root: Path, changes: Changes) -> None:
    for path, text in changes.items():
        target = _inside(root, path)
        if text is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def _inside(root: Path, path: str) -> Path:
    """`path` under `root`, refusing anything that would leave the store."""
    target = (root / path).resolve()
    if root.resolve() not in target.parents or ".git" in Path(path).parts:
        raise PublishError(f"'{path}' is not a file of the answer store")
    return target


def _text_or_none(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None
