"""Check each JSON schema against the meta-schema once per process, not on
every custom action call.

On every call to the action server, Rasa validates the reply with
`jsonschema.validate(reply, RemoteAction.action_response_format_spec())`, and
`jsonschema.validate` first checks that constant schema against the JSON Schema
meta-schema. That check alone took 23 ms of a 41 ms turn here, more than half
(measured with `python -m devtools.profile_message`); the reply's own check
takes 0.3 ms.

install() makes the default validator class remember the schemas that passed
the meta-schema check (by their JSON text), so each is checked once. The reply
is still validated on every call, and a schema that fails the check still
fails on every call. Installed when the Rasa server starts
(rasa_server/http_limits.py)."""

from __future__ import annotations

import json
from typing import Any, Callable

from jsonschema import validators  # type: ignore[import-untyped]

MAX_REMEMBERED = 64


def install() -> None:
    cls: Any = validators.validator_for({})  # the class a schema without "$schema" gets
    if getattr(cls.check_schema, "remembers_checked_schemas", False):
        return
    cls.check_schema = staticmethod(remembering(cls.check_schema))


def remembering(check: Callable[..., None]) -> Callable[..., None]:
    passed: set[str] = set()

    def check_schema(schema: Any, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            check(schema, *args, **kwargs)
            return
        key = json.dumps(schema, sort_keys=True, default=repr)
        if key in passed:
            return
        check(schema)  # raises SchemaError: nothing remembered
        if len(passed) < MAX_REMEMBERED:
            passed.add(key)

    check_schema.remembers_checked_schemas = True  # type: ignore[attr-defined]
    return check_schema
