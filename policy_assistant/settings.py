"""The settings of the answering side (the action server, and the Rasa
server's own replies), from the environment: one class, read when asked for,
so that a test or a replica can point them elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseSettings, validator
from pydantic.fields import ModelField

PROJECT = Path(__file__).resolve().parent.parent


class AnswerSettings(BaseSettings):
    answer_store: Path = PROJECT / "answer_store"  # ANSWER_STORE: the live store (make run: the content repository)
    question_counts_db: Path = PROJECT / "var" / "question_counts.sqlite3"  # QUESTION_COUNTS_DB

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value
