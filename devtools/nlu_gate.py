"""The gate a retrained model must pass before it serves (issue 29), with the
noise issue 26 defined: on the held-out benchmarks pooled, and on the
development set, no language more than 1 point lower than the serving
model's, and no category more than 2 questions lower. The figures are what
`python -m devtools.nlu_bench --json` writes for each model: per set, right
and asked per language and category."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Mapping, Sequence, Tuple

# the sets each figure pools, and how the verdict names them
GROUPS: Dict[str, Tuple[str, ...]] = {
    "held-out benchmarks": ("bench", "bench2", "bench3", "bench4", "bench5"),
    "development set": ("dev",),
}
MAX_POINTS = 1.0  # a language's accuracy, in points (of 100)
MAX_QUESTIONS = 2  # a category's questions answered right

Figures = Mapping[str, Sequence[Mapping[str, Any]]]  # set -> rows of lang, category, right, asked


def totals(figures: Figures, sets: Sequence[str], key: str) -> Dict[str, Counter]:
    """Right and asked per language (key "lang") or per category, pooled over `sets`."""
    pooled: Dict[str, Counter] = {}
    for name in sets:
        for row in figures.get(name, ()):
            pooled.setdefault(row[key], Counter()).update({"right": row["right"], "asked": row["asked"]})
    return pooled


def _points(counts: Counter | None) -> float:
    return 100 * counts["right"] / counts["asked"] if counts and counts["asked"] else 0.0


def compare(serving: Figures, candidate: Figures) -> Tuple[List[str], List[str]]:
    """(every figure of both models, one line each; the lines of those that
    fell beyond the noise). A language or category the serving model was not
    measured on cannot fall; one the candidate lost counts as zero."""
    lines: List[str] = []
    fallen: List[str] = []
    for group, sets in GROUPS.items():
        old, new = totals(serving, sets, "lang"), totals(candidate, sets, "lang")
        for lang in sorted(old):
            before, after = _points(old[lang]), _points(new.get(lang))
            line = f"{group}, language {lang}: {before:.1f} -> {after:.1f} points"
            lines.append(line)
            if after < before - MAX_POINTS:
                fallen.append(line)
        old, new = totals(serving, sets, "category"), totals(candidate, sets, "category")
        for category in sorted(old):
            before_right = old[category]["right"]
            after_right = new[category]["right"] if category in new else 0
            line = f"{group}, {category}: {before_right} -> {after_right} of {old[category]['asked']} right"
            lines.append(line)
            if after_right < before_right - MAX_QUESTIONS:
                fallen.append(line)
    return lines, fallen
