"""Several of Rasa's DIETClassifiers, differing only in their random seed,
trained side by side: one process per DIET.

One DIET training uses about one core (its operations are too small for
TensorFlow to spread), and Rasa's graph runner trains the pipeline's
components one after another, so two DIETs in config.yml took twice one
DIET's time on a machine with cores to spare. Here each DIET is Rasa's own
DIETClassifier, created, trained and persisted by Rasa's code in a process of
its own (spawned, not forked: TensorFlow is not safe to fork), into a folder
inside this component's resource, so Rasa's training cache and model archive
carry them as one. Each DIET's weights depend only on its seed and the data,
not on what trained before it in the same process. (`rasa train --finetune`
trains them afresh: fine-tuning a DIET is not carried over.)

For the ensemble (nlu_pipeline/ensemble.py) each DIET's ranking is put aside
as KeepIntentRanking does, in the order of `random_seeds`, for the next
classifier and AverageIntentRankings (the message keeps the last DIET's intent,
as DIETClassifier followed by KeepIntentRanking leaves it):

    - name: nlu_pipeline.parallel_diets.ParallelDIETClassifiers
      random_seeds: [42, 7]
      epochs: 50                      # any other DIETClassifier setting
    - name: <another intent classifier>
    - name: nlu_pipeline.ensemble.AverageIntentRankings
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANDOM_SEED

from nlu_pipeline.ensemble import keep_ranking

SEEDS = "random_seeds"
WORKERS = "workers"


def diet_config(config: Dict[str, Any], seed: int) -> Dict[str, Any]:
    """One DIET's config: Rasa's defaults, this component's DIET settings, the seed."""
    own = {key: value for key, value in config.items() if key not in (SEEDS, WORKERS)}
    return {**DIETClassifier.get_default_config(), **own, RANDOM_SEED: seed}


def diet_resource(seed: int) -> Resource:
    return Resource(f"diet_seed_{seed}")


def diet_context(context: ExecutionContext, seed: int) -> ExecutionContext:
    return dataclasses.replace(context, node_name=f"{context.node_name}_seed_{seed}", is_finetuning=False)


def train_one(
    config: Dict[str, Any], seed: int, folder: Path, context: ExecutionContext, training_data: TrainingData
) -> None:
    """Runs in a worker process: Rasa's DIETClassifier trains and persists itself in `folder`."""
    DIETClassifier.create(
        diet_config(config, seed), LocalModelStorage(folder), diet_resource(seed), diet_context(context, seed)
    ).train(training_data)


def load_one(config: Dict[str, Any], seed: int, folder: Path, context: ExecutionContext) -> DIETClassifier:
    if not (folder / diet_resource(seed).name).is_dir():
        # DIETClassifier.load would quietly return an untrained DIET
        raise FileNotFoundError(f"no DIET trained with seed {seed} in {folder}")
    return DIETClassifier.load(
        diet_config(config, seed), LocalModelStorage(folder), diet_resource(seed), diet_context(context, seed)
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ParallelDIETClassifiers(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # workers: how many DIETs train at once (None: one per core, at most one per seed)
        return {SEEDS: [42], WORKERS: None}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        diets: List[DIETClassifier] | None = None,
    ) -> None:
        seeds = config[SEEDS]
        if not seeds or len(set(seeds)) != len(seeds):
            raise ValueError(f"{SEEDS} must be a non-empty list of different seeds: {seeds}")
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self._execution_context = execution_context
        self.diets = diets or []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ParallelDIETClassifiers:
        return cls(config, model_storage, resource, execution_context)

    def workers(self) -> int:
        wanted = self.config[WORKERS] or os.cpu_count() or 1
        return max(1, min(wanted, len(self.config[SEEDS])))

    def train(self, training_data: TrainingData) -> Resource:
        seeds = self.config[SEEDS]
        with self._model_storage.write_to(self._resource) as folder:
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=self.workers(), mp_context=spawn) as pool:
                jobs = [
                    pool.submit(train_one, self.config, seed, folder, self._execution_context, training_data)
                    for seed in seeds
                ]
                for job in jobs:
                    job.result()  # a worker's exception stops the training here
            self.diets = [load_one(self.config, seed, folder, self._execution_context) for seed in seeds]
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ParallelDIETClassifiers:
        with model_storage.read_from(resource) as folder:
            diets = [load_one(config, seed, folder, execution_context) for seed in config[SEEDS]]
        return cls(config, model_storage, resource, execution_context, diets)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.diets:
            raise RuntimeError("ParallelDIETClassifiers has no trained DIET: train the model first")
        for diet in self.diets:
            diet.process(messages)
            for message in messages:
                keep_ranking(message)
        return messages
