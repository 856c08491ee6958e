"""The base of the project's graph components that learn nothing from
training data (the gates, the ensemble's steps): Rasa creates them from their
config, and they pass the training data on unchanged."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData


class UntrainedComponent(GraphComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UntrainedComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
