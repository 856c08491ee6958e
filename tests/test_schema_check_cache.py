"""Rasa's action-reply schema is checked against the meta-schema once, and the
reply itself is still validated on every call (rasa_server/schema_check_cache.py)."""

import jsonschema
import pytest
from jsonschema import validators
from rasa.core.actions.action import RemoteAction

from rasa_server import schema_check_cache


@pytest.fixture
def counted(monkeypatch):
    cls = validators.validator_for({})
    calls = []
    original = cls.check_schema

    def counting(schema, *args, **kwargs):
        calls.append(schema)
        return original(schema, *args, **kwargs)

    monkeypatch.setattr(cls, "check_schema", staticmethod(counting))
    monkeypatch.setattr(cls, "check_schema", staticmethod(schema_check_cache.remembering(cls.check_schema)))
    return calls


def test_the_same_schema_is_checked_once(counted):
    action = RemoteAction("action_answer_topic", None)
    reply = {"events": [{"event": "slot", "name": "language", "value": "es"}], "responses": [{"text": "hola"}]}
    for _ in range(5):
        assert action._validate_action_result(reply)
    assert len(counted) == 1


def test_a_bad_reply_is_still_refused_every_time(counted):
    action = RemoteAction("action_answer_topic", None)
    for _ in range(3):
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result({"events": [{"event": "no such event"}], "responses": "x"})


def test_a_bad_schema_still_fails_every_time(counted):
    for _ in range(3):
        with pytest.raises(jsonschema.SchemaError):
            jsonschema.validate({}, {"type": 12})
    assert len(counted) == 3


def test_install_is_idempotent():
    schema_check_cache.install()
    first = validators.validator_for({}).check_schema
    schema_check_cache.install()
    assert validators.validator_for({}).check_schema is first
    assert first.remembers_checked_schemas
