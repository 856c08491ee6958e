"""The assistant's settings from the environment, read when asked for, so that
a test or a replica can point them elsewhere: the action server's (the answer
store, its token, the staff console), and where the Rasa server's own texts
are (written from the answer store at publish time, read by the Rasa server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseSettings, validator
from pydantic.fields import ModelField

PROJECT = Path(__file__).resolve().parent.parent


class AnswerSettings(BaseSettings):
    answer_store: Path = PROJECT / "answer_store"  # ANSWER_STORE: the live store (make run: the content repository)
    # ACTION_SERVER_TOKEN: the Rasa server shows it on every call; checked by actions/action_server_guard.py
    action_server_token: str = ""

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value


class ConsoleSettings(BaseSettings):
    """How the action servers reach the staff console (policy_assistant.console_client):
    CONSOLE_INTERNAL_URL, the base of its internal endpoints (such as
    http://127.0.0.1:5002/staff/internal), and INTERNAL_TOKEN, which the
    console asks of every call to them. With either unset, the assistant
    offers no sharing and sends no usage counts."""

    console_internal_url: str = ""
    internal_token: str = ""


class ServerTextSettings(BaseSettings):
    """SERVER_TEXTS: the Rasa server's own texts (policy_assistant.server_texts),
    written by the staff console when it prepares or publishes the live
    answers, and by a replica's sync that is asked to."""

    server_texts: Path = PROJECT / "var" / "server_texts.json"

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: ModelField) -> Any:
        return field.default if value == "" else value
