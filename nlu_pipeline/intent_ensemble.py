"""One intent classifier that is several, averaged inside.

Each member reads the message in its own way:

* ``diet``: Rasa's own DIETClassifier with the given random seed, on every
  feature the featurizers before the ensemble made (one DIET's verdict moves
  with its seed, so the ensemble keeps two);
* ``ngrams``: a logistic regression (scikit-learn's) on the featurizers'
  sentence features (word and character n-gram counts), as Rasa's
  LogisticRegressionClassifier reads them;
* ``meaning``: a logistic regression on the vector of the whole message from a
  pretrained multilingual sentence encoder (nlu_pipeline/sentence_meaning.py),
  which knows that a paraphrase or a translation asks what a training example
  asked.

The message's intent and ranking are the weighted average of the members'
confidences (an intent missing from a DIET's ranking, which keeps its top
ten, counts as 0 there). A member that cannot read a message (no n-gram
features for a message of only spaces) is left out of its average; a message
no member can read gets no intent and an empty ranking, and the
FallbackClassifier answers.

    - name: nlu_pipeline.intent_ensemble.IntentEnsemble
      members:
        - {kind: diet, weight: 1, random_seed: 42}
        - {kind: ngrams, weight: 1, C: 1, class_weight: balanced, max_iter: 300}
      diet: {epochs: 50}     # DIETClassifier's settings, the same for every DIET member

Storage: every member lives in the ensemble's one resource, so Rasa's
training cache and model archive carry them together. A DIET member is
created, trained and stored by Rasa's own DIETClassifier code, in a folder
of that resource, and stored without its optimizer's state, which only
training needs; it is loaded by Rasa's code too, except that its weights are
read without the step of training Rasa's load takes to build them
(nlu_pipeline/diet_answering.py); the DIETs train side by side, each in a process of
its own (spawned, not forked: TensorFlow is not safe to fork), while the
regressions train here: one DIET keeps about one core busy, and Rasa's graph
runner would train them one after another. A regression is stored as its
fitted numbers alone (coefficients, intercepts, intent names) in numpy's own
format, read without pickle, so loading one runs no code from the file; its
settings come from the config, as at training. (Rasa stores its own
regressions with skops, whose import alone took seconds in every process that
loads a model: docs/results.md, twenty-third session.) A member missing at
load stops the server: a model that
answers with fewer members than it was trained with is not the model that was
measured. (`rasa train --finetune` trains the DIETs afresh.)"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import tensorflow as tf
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

from nlu_pipeline import diet_answering
from nlu_pipeline.sentence_meaning import SentenceEncoder, encoder_version, shared_encoder

# each kind of member, and the settings it takes (all of them, always)
SETTINGS = {
    "diet": {"kind", "weight", "random_seed"},
    "ngrams": {"kind", "weight", "C", "class_weight", "max_iter"},
    "meaning": {"kind", "weight", "C", "class_weight", "max_iter"},
}
REGRESSIONS = ("ngrams", "meaning")
Ranking = List[Dict[str, Any]]


def check_members(members: Any) -> None:
    """Refuses, at start-up, settings that cannot make an average."""
    if not isinstance(members, list) or not members:
        raise ValueError(f"IntentEnsemble: members must be a list of members, got {members!r}")
    for member in members:
        kind = member.get("kind") if isinstance(member, dict) else None
        if kind not in SETTINGS or set(member) != SETTINGS[kind]:
            raise ValueError(f"IntentEnsemble: a member is one of {sorted(SETTINGS)} with {SETTINGS}, got {member!r}")
        if not float(member["weight"]) > 0:
            raise ValueError(f"IntentEnsemble: a member's weight must be above 0, got {member!r}")
        if kind in REGRESSIONS and (not float(member["C"]) > 0 or int(member["max_iter"]) < 1):
            raise ValueError(f"IntentEnsemble: a regression needs C above 0 and max_iter at least 1, got {member!r}")
    seeds = [m["random_seed"] for m in members if m["kind"] == "diet"]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"IntentEnsemble: DIET members must differ in their random_seed, got {seeds}")
    for kind in REGRESSIONS:
        if sum(m["kind"] == kind for m in members) > 1:
            raise ValueError(f"IntentEnsemble: at most one {kind} member")


def member_name(member: Dict[str, Any]) -> str:
    """The member's folder or file name in the ensemble's resource."""
    return f"diet_seed_{member['random_seed']}" if member["kind"] == "diet" else str(member["kind"])


# --- DIET members: Rasa's DIETClassifier, in a folder of the ensemble's resource --------------


def diet_config(settings: Dict[str, Any], seed: int) -> Dict[str, Any]:
    return {**DIETClassifier.get_default_config(), **settings, "random_seed": seed}


def diet_context(context: ExecutionContext, name: str) -> ExecutionContext:
    return dataclasses.replace(context, node_name=f"{context.node_name}_{name}", is_finetuning=False)


def train_diet(settings: Dict[str, Any], seed: int, folder: Path, context: ExecutionContext, data: bytes) -> None:
    """Runs in a worker process: Rasa's DIETClassifier trains and stores
    itself in `folder`, on the pickled training data (pickled before the
    regressions start: the training data fills caches of its own as it is
    read, and a copy pickled meanwhile in another thread would break)."""
    name = member_name({"kind": "diet", "random_seed": seed})
    diet = DIETClassifier.create(
        diet_config(settings, seed), LocalModelStorage(folder), Resource(name), diet_context(context, name)
    )
    diet.train(pickle.loads(data))  # noqa: S301 - the data this process itself pickled
    # train() stored the DIET with its optimizer's state; stored again, it
    # holds its weights alone
    without_training_state(diet)
    diet.persist()


def load_diet(settings: Dict[str, Any], seed: int, folder: Path, context: ExecutionContext) -> DIETClassifier:
    name = member_name({"kind": "diet", "random_seed": seed})
    if not (folder / name).is_dir():
        # DIETClassifier.load would quietly return an untrained DIET
        raise FileNotFoundError(f"IntentEnsemble: no DIET trained with seed {seed} in the model")
    return diet_answering.DIETClassifier.load(
        diet_config(settings, seed), LocalModelStorage(folder), Resource(name), diet_context(context, name)
    )


def without_training_state(diet: DIETClassifier) -> DIETClassifier:
    """`diet`, just trained, without what only training needs: its optimizer
    and the traced training step that holds the optimizer's variables, so that
    the checkpoint stored after it holds the weights alone (Adam keeps two
    values for every weight: stored, they made each DIET's checkpoint three
    times its weights' size)."""
    if diet.model is not None:
        # compiled again, as Rasa compiles it, with an optimizer that holds no
        # values yet: Keras lets go of the old optimizer, its compile settings
        # and its traced training step, which were all that kept the values
        diet.model.compile(optimizer=tf.keras.optimizers.Adam(), run_eagerly=diet.model.run_eagerly)
    return diet


# --- regression members: what each reads -------------------------------------------------------


def ngram_row(message: Message) -> csr_matrix | None:
    """The message's sentence features (sparse, then dense), or None when the
    featurizers gave it none."""
    sparse = message.get_sparse_features(TEXT)[1]
    dense = message.get_dense_features(TEXT)[1]
    if sparse is None and dense is None:
        return None
    return hstack([csr_matrix(f.features) for f in (sparse, dense) if f is not None]).tocsr()


def regression(member: Dict[str, Any]) -> LogisticRegression:
    """A regression member's model, not yet fitted, with the member's settings."""
    return LogisticRegression(
        C=float(member["C"]),
        class_weight=member["class_weight"],
        max_iter=int(member["max_iter"]),
        solver="lbfgs",
        tol=1e-4,
        random_state=42,
    )


def regression_file(folder: Path, member: Dict[str, Any]) -> Path:
    return folder / f"{member_name(member)}.npz"


def save_regression(model: LogisticRegression, path: Path) -> None:
    """What answering needs of a fitted regression: its numbers and the
    intents they score, in that order (scikit-learn's fitted attributes)."""
    # intent names as fixed-width text, so that they load without pickle
    np.savez(path, coef=model.coef_, intercept=model.intercept_, classes=model.classes_.astype(str))


def load_regression(member: Dict[str, Any], path: Path) -> LogisticRegression:
    """The regression `save_regression` stored, with the member's settings:
    it answers as the fitted one did, to the bit (tests/test_intent_ensemble.py)."""
    model = regression(member)
    with np.load(path, allow_pickle=False) as stored:
        model.coef_, model.intercept_, model.classes_ = stored["coef"], stored["intercept"], stored["classes"]
    model.n_features_in_ = model.coef_.shape[1]
    return row_major_transpose(model)


def row_major_transpose(model: LogisticRegression) -> LogisticRegression:
    """`model`, its coefficients stored column by column: the same numbers,
    answering without a copy of them.

    scikit-learn multiplies a message's sparse features by `coef_.T`, and
    scipy multiplies a sparse matrix by a dense one through a flat, row-major
    view of the dense one. `coef_.T` of a row-major `coef_` is column-major, so
    scipy copied every coefficient (one per intent and n-gram: tens of
    megabytes) for each message, most of the n-gram member's time. Stored
    column-major, `coef_.T` is row-major and its flat view costs nothing
    (measured in docs/results.md, seventeenth session)."""
    model.coef_ = np.asfortranarray(model.coef_)
    return model


def text_of(message: Message) -> str:
    return (message.get(TEXT) or "").strip()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentEnsemble(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "members": [],  # see the module's docstring; config.yml names every member
            "diet": {},  # DIETClassifier's settings for every DIET member
            "ranking_length": 10,  # intents kept in the average's ranking (0: all)
            # the sentence encoder's BLAS threads: one, as the server answers
            # many small messages at once and the cores are shared
            "encoder_threads": 1,
            "batch_size": 256,  # texts per call to the encoder
            "workers": None,  # DIETs trained at once (None: one per core, at most one per DIET)
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        # Rasa fingerprints a component by its config: another version of the
        # encoder's weights, or a change to this file, retrains the ensemble too
        return f"{encoder_version()} {hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        context: ExecutionContext,
        models: Dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.members: List[Dict[str, Any]] = self.config["members"]
        check_members(self.members)
        for key in ("encoder_threads", "batch_size"):
            if not isinstance(self.config[key], int) or self.config[key] < 1:
                raise ValueError(f"IntentEnsemble: {key} must be a positive whole number")
        self._storage = model_storage
        self._resource = resource
        self._context = context
        self.models: Dict[str, Any] = models or {}  # member name -> DIETClassifier or LogisticRegression
        self._encoder: SentenceEncoder | None = None
        if any(m["kind"] == "meaning" for m in self.members):
            self._encoder = shared_encoder(self.config["encoder_threads"], self.config["batch_size"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentEnsemble:
        return cls(config, model_storage, resource, execution_context)

    def readable(self, kind: str, messages: List[Message]) -> Tuple[List[int], Any]:
        """The positions of the messages a regression member can read, and
        their features (one row each)."""
        if kind == "ngrams":
            rows = [ngram_row(m) for m in messages]
            kept = [i for i, row in enumerate(rows) if row is not None]
            return kept, vstack([rows[i] for i in kept]).tocsr() if kept else None
        assert self._encoder is not None
        kept = [i for i, m in enumerate(messages) if text_of(m)]
        return kept, self._encoder.embed([text_of(messages[i]) for i in kept]) if kept else None

    # --- training --------------------------------------------------------------------------------

    def workers(self, diets: int) -> int:
        return max(1, min(self.config["workers"] or os.cpu_count() or 1, diets))

    def train(self, training_data: TrainingData) -> Resource:
        diets = [m for m in self.members if m["kind"] == "diet"]
        with self._storage.write_to(self._resource) as folder:
            jobs: List[Future] = []
            data = pickle.dumps(training_data) if diets else b""
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=self.workers(len(diets)), mp_context=spawn) as pool:
                for member in diets:
                    seed = member["random_seed"]
                    jobs.append(pool.submit(train_diet, self.config["diet"], seed, folder, self._context, data))
                # the regressions train here meanwhile
                for member in self.members:
                    if member["kind"] in REGRESSIONS:
                        model = self.train_regression(member, training_data)
                        save_regression(model, regression_file(folder, member))
                        self.models[member_name(member)] = model
                for job in jobs:
                    job.result()  # a worker's exception stops the training here
            for member in diets:
                self.models[member_name(member)] = load_diet(
                    self.config["diet"], member["random_seed"], folder, self._context
                )
        return self._resource

    def train_regression(self, member: Dict[str, Any], training_data: TrainingData) -> LogisticRegression:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        kept, features = self.readable(member["kind"], examples)
        if not kept:
            raise ValueError(f"IntentEnsemble: the {member['kind']} member can read no training example")
        return row_major_transpose(regression(member).fit(features, [examples[i].get(INTENT) for i in kept]))

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentEnsemble:
        config = {**cls.get_default_config(), **config}
        models: Dict[str, Any] = {}
        with model_storage.read_from(resource) as folder:
            for member in config["members"]:
                name = member_name(member)
                if member["kind"] == "diet":
                    models[name] = load_diet(config["diet"], member["random_seed"], folder, execution_context)
                    continue
                models[name] = load_regression(member, regression_file(folder, member))
        return cls(config, model_storage, resource, execution_context, models)

    # --- answering -------------------------------------------------------------------------------

    def rankings(self, member: Dict[str, Any], messages: List[Message]) -> List[Ranking | None]:
        """Each message's ranking by one member, None where it cannot read the message."""
        model = self.models.get(member_name(member))
        if model is None:
            raise RuntimeError("IntentEnsemble has no trained members: train the model first")
        if member["kind"] == "diet":
            # DIET writes its verdict on each message; it is read back before the next member's
            model.process(messages)
            return [message.get("intent_ranking") or None for message in messages]
        kept, features = self.readable(member["kind"], messages)
        result: List[Ranking | None] = [None] * len(messages)
        if kept:
            names = [str(name) for name in model.classes_]
            for i, probabilities in zip(kept, model.predict_proba(features), strict=True):
                result[i] = [{"name": n, "confidence": float(p)} for n, p in zip(names, probabilities, strict=True)]
        return result

    def process(self, messages: List[Message]) -> List[Message]:
        sums: List[Dict[str, float]] = [{} for _ in messages]
        weights = np.zeros(len(messages))
        for member in self.members:
            for i, ranking in enumerate(self.rankings(member, messages)):
                if ranking is None:
                    continue
                weight = float(member["weight"])
                weights[i] += weight
                for entry in ranking:
                    name = str(entry["name"])
                    sums[i][name] = sums[i].get(name, 0.0) + weight * float(entry.get("confidence", 0.0))
        for i, message in enumerate(messages):
            if weights[i] == 0:
                # nothing any member can read (only spaces): no intent, as DIET gives it
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
                continue
            mean = [{"name": name, "confidence": total / weights[i]} for name, total in sums[i].items()]
            mean.sort(key=lambda entry: -entry["confidence"])  # stable: ties in the order first met
            if self.config["ranking_length"] > 0:
                mean = mean[: self.config["ranking_length"]]
            message.set(INTENT, mean[0], add_to_output=True)
            message.set("intent_ranking", mean, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # nothing after it in the pipeline learns from predicted intents
        return training_data
