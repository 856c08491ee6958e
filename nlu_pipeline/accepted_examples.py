"""Rasa's file importer, plus the training examples staff accepted from
shared questions (issue 29): the staff console's review queue writes them to
training/shared_questions.yml in the content repository, with who accepted
each and when (example metadata), and every `rasa train`, `rasa test` and
`rasa data validate` that reads config.yml takes them with the project's
data/. Which content: $ANSWER_STORE (policy_assistant.settings), the live
content repository when the staff console's retraining runs, the project's
own answer_store/ otherwise (and in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from rasa.shared.importers.rasa import RasaFileImporter

from policy_assistant.settings import AnswerSettings

# where, in the answer store's folder (the content repository's work tree),
# the accepted examples are; the store's loader does not read this folder
TRAINING_FOLDER = "training"


def accepted_examples_folder(store: Path | None = None) -> Path:
    return Path(store or AnswerSettings().answer_store) / TRAINING_FOLDER


class WithAcceptedExamples(RasaFileImporter):
    """RasaFileImporter over the given paths and the accepted examples."""

    def __init__(
        self,
        config_file: str | None = None,
        domain_path: str | None = None,
        training_data_paths: List[str] | str | None = None,
    ) -> None:
        paths = [training_data_paths] if isinstance(training_data_paths, str) else list(training_data_paths or [])
        accepted = accepted_examples_folder()
        if accepted.is_dir():
            paths.append(str(accepted))
        super().__init__(config_file, domain_path, paths)
