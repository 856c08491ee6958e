"""Read a YAML document into plain dicts and lists that remember their lines.

The answer store is read on every start, every hot reload and every preview in
the staff console, so it is read with PyYAML's C parser (libyaml): about 25
times faster than a round-trip reader that keeps comments, which the loader
does not need (the console's editor keeps them: staff_console/fields.py).

What the loader needs besides the data is where each part was written, to
report a problem as `file:line`. `load` composes the document with libyaml and
builds it here from the nodes, so that each mapping is a `LineMap` (a dict
with the line of the mapping and of each key) and each sequence a `LineList`
(a list with the line of each item). On top of YAML as PyYAML reads it:

* the YAML 1.2 core schema, which the store's files were written for: only
  true/false are booleans ("no", "on", "yes" stay text: Norwegian's language
  code, a reply word) and a leading 0 does not make a number octal;
* dates stay text, so that a bad date is reported by the store's own checks;
* a key written twice in one mapping is an error (PyYAML keeps the last).

Lines are 1-based here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml is in PyYAML's wheels; the pure-Python parser gives the same result, slower
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

__all__ = ["LineList", "LineMap", "MarkedYAMLError", "YAMLError", "load"]

YAMLError = yaml.YAMLError
MarkedYAMLError = yaml.MarkedYAMLError

STR = "tag:yaml.org,2002:str"


class LineMap(dict):
    """A mapping, with the line it starts on and the line of each key."""

    line: int
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence, with the line it starts on and the line of each item."""

    line: int
    item_lines: list[int]


class _Core12Loader(_Parser):
    """PyYAML's safe loader with the implicit types of YAML 1.2's core schema."""


# Start from no implicit types at all, then add the core schema's: null, bool,
# int, float (timestamps are not in it: a date is text).
_Core12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Core12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _scalar(node: ScalarNode) -> Any:
    """A scalar's value; one its explicit tag does not fit ("!!int abc") is an
    error with its line, as any other YAML error."""
    try:
        return _value(node.tag, node.value)
    except ValueError:
        kind = node.tag.rsplit(":", 1)[-1]
        raise ConstructorError(None, None, f"'{node.value}' is not of the type {kind}", node.start_mark) from None


def _value(tag: str, value: str) -> Any:
    if tag == "tag:yaml.org,2002:int":
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if tag == "tag:yaml.org,2002:null" and value in ("", "~", "null", "Null", "NULL"):
        return None
    if tag == "tag:yaml.org,2002:bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:float":
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    if tag == STR or tag == "tag:yaml.org,2002:timestamp":
        return value
    raise ValueError(tag)  # another type (a Python object, a binary): not in the store


def _build(node: Node, built: dict[int, Any]) -> Any:
    if id(node) in built:  # an alias (*name) of a node built before
        return built[id(node)]
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        items = LineList()
        items.line = node.start_mark.line + 1
        items.item_lines = []
        built[id(node)] = items
        for child in node.value:
            items.append(_build(child, built))
            items.item_lines.append(child.start_mark.line + 1)
        return items
    if isinstance(node, MappingNode):
        mapping = LineMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            key = _build(key_node, built)
            if isinstance(key, dict | list):
                raise ConstructorError(None, None, "a key must be a single value", key_node.start_mark)
            if key in mapping:
                raise ConstructorError(None, None, f'found duplicate key "{key}"', key_node.start_mark)
            mapping[key] = _build(value_node, built)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
    raise ConstructorError(None, None, f"unexpected YAML node {node!r}", node.start_mark)  # pragma: no cover


def load(text: str) -> Any:
    """The one document in `text`, or None when it holds none (only comments,
    or nothing). Raises yaml.YAMLError, with the line in its mark where known."""
    node = yaml.compose(text, Loader=_Core12Loader)
    return None if node is None else _build(node, {})
