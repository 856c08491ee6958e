"""A store file as form fields, and form fields back into the file.

Staff never see YAML: every text of a file is a field with a label in plain
words ("Topic › In short › Español"), a list of ids is one field with an id per
line (its order is the order shown), and a list of records can take a new
record. A record's grounds (what each sentence rests on) are one field per
text, one line per sentence (grounds_text, grounds_entries). The file is read
and written with ruamel's round-trip loader, so comments, order and the
spelling of untouched values stay as they were, and the diff of a publish
shows only what staff changed."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

from staff_console import limits

Path_ = Tuple[Any, ...]
NEW = "new"  # the form prefix of a record being added

# The words staff see for the store's field names (answer_store/README.md says what each holds).
PLAIN = {
    "title": "Title",
    "short": "In short (what people read first)",
    "summary": "Summary",
    "quotes": "Quotes, in the order shown (one id per line)",
    "updates": "Later changes and records, in the order shown (one id per line)",
    "related": "Related topics (one topic id per line)",
    "reviewed_by": "Reviewed by",
    "reviewed_on": "Reviewed on (YYYY-MM-DD)",
    "text": "Text",
    "translations": "Translation (unofficial)",
    "context": "Context (our words)",
    "said_on": "Said on (YYYY-MM-DD)",
    "date": "Date (YYYY-MM-DD)",
    "sources": "Sources (one source id per line)",
    "qualifies": "Qualifies (ids of earlier quotes or updates, one per line)",
    "url": "Web address (leave empty when not verified)",
    "note": "Note",
    "description": "Description",
    "messages": "Sentences",
    "labels": "Labels of answers",
    "ui": "Words of the web page",
    "buttons": "Topics offered as buttons (one topic id per line)",
    "grounds": "Grounds of each sentence",
}
LONG = {"short", "summary", "text", "context", "note", "description", "translations"}
# The heading of one record of a list, by the list's name.
RECORD = {
    "quotes": "Quote",
    "updates": "Update",
    "sources": "Source",
    "resources": "Resource",
    "replies": "Reply",
    "speakers": "Speaker",
    "occasions": "Occasion",
    "languages": "Language",
}
FOLD_AT = 76
ID_KEYS = ("id", "intent", "code")
# written only by marking a topic reviewed on its review page, or a language checked on the
# languages page (the fingerprint of what was read), never typed
NOT_TYPED = ("reviewed_version", "checked_version")
GROUNDS = "grounds"  # a record's grounds: text name -> one entry per sentence (answer_store/README.md)
SAID_BY = "said_by"


@dataclass
class Field:
    name: str  # the form field's name
    path: Path_
    label: str
    value: str
    kind: str  # text | long | lines | date | grounds
    line: int  # the line in the file, to place the validator's problems
    problems: List[str] = field(default_factory=list)
    last: int = 0  # the last line of a value over several lines (a grounds list), else 0


@dataclass
class Group:
    """The fields of one record (a topic, an update, a quote ...)."""

    heading: str
    fields: List[Field]
    line: int
    new: bool = False


def yaml() -> YAML:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.preserve_quotes = True
    y.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


def load(text: str) -> Any:
    return yaml().load(text)


def dump(doc: Any, original: str) -> str:
    out = io.StringIO()
    yaml().dump(doc, out)
    return _keep_spelling(original, out.getvalue())


def _keep_spelling(original: str, new: str) -> str:
    """Lines that only differ in how a value is spelled (an escaped \\u00a0
    written out) keep the original spelling."""
    old_lines, new_lines = original.splitlines(keepends=True), new.splitlines(keepends=True)
    result: List[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for old, fresh in zip(old_lines[i1:i2], new_lines[j1:j2], strict=False):
                result.append(old if _decoded(old) == fresh else fresh)
        else:
            result.extend(new_lines[j1:j2])
    return "".join(result)


def _decoded(line: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), line)


def _plain(part: Any, names: Mapping[str, str]) -> str:
    if isinstance(part, int):
        return f"#{part + 1}"
    return names.get(part) or PLAIN.get(part) or str(part).replace("_", " ")


def _record_name(node: Any, index: int) -> str:
    if isinstance(node, CommentedMap):
        for key in ID_KEYS:
            if isinstance(node.get(key), str):
                return str(node[key])
    return f"#{index + 1}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_list_of_records(node: Any) -> bool:
    return isinstance(node, CommentedSeq) and any(isinstance(item, CommentedMap) for item in node)


def _leaves(node: Any, path: Path_, line: int) -> Iterator[Tuple[Path_, Any, int]]:
    """(path, value, line) of every editable value under `node`."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            key_line = node.lc.key(key)[0] + 1 if node.lc.data and key in node.lc.data else line
            if key == GROUNDS and isinstance(value, CommentedMap):
                yield from _leaves_of_grounds(value, (*path, key), key_line)
            elif isinstance(value, CommentedMap | CommentedSeq) and (
                isinstance(value, CommentedMap) or _is_list_of_records(value)
            ):
                yield from _leaves(value, (*path, key), key_line)
            else:
                yield (*path, key), value, key_line
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            item_line = node.lc.item(index)[0] + 1 if node.lc.data and index in node.lc.data else line
            yield from _leaves(item, (*path, index), item_line)


def _leaves_of_grounds(node: CommentedMap, path: Path_, line: int) -> Iterator[Tuple[Path_, Any, int]]:
    """A record's grounds: one value per text (its list of entries), never
    the entries one by one."""
    for key, value in node.items():
        yield (*path, key), value, node.lc.key(key)[0] + 1 if node.lc.data and key in node.lc.data else line


def _last_line(value: Any, line: int) -> int:
    """The line of the last item of a list (of a grounds list written one entry a line)."""
    if isinstance(value, CommentedSeq) and value and value.lc.data and len(value) - 1 in value.lc.data:
        return max(line, int(value.lc.item(len(value) - 1)[0]) + 1)
    return line


def _kind(path: Path_, value: Any) -> str | None:
    key = path[-1]
    if len(path) > 1 and path[-2] == GROUNDS:
        return "grounds" if value is None or isinstance(value, list | CommentedSeq) else None
    if isinstance(value, list | CommentedSeq):
        return "lines" if all(isinstance(v, str) for v in value) else None
    if isinstance(value, bool) or isinstance(value, int | float):
        return None
    if isinstance(value, dt.date) or key in ("date", "said_on", "reviewed_on"):
        return "date"
    if value is None or isinstance(value, str):
        return "long" if (LONG.intersection(map(str, path)) or (isinstance(value, str) and len(value) > 90)) else "text"
    return None


def form_name(path: Path_) -> str:
    return "f." + ".".join(str(p) for p in path)


def groups(doc: Any, names: Mapping[str, str] | None = None, title: str = "") -> List[Group]:
    """The fields of a file, one group per record (and one for the rest),
    followed by an empty record for each list of records."""
    names = names or {}
    result: Dict[Path_, Group] = {}
    for path, value, line in _leaves(doc, (), 1):
        kind = _kind(path, value)
        # ids are a public contract: never renamed here
        if kind is None or path[-1] in ID_KEYS or path[-1] in NOT_TYPED:
            continue
        record = _record_path(doc, path)
        if record not in result:
            node = _get(doc, record) if record else doc
            heading = f"{RECORD.get(record[-2], str(record[-2]))} {_record_name(node, 0)}" if record else title
            result[record] = Group(heading or title, [], line)
        label = " › ".join(_plain(p, names) for p in path[len(record) :]) or _plain(path[-1], names)
        value_text = "\n".join(value) if kind == "lines" else grounds_text(value) if kind == "grounds" else _text(value)
        last = _last_line(value, line) if kind == "grounds" else 0
        result[record].fields.append(Field(form_name(path), path, label, value_text, kind, line, last=last))
    found = list(result.values())
    for key, seq in _record_lists(doc):
        blank = _blank(seq[0])
        new = Group(f"New {RECORD.get(key, key).lower()}", [], 10**9, new=True)
        for path, value, _ in _leaves(blank, (NEW, key), 0):
            kind = _kind(path, value)
            if kind is not None:
                label = " › ".join(_plain(p, names) for p in path[2:])
                new.fields.append(Field(form_name(path), path, label, "", kind, 10**9))
        found.append(new)
    return found


def _record_lists(doc: Any) -> List[Tuple[str, CommentedSeq]]:
    if not isinstance(doc, CommentedMap):
        return []
    return [(k, v) for k, v in doc.items() if _is_list_of_records(v) and isinstance(v[0], CommentedMap)]


def _record_path(doc: Any, path: Path_) -> Path_:
    """The path of the innermost list item that holds `path`, or ()."""
    for i in range(len(path) - 1, 0, -1):
        if isinstance(path[i], int) and isinstance(_get(doc, path[: i + 1]), CommentedMap):
            return path[: i + 1]
    return ()


def _get(doc: Any, path: Path_) -> Any:
    node = doc
    for part in path:
        node = node[part]
    return node


def _blank(node: Any) -> Any:
    """An empty record shaped like `node`. Yes/no values and numbers are left
    out (their defaults apply), never copied from the record it is shaped like."""
    if isinstance(node, CommentedMap):
        blank = CommentedMap()
        for key, value in node.items():
            if not isinstance(value, bool | int | float):
                blank[key] = _blank(value)
        return blank
    if isinstance(node, list | CommentedSeq):
        return CommentedSeq()
    if isinstance(node, bool):
        return node
    if node is None or isinstance(node, str | dt.date):
        return ""
    return copy.copy(node)


def _converted(kind: str, old: Any, new: str) -> Any:
    new = new.replace("\r\n", "\n").strip()
    if kind == "grounds":
        return _grounds_value(old, new)
    if kind == "lines":
        items = [line.strip() for line in new.splitlines() if line.strip()]
        if isinstance(old, list) and list(old) == items:
            return old
        seq = CommentedSeq(items)
        return seq
    if old is None and new == "":
        return None
    if kind == "date":
        if _text(old) == new:
            return old
        try:
            return dt.date.fromisoformat(new)
        except ValueError:
            return new or None  # the validator says what is wrong
    if _text(old) == new:
        return old
    if isinstance(old, FoldedScalarString) and "\n" not in new:
        return folded(new)
    if isinstance(old, LiteralScalarString):
        return LiteralScalarString(new)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(new)
    return new


def grounds_text(entries: Any) -> str:
    """A text's grounds as staff edit them: one line per sentence, its ground
    ids separated by commas, then `| said_by: ` and the speaker ids when the
    sentence reports what someone said (any other field of an entry shows as
    `| name: values` too, so that nothing is lost)."""
    lines = []
    for entry in entries if isinstance(entries, list) else []:
        parts = _entry_parts(entry)
        line = ", ".join(parts.pop("ids", []))
        line += "".join(f" | {key}: {', '.join(values)}" for key, values in parts.items())
        lines.append(line)
    return "\n".join(lines)


def grounds_entries(text: str) -> List[Any]:
    """The grounds a box holds, as the store writes them: `[id, id]` for a
    line of ids, `{ids: [...], said_by: [...]}` for one with `| said_by:`.
    Empty lines are skipped. After `|`, words without a name are said_by; a
    line the store cannot take (no id, an unknown name) is written as typed,
    and the store's loader says what is wrong with it."""
    entries: List[Any] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        first, *rest = line.split("|")
        extra: Dict[str, List[str]] = {}
        for part in rest:
            key, colon, values = part.partition(":")
            if not colon:
                key, values = SAID_BY, key
            extra.setdefault(key.strip() or SAID_BY, []).extend(_ids(values))
        extra = {key: values for key, values in extra.items() if values or key != SAID_BY}
        if extra:
            entry = CommentedMap([("ids", _flow(_ids(first)))] + [(k, _flow(v)) for k, v in extra.items()])
            entry.fa.set_flow_style()
            entries.append(entry)
        else:
            entries.append(_flow(_ids(first)))
    return entries


def _ids(text: str) -> List[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _flow(items: List[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _entry_parts(entry: Any) -> Dict[str, List[str]]:
    """An entry of grounds as {"ids": [...], other field: [...]}, whichever
    way it is written (`[a, b]`, `a`, `{ids: [a], said_by: [b]}`)."""
    if isinstance(entry, Mapping):
        parts = {str(key): _as_list(value) for key, value in entry.items()}
        return {"ids": parts.pop("ids", []), **{k: v for k, v in parts.items() if v or k != SAID_BY}}
    return {"ids": _as_list(entry)}


def _as_list(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    return [_text(value)]


def _grounds_value(old: Any, new: str) -> Any:
    """The grounds typed in a box, keeping the old list, and each entry that
    did not change, as written in the file."""
    entries = grounds_entries(new)
    old_entries = old if isinstance(old, list) else []
    if old is None and not entries:
        return None
    if isinstance(old, list) and [_entry_parts(e) for e in old] == [_entry_parts(e) for e in entries]:
        return old
    seq = CommentedSeq()
    for i, entry in enumerate(entries):
        same = i < len(old_entries) and _entry_parts(old_entries[i]) == _entry_parts(entry)
        seq.append(old_entries[i] if same else entry)
        if same and isinstance(old, CommentedSeq) and i in old.ca.items:
            seq.ca.items[i] = old.ca.items[i]  # its comment stays with it
    if isinstance(old, CommentedSeq) and old.fa.flow_style():
        seq.fa.set_flow_style()
    return seq


def folded(text: str) -> FoldedScalarString:
    """A folded block text, folded at spaces near FOLD_AT characters as staff
    would type it."""
    folded = FoldedScalarString(text)
    positions, start = [], 0
    while len(text) - start > FOLD_AT:
        cut = text.rfind(" ", start, start + FOLD_AT)
        if cut <= start:
            cut = text.find(" ", start + FOLD_AT)
            if cut == -1:
                break
        positions.append(cut)
        start = cut + 1
    folded.fold_pos = positions
    return folded


def apply(doc: Any, form: Mapping[str, str]) -> List[str]:
    """Write the form's values into `doc`; returns the labels... of what changed
    (paths as text). A record being added is appended when any of its fields
    was filled in."""
    changed: List[str] = []
    for group in groups(doc):
        for f in group.fields:
            if f.name not in form:
                continue
            if group.new:
                continue
            old = _get(doc, f.path)
            value = _converted(f.kind, old, form[f.name])
            if value is not old:
                _get(doc, f.path[:-1])[f.path[-1]] = value
                changed.append(".".join(map(str, f.path)))
    for key, seq in _record_lists(doc):
        blank = _blank(seq[0])
        prefix = form_name((NEW, key)) + "."
        if not any(v.strip() for k, v in form.items() if k.startswith(prefix)):
            continue
        # a value left empty is written `null` where the file's records use null for it
        # (a web address not verified), and left out otherwise: the validator says if it is needed
        nullable = {k for record in seq if isinstance(record, CommentedMap) for k, v in record.items() if v is None}
        for path, value, _ in list(_leaves(blank, (), 0)):
            kind = _kind(path, value)
            name = form_name((NEW, key, *path))
            if kind is None:
                continue
            new_value = _converted(kind, None, form.get(name, ""))
            if new_value is None and len(path) == 1 and path[0] in nullable:
                _get(blank, path[:-1])[path[-1]] = None
            elif new_value is None or new_value == []:
                del _get(blank, path[:-1])[path[-1]]
            else:
                _get(blank, path[:-1])[path[-1]] = new_value
        seq.append(_pruned(blank))
        changed.append(f"{key}.{len(seq) - 1}")
    return changed


def _pruned(node: Any) -> Any:
    """`node` without mappings left empty."""
    if isinstance(node, CommentedMap):
        for key in [k for k, v in node.items() if isinstance(v, CommentedMap)]:
            node[key] = _pruned(node[key])
            if not node[key]:
                del node[key]
    return node


def too_long(found: List[Group], form: Mapping[str, str]) -> List[str]:
    """What is too long in `form` (limits.FIELD_MAX by kind of box): each such
    field gets the problem next to it, and the problems are returned."""
    result = []
    for f in (f for group in found for f in group.fields):
        problem = limits.too_long(f.label, form.get(f.name, ""), limits.FIELD_MAX[f.kind])
        if problem:
            f.problems.append(problem)
            result.append(problem)
    return result


def keep_typed(found: List[Group], form: Mapping[str, str]) -> None:
    """Show in each field what was typed into it, not what the file holds."""
    for f in (f for group in found for f in group.fields):
        if f.name in form:
            f.value = form[f.name]


def place(problems: List[str], file: str, found: List[Group]) -> List[str]:
    """Put each problem of `file` ("file:line: words") next to the first field
    at or after its line; returns the problems that belong to no field."""
    unplaced = []
    fields = sorted((f for g in found if not g.new for f in g.fields), key=lambda f: f.line)
    for problem in problems:
        match = re.match(r"([^:]+):(\d+): (.*)", problem, re.S)
        if not match or match.group(1) != file:
            unplaced.append(problem)
            continue
        line, words = int(match.group(2)), match.group(3)
        target = _grounds_field(fields, line, words) or next((f for f in fields if f.line >= line), None)
        if target is None:
            unplaced.append(problem)
        else:
            target.problems.append(words)
    return unplaced


def _grounds_field(fields: List[Field], line: int, words: str) -> Field | None:
    """The grounds box a problem belongs to: the one whose entries hold its
    line, or, for a problem that names 'grounds.<text>', the first such box at
    or after its line."""
    within = [f for f in fields if f.kind == "grounds" and f.line <= line <= f.last]
    if within:
        return within[-1]
    named = re.search(r"'grounds\.(\w+)'", words)
    if named:
        boxes = (f for f in fields if f.kind == "grounds" and f.path[-1] == named.group(1) and f.line >= line)
        return next(boxes, None)
    return None
