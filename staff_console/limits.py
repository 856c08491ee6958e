"""How much the console takes and shows: every box of every form has a
maximum, a request has a maximum size, and a diff is cut where it would make a
page too long to read. The longest texts of the answer store are about 1,900
characters (a Spanish summary); a whole source document is the one long text."""

from __future__ import annotations

from typing import Dict, List, Mapping, Tuple

# the most characters a box takes, by the kind of box (staff_console.fields); a
# grounds box has a line of ids per sentence (the longest summary has about 15)
FIELD_MAX = {"text": 500, "date": 32, "lines": 5_000, "long": 5_000, "grounds": 5_000}
NOTE_MAX = 2_000  # a note for the publisher, a publisher's note, why an undo
SOURCE_TEXT_MAX = 200_000  # a source document's full text (about 60 pages)
ID_MAX = 64
USERNAME_MAX = 64
PASSWORD_MAX = 1_024
# The largest form is a new quote with its source document: SOURCE_TEXT_MAX
# characters take 200-400 KB once form-encoded (more for text full of accents
# or curly quotes), so a request is at most 1 MiB.
MAX_REQUEST_BYTES = 1024 * 1024
MAX_REQUEST_WORDS = "1 MB"
DIFF_MAX_LINES = 2_000  # of one file's diff on a page
DIFF_MAX_CHARS = 100_000


def too_long(label: str, value: str, limit: int) -> str | None:
    """The words that tell staff the box `label` holds more than `limit`
    characters, or None."""
    if len(value) <= limit:
        return None
    return f"{label}: at most {limit:,} characters; this has {len(value):,}."


def too_long_boxes(form: Mapping[str, str], boxes: Dict[str, Tuple[str, int]]) -> List[str]:
    """What is too long in `form`, for the boxes named in `boxes` (form name ->
    (label, limit))."""
    found = (too_long(label, form.get(name, ""), limit) for name, (label, limit) in boxes.items())
    return [words for words in found if words]


def capped_diff(diff: str) -> str:
    """`diff`, cut after DIFF_MAX_LINES lines or DIFF_MAX_CHARS characters
    with a line that says how much is not shown."""
    lines = diff.splitlines(keepends=True)
    kept, size = [], 0
    for line in lines[:DIFF_MAX_LINES]:
        size += len(line)
        if size > DIFF_MAX_CHARS:
            break
        kept.append(line)
    if len(kept) == len(lines):
        return diff
    return "".join(kept) + f"… diff too long to show: {len(lines) - len(kept):,} more lines not shown\n"
