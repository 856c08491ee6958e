"""Add a language to the answer store's texts through one sheet.

Every text of the store (topics, updates, records, quote translations,
speakers' roles, occasions, source notes, resources) is written in
each language inside its record, so a translator would otherwise edit some
thirty files. `export` writes one YAML sheet with every English text and an
empty slot for the new language; `import` writes the filled slots back into
the store files, beside the other languages, keeping comments and the spelling
of everything else (the staff console's round-trip reader).

    python -m devtools.translation_sheet export sw > sheet-sw.yml
    # fill every `sw:` (same number of sentences as the English: one ground each)
    python -m devtools.translation_sheet import sheet-sw.yml

The fixed sentences, labels and page words of a language are its own file,
languages/<code>.yml (copy en.yml), and are not on the sheet. After an import,
`python -m policy_assistant.render_check answer_store` checks every rule of
the store in the new language too. An entry whose English changed after the
sheet was written is refused, so a stale translation is never imported."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator, List, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from devtools.paths import STORE
from policy_assistant.schema import DEFAULT_LANGUAGE
from staff_console import fields

# files with no per-language texts on the sheet: a language's own file, and the
# sentences of languages the assistant does not speak (one per language)
NOT_ON_SHEET = ("languages/", "not_spoken.yml")
Step = Any  # a key of a mapping or the index of a list item


def store_files(store: Path) -> List[Path]:
    return [
        path
        for path in sorted(store.rglob("*.yml"))
        if not any(path.relative_to(store).as_posix().startswith(skip) for skip in NOT_ON_SHEET)
    ]


TRANSLATIONS = "translations"  # a quote's: its English is the quote's `text`, word for word


def _is_text(node: Any) -> bool:
    """A mapping of language codes to text: {en: ..., es: ...}."""
    return isinstance(node, CommentedMap) and isinstance(node.get(DEFAULT_LANGUAGE), str)


def _english(parent: Any, key: Step, node: Any) -> str | None:
    """The English of a per-language text: its `en`, or for a quote's
    translations the quote itself."""
    if _is_text(node):
        return str(node[DEFAULT_LANGUAGE])
    if key == TRANSLATIONS and isinstance(parent, CommentedMap) and isinstance(parent.get("text"), str):
        return str(parent["text"])
    return None


def texts(node: Any, path: Tuple[Step, ...] = ()) -> Iterator[Tuple[Tuple[Step, ...], str, CommentedMap]]:
    """Every per-language text under `node`: its path of keys and indices, its
    English, and the mapping its languages are written in."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            english = _english(node, key, value)
            if english is not None and isinstance(value, CommentedMap):
                yield (*path, key), english, value
            else:
                yield from texts(value, (*path, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield from texts(value, (*path, index))


def export(code: str, store: Path = STORE) -> dict[str, Any]:
    entries = []
    for path in store_files(store):
        doc = fields.load(path.read_text(encoding="utf-8"))
        for steps, english, text in texts(doc):
            entries.append(
                {
                    "file": path.relative_to(store).as_posix(),
                    "path": list(steps),
                    DEFAULT_LANGUAGE: english,
                    code: str(text[code]) if text.get(code) is not None else "",
                }
            )
    return {"language": code, "texts": entries}


def _at(doc: Any, steps: List[Step]) -> Any:
    node = doc
    for step in steps:
        node = node[step]
    return node


def import_sheet(sheet: dict[str, Any], store: Path = STORE) -> List[str]:
    """Write the sheet's filled texts into the store; the problems, one line each."""
    code = sheet["language"]
    if not (store / "languages" / f"{code}.yml").is_file():
        return [f"languages/{code}.yml: no such language in the store; add its language file first"]
    problems: List[str] = []
    by_file: dict[str, list[dict[str, Any]]] = {}
    for entry in sheet["texts"]:
        by_file.setdefault(entry["file"], []).append(entry)
    for name, entries in by_file.items():
        path = store / name
        original = path.read_text(encoding="utf-8")
        doc = fields.load(original)
        for entry in entries:
            where = f"{name} {'/'.join(map(str, entry['path']))}"
            translated = " ".join(str(entry.get(code) or "").split())
            try:
                parent = _at(doc, entry["path"][:-1])
                text = parent[entry["path"][-1]]
            except (KeyError, IndexError, TypeError):
                problems.append(f"{where}: no such text in the store any more")
                continue
            english = _english(parent, entry["path"][-1], text)
            if english is None or " ".join(english.split()) != " ".join(entry[DEFAULT_LANGUAGE].split()):
                problems.append(f"{where}: the English changed after the sheet was written; export it again")
                continue
            if not translated:
                problems.append(f"{where}: no {code} text")
                continue
            if " ".join(str(text.get(code) or "").split()) == translated:
                continue  # unchanged: keep its spelling and folding
            _add(text, code, fields.folded(translated) if len(translated) > fields.FOLD_AT else translated)
        path.write_text(fields.dump(doc, original), encoding="utf-8")
    return problems


def _add(text: CommentedMap, code: str, value: Any) -> None:
    """Set `text[code]`; a new language goes last, and the blank line or
    comment that followed the last language still follows the mapping."""
    if code in text:
        text[code] = value
        return
    last = next(reversed(text), None) if len(text) else None
    after = text.ca.items.pop(last, None) if last is not None else None
    text[code] = value
    if after is not None:
        text.ca.items[code] = after


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    out = sub.add_parser("export", help="write a sheet of every English text, with the language's slot")
    out.add_argument("code")
    into = sub.add_parser("import", help="write a filled sheet's texts into the store")
    into.add_argument("sheet", type=Path)
    args = parser.parse_args(argv)
    y = fields.yaml()
    if args.command == "export":
        y.dump(export(args.code), sys.stdout)
        return 0
    problems = import_sheet(y.load(args.sheet.read_text(encoding="utf-8")))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
