"""The action server's settings (and the Rasa server's own replies', which
read the same answer store), from the environment: one class, read when asked
for, so that a test or a replica can point them elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseSettings, validator
from pydantic.fields import ModelField

PROJECT = Path(__file__).resolve().parent.parent


class AnswerSettings(BaseSettings):
    answer_store: Path = PROJECT / "answer_store"  # ANSWER_STORE: the live store (make run: the content repository)
    question_counts_db: Path = PROJECT / "var" / "question_counts.sqlite3"  # QUESTION_COUNTS_DB
    # ACTION_SERVER_TOKEN: the Rasa server shows it on every call; checked by actions/action_server_guard.py
    action_server_token: str = ""

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value
