"""The base of the project's graph components that learn nothing from
training data (the gates, the ensemble's steps): Rasa creates them from their
config, and they pass the training data on unchanged."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
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

    def tag_whole_message(self, message: Message, entity: str, value: str) -> None:
        """Adds an entity that spans the whole message, found by this component."""
        found = {
            "entity": entity,
            "value": value,
            "start": 0,
            "end": len(message.get("text") or ""),
            "extractor": type(self).__name__,
        }
        message.set("entities", [*(message.get("entities") or []), found], add_to_output=True)
