"""Retraining that cannot make things worse (issue 29): train a new model
with the examples staff accepted from shared questions, measure it and the
serving model on the held-out benchmarks and the development set, and let it
serve only when it passes the gate (devtools/nlu_gate.py); otherwise keep the
serving model and say which figures fell.

    make retrain            (or: python -m devtools.retrain [--by NAME] ...)

The staff console's "Retrain" button (publishers) runs the same command.
Step by step:

1. `rasa train` into models/candidates/, reading the content repository's
   accepted examples ($ANSWER_STORE for nlu_pipeline/accepted_examples.py);
2. `python -m devtools.nlu_bench --json` on the candidate, and on the
   serving model unless its figures are kept beside it (measured by the
   retraining that installed it, on the same questions), each in a process
   of its own (one model in memory at a time);
3. the gate. Passed: the serving model's file is kept as
   policy-assistant.previous.tar.gz, the candidate takes its place (so a
   restart serves it too), and each Rasa server in --servers loads it while it
   serves, one at a time (rasa_server/model_channel.py, with $INTERNAL_TOKEN):
   no restart, no conversation lost. A server that cannot load it gets the
   previous model back, as does every server that had loaded it. In the
   deployments no server is named (pods come and go): the Rasa servers follow
   the console's serving model instead, one at a time
   (rasa_server/model_follower.py; RETRAIN_FOLLOWED). Refused: the
   candidate is deleted;
4. the outcome, with every figure of both models, is a commit to the content
   repository (retraining/history.yml), shown in the console's History.

Nothing people wrote is printed: Rasa's own output (its data checks quote
training examples, accepted questions among them) is not shown, only its exit
status. One retraining at a time (a lock in the models folder).
Exit status: 0 the new model serves, 2 the gate refused it, 1 it failed."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence

import requests
import yaml
from pydantic import BaseSettings, validator
from pydantic.fields import ModelField

from devtools import nlu_gate
from devtools.paths import BIN, MODEL, PROJECT, STORE
from staff_console.content_repo import RETRAINING_HISTORY, ContentRepo, Person, PublishError

LOCK_FILE = ".retraining.lock"  # in the models folder
IMAGE_MODEL_TAKEN = ".image-model"  # beside the serving model: the image's model it last took (take_image_model)
LOAD_SECONDS = 900  # one Rasa server loading the new model while it serves, on a busy machine
SERVING, REFUSED, FAILED = 0, 2, 1
# training and measuring run beside the servers answering people: at a lower
# priority, so that the answers keep the CPU they need
BESIDE = ["nice", "-n", "10"]


class RetrainError(RuntimeError):
    """A step that failed; the serving model stays."""


@contextlib.contextmanager
def only_one(models: Path) -> Iterator[None]:
    """Held while a retraining runs; a second one is refused."""
    models.mkdir(parents=True, exist_ok=True)
    with open(models / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetrainError("A retraining is already running.") from None
        yield


def running(models: Path) -> bool:
    """A retraining holds the lock now (the console asks before it starts one)."""
    path = models / LOCK_FILE
    if not path.exists():
        return False
    with open(path) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def accepted_count(content: Path) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu_pipeline.accepted_examples import accepted_examples_folder

    folder = accepted_examples_folder(content)
    return len(load_data(str(folder)).intent_examples) if folder.is_dir() else 0


def train(config: Path, content: Path, out: Path, name: str) -> Path:
    """A candidate model, trained as `make train` does plus the accepted
    examples. Rasa's output is not shown (see the module's docstring)."""
    command = [str(BIN / "rasa"), "train", "--config", str(config), "--domain", "domain.yml", "--data", "data"]
    # Without Rasa's data check (6 s): the domain, stories and examples passed
    # `rasa data validate --fail-on-warnings` before release (make test's
    # validate stage); an accepted example is a question and one of the
    # domain's intents, written by the console; and the check's warnings would
    # not be shown here. A file Rasa cannot read still fails the training.
    command += ["--skip-validation", "--out", str(out), "--fixed-model-name", name]
    env = {**os.environ, "ANSWER_STORE": str(content), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(BESIDE + command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    model = out / f"{name}.tar.gz"
    if done.returncode or not model.is_file():
        raise RetrainError(f"Training failed (exit status {done.returncode}); run `{' '.join(command)}` to see why.")
    return model


def figures(model: Path) -> Dict[str, Any]:
    """nlu_bench's figures of `model` on every benchmark and the development set."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "figures.json"
        sets = [arg for group in nlu_gate.GROUPS.values() for name in group for arg in ("--set", name)]
        command = [str(BIN / "python"), "-m", "devtools.nlu_bench", "--model", str(model), *sets, "--json", str(out)]
        done = subprocess.run(BESIDE + command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode or not out.is_file():
            raise RetrainError(f"Measuring {model.name} failed (exit status {done.returncode}).")
        result: Dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def _figures_file(model: Path) -> Path:
    return model.with_name(model.name.replace(".tar.gz", ".figures.json"))


def _questions_key() -> str:
    """What the figures were measured on: the benchmark and development files' content."""
    digest = hashlib.sha256()
    for path in sorted((PROJECT / "tests" / "nlu").glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def serving_figures(model: Path) -> Dict[str, Any]:
    """The serving model's figures: measured once, then kept beside it
    (policy-assistant.figures.json), for as long as the model and the
    questions are the ones they were measured with."""
    kept, serving_id = _figures_file(model), model_id(model)
    if kept.is_file():
        known = json.loads(kept.read_text(encoding="utf-8"))
        if (known.get("model_id"), known.get("questions")) == (serving_id, _questions_key()):
            result: Dict[str, Any] = known["figures"]
            return result
    result = figures(model)
    keep_figures(model, serving_id, result)
    return result


def keep_figures(model: Path, measured_id: str, measured: Dict[str, Any]) -> None:
    """`measured`, the figures of the model with `measured_id`, kept beside `model`'s file."""
    data = {"model_id": measured_id, "questions": _questions_key(), "figures": measured}
    _figures_file(model).write_text(json.dumps(data), encoding="utf-8")


def model_id(model: Path) -> str:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return str(LocalModelStorage.metadata_from_archive(model).model_id)


def model_state(server: str, token: str) -> Dict[str, Any]:
    """What `server`'s model endpoint says: the model serving, whether one is loading, the last failure."""
    reply = requests.get(f"{server}/webhooks/model/", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    reply.raise_for_status()
    state: Dict[str, Any] = reply.json()
    return state


def load_on(server: str, name: str, expected_id: str, token: str) -> None:
    """`server` loads the model file `name` while it serves; returns once the
    model with `expected_id` serves there."""
    try:
        reply = requests.post(
            f"{server}/webhooks/model/load",
            json={"model": name},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        if reply.status_code != 202:
            raise RetrainError(f"{server} did not start loading the model (HTTP {reply.status_code}).")
        deadline = time.monotonic() + LOAD_SECONDS
        while (state := model_state(server, token))["loading"]:
            if time.monotonic() > deadline:
                raise RetrainError(f"{server} took more than {LOAD_SECONDS} s to load the model.")
            time.sleep(1)
    except requests.RequestException as error:
        raise RetrainError(f"{server} could not be reached ({type(error).__name__}).") from None
    if state["model_id"] != expected_id:
        raise RetrainError(f"{server} did not load the model ({state['failed'] or 'another model serves'}).")


def install(candidate: Path, model: Path) -> Path:
    """The candidate becomes the serving model's file; the serving model's is
    kept beside it. Returns the kept file."""
    previous = model.with_name(model.name.replace(".tar.gz", ".previous.tar.gz"))
    previous.unlink(missing_ok=True)
    os.link(model, previous)
    os.replace(candidate, model)
    return previous


def take_image_model(image: Path, model: Path) -> bool:
    """Where the serving model lives apart from the code (a deployment: on
    the console's volume, RETRAIN_MODEL), a newly deployed image's model
    replaces it: the image was built from newer data, or on purpose. The
    fingerprint of the image's model it last took is kept beside it, so a
    restart of the same image keeps what retrainings installed. Returns
    whether it took the image's model."""
    from policy_assistant.model_files import fingerprint

    if not image.is_file() or image.resolve() == model.resolve():
        return False
    taken, seen = model.with_name(IMAGE_MODEL_TAKEN), fingerprint(image)
    if model.is_file() and taken.is_file() and taken.read_text(encoding="utf-8") == seen:
        return False
    model.parent.mkdir(parents=True, exist_ok=True)
    copy = model.with_name(model.name + ".copying")
    shutil.copyfile(image, copy)
    if model.is_file():
        install(copy, model)
    else:
        os.replace(copy, model)
    taken.write_text(seen, encoding="utf-8")
    return True


def serve_everywhere(model: Path, new_id: str, previous: Path, servers: Sequence[str], token: str) -> None:
    """Each server loads `model` (whose id is `new_id`), one at a time. When
    one cannot, `previous` is restored and every server that had loaded the
    new model loads it again."""
    switched: List[str] = []
    try:
        for server in servers:
            print(f"Loading the new model on {server} ...", flush=True)
            load_on(server, model.name, new_id, token)
            switched.append(server)
    except RetrainError:
        restored = model.with_name(model.name + ".restoring")
        restored.unlink(missing_ok=True)
        os.link(previous, restored)
        os.replace(restored, model)
        old_id = model_id(model)
        for server in switched:
            with contextlib.suppress(RetrainError):
                load_on(server, model.name, old_id, token)
        raise


def record(content: Path, by: str, subject: str, entry: Dict[str, Any], lines: Sequence[str]) -> None:
    """The outcome as a commit to the content repository, in the console's History."""
    if not (content / ".git").exists():
        print(f"Not recorded: {content} is not a content repository.")
        return
    repo = ContentRepo(content)
    base = repo.head()
    history = yaml.safe_load(repo.read(RETRAINING_HISTORY, base) or "[]") or []
    text = "# Each retraining and its outcome (devtools/retrain.py), oldest first.\n"
    text += yaml.safe_dump([*history, entry], allow_unicode=True, sort_keys=False)
    try:
        repo.publish({RETRAINING_HISTORY: text}, Person(by), Person(by), "\n".join(lines), subject, base)
    except PublishError as error:
        print(f"Not recorded in the history: {error}")


def retrain(args: argparse.Namespace) -> int:
    models = args.model.parent
    with only_one(models):
        started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        examples = accepted_count(args.content)
        print(f"Retraining with {examples} accepted example(s), started {started.isoformat()}.", flush=True)
        name = "candidate-" + started.strftime("%Y%m%d-%H%M%S")
        candidate = train(args.config, args.content, models / "candidates", name)
        print(f"Trained {candidate.name}. Measuring both models ...", flush=True)
        measured = figures(candidate)
        lines, fallen = nlu_gate.compare(serving_figures(args.model), measured)
        entry: Dict[str, Any] = {"started": started.isoformat(), "by": args.by, "accepted_examples": examples}
        print("\n".join(lines))
        if fallen:
            candidate.unlink()
            entry.update(outcome="refused: the serving model stays", fell=fallen)
            subject = f"Retraining refused: {len(fallen)} figure(s) fell; the serving model stays"
            print(f"\n{subject}:\n" + "\n".join(fallen))
            record(args.content, args.by, subject, entry, ["The figures that fell:", *fallen, "", *lines])
            return REFUSED
        candidate_id = model_id(candidate)
        previous = install(candidate, args.model)
        keep_figures(args.model, candidate_id, measured)
        try:
            serve_everywhere(args.model, candidate_id, previous, args.servers, args.token)
        except RetrainError as error:
            entry.update(outcome=f"failed: {error} The previous model serves again.")
            record(args.content, args.by, "Retraining failed: the previous model serves again", entry, [str(error)])
            raise
        if args.servers:
            where = f"{len(args.servers)} server(s) loaded it"
        elif args.followed:
            where = "the Rasa servers that follow this console load it one at a time, within minutes"
        else:
            where = "servers load it at their next start"
        entry.update(outcome=f"serving: {where}")
        subject = f"Retraining with {examples} accepted example(s): the new model passed the gate and serves"
        print(f"\n{subject} ({where}).")
        record(args.content, args.by, subject, entry, lines)
        return SERVING


class RetrainSettings(BaseSettings):
    """The defaults of the command's options, from the environment (the
    console's Retraining page runs it with the console's environment)."""

    content_repo: Path = PROJECT / "var" / "content"  # CONTENT_REPO: the live content repository
    retrain_config: Path = PROJECT / "config.yml"
    retrain_model: Path = MODEL  # the serving model's file, replaced when a new one passes
    retrain_servers: str = ""  # the Rasa servers that load it (base URLs, comma separated)
    retrain_followed: bool = False  # or: the Rasa servers follow the console's model (rasa_server/model_follower.py)
    internal_token: str = ""  # what the Rasa servers ask of a model load

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value


def main(argv: Sequence[str] | None = None) -> int:
    # its output is for staff (the console shows it): the steps and figures, not
    # the warnings of the libraries it loads to read a model's id
    warnings.simplefilter("ignore")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    settings = RetrainSettings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, default=settings.content_repo, help="CONTENT_REPO")
    parser.add_argument("--config", type=Path, default=settings.retrain_config, help="RETRAIN_CONFIG")
    parser.add_argument("--model", type=Path, default=settings.retrain_model, help="the serving model (RETRAIN_MODEL)")
    parser.add_argument(
        "--servers",
        default=settings.retrain_servers,
        help="the Rasa servers that load the new model, one at a time: base URLs, comma separated (RETRAIN_SERVERS)",
    )
    parser.add_argument("--by", default=os.environ.get("USER") or "make retrain", help="who asked, for the history")
    args = parser.parse_args(argv)
    args.servers = [url.rstrip("/") for url in args.servers.split(",") if url]
    args.token = settings.internal_token
    args.followed = settings.retrain_followed
    if args.servers and not args.token:
        print("INTERNAL_TOKEN is not set: the running servers could not be told to load the model.", file=sys.stderr)
        return FAILED
    args.content = args.content.resolve()
    if not args.content.is_dir():
        print(f"{args.content} does not exist (make run makes it): training with {STORE.name}/ alone.")
        args.content = STORE
    try:
        return retrain(args)
    except RetrainError as error:
        print(f"Retraining failed: {error} The serving model stays.", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
