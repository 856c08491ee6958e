"""The store's YAML reader (policy_assistant/yaml_lines.py): the data PyYAML's
C parser reads, with the line of every mapping, key and item, the types of
YAML 1.2's core schema, dates as text and duplicate keys refused."""

from __future__ import annotations

import pytest

from policy_assistant import yaml_lines
from policy_assistant.yaml_lines import LineList, LineMap

DOC = """\
# a comment
id: immigration_status
date: 2017-02-14
languages: [es, no]
answer: yes
count: 010
hex: 0x1F
ratio: 1.5e3
infinite: -.inf
no_flag: false
empty:
flag: True
items:
  - first
  -   id: second
      note: ~
"""


def test_lines_of_mappings_keys_and_items():
    doc = yaml_lines.load(DOC)
    assert isinstance(doc, LineMap) and doc.line == 2
    assert doc.key_lines["id"] == 2 and doc.key_lines["items"] == 13
    items = doc["items"]
    assert isinstance(items, LineList) and items.item_lines == [14, 15]
    assert isinstance(items[1], LineMap) and items[1].line == 15 and items[1].key_lines["note"] == 16


def test_the_core_schema_of_yaml_1_2_dates_as_text():
    doc = yaml_lines.load(DOC)
    assert doc["date"] == "2017-02-14"  # text: the store checks dates itself
    assert doc["languages"] == ["es", "no"] and doc["answer"] == "yes"  # not booleans, as in YAML 1.1
    assert doc["count"] == 10 and doc["hex"] == 31 and doc["ratio"] == 1500.0
    assert doc["infinite"] == float("-inf") and doc["no_flag"] is False
    assert doc["empty"] is None and doc["flag"] is True and doc["items"][1]["note"] is None


def test_a_key_written_twice_is_an_error_with_its_line():
    with pytest.raises(yaml_lines.MarkedYAMLError) as error:
        yaml_lines.load("id: a\nquotes: []\nquotes: [b]\n")
    assert error.value.problem == 'found duplicate key "quotes"' and error.value.problem_mark.line + 1 == 3


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_no_document_is_none(text):
    assert yaml_lines.load(text) is None


def test_an_alias_is_the_same_data_and_a_tag_of_another_type_is_refused():
    doc = yaml_lines.load("a: &x [1, 2]\nb: *x\n")
    assert doc["a"] == doc["b"] == [1, 2]
    with pytest.raises(yaml_lines.YAMLError):
        yaml_lines.load("a: !!python/name:os.system\n")


@pytest.mark.parametrize(
    "text", ["a: !!int abc\n", "a: !!float x\n", "a: !!binary AAAA\n", "a: !!bool abc\n", "a: !!null abc\n"]
)
def test_a_value_its_tag_does_not_fit_is_a_yaml_error_with_its_line(text):
    with pytest.raises(yaml_lines.MarkedYAMLError) as error:
        yaml_lines.load("id: x\n" + text)
    assert error.value.problem_mark.line + 1 == 2
