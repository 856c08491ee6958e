"""The first page's dashboard (issue 29): what the last DASHBOARD_DAYS days
of usage counts (staff_console.usage) say, as rows a chart and its table both
show: questions per topic, the share of questions not understood per day,
"did this help?" per topic, languages and channels. Plain Python: the charts
are drawn by staff_console.charts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from markupsafe import Markup

from policy_assistant.store import Store
from policy_assistant.usage_counts import ASKED, HELPED, NOT_HELPED, NOT_UNDERSTOOD
from staff_console import charts
from staff_console.usage import Count

DASHBOARD_DAYS = 30
CHANNEL_NAMES = {
    "webchat": "Web page",
    "twilio": "SMS and WhatsApp",
    "rest": "Other apps (REST)",
    "cmdline": "Command line (testing)",
    "socketio": "Socket.IO",
}


@dataclass(frozen=True)
class Dashboard:
    days: List[str]  # oldest first
    asked: int  # questions in all, not understood included
    per_topic: List[Tuple[str, int]]  # (topic, questions), most first; not understood last
    not_sure: List[Tuple[str, int, int]]  # (day, questions, not understood), oldest first
    helped: List[Tuple[str, int, int]]  # (topic, yes, no), most rated first
    languages: List[Tuple[str, int]]  # (language, questions), most first
    channels: List[Tuple[str, int]]  # (channel, questions), most first


def first_day(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=DASHBOARD_DAYS - 1)


def dashboard(counts: Iterable[Count], store: Store | None, today: dt.date) -> Dashboard:
    """The dashboard of `counts` (those of the last DASHBOARD_DAYS days up to
    `today`), with the live store's English titles and language names."""
    first = first_day(today)
    days = [(first + dt.timedelta(days=i)).isoformat() for i in range(DASHBOARD_DAYS)]
    topics: Counter[str] = Counter()
    per_day: Dict[str, Counter[str]] = {day: Counter() for day in days}
    ratings: Dict[str, Counter[str]] = {}
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for count in counts:
        if count.day not in per_day:
            continue
        if count.kind == ASKED:
            topics[count.topic] += count.n
            per_day[count.day]["asked"] += count.n
            per_day[count.day]["not_understood"] += count.n if count.topic == NOT_UNDERSTOOD else 0
            languages[count.lang] += count.n
            channels[count.channel] += count.n
        elif count.kind in (HELPED, NOT_HELPED):
            ratings.setdefault(count.topic, Counter())[count.kind] += count.n

    def topic_name(topic: str) -> str:
        if topic == NOT_UNDERSTOOD:
            return "Not understood"
        return store.topics[topic].title.text("en") if store and topic in store.topics else topic

    def language_name(code: str) -> str:
        return f"{store.languages[code].name} ({code})" if store and code in store.languages else code

    understood = [(t, n) for t, n in topics.most_common() if t != NOT_UNDERSTOOD]
    return Dashboard(
        days=days,
        asked=sum(topics.values()),
        per_topic=[(topic_name(t), n) for t, n in understood]
        + ([(topic_name(NOT_UNDERSTOOD), topics[NOT_UNDERSTOOD])] if topics[NOT_UNDERSTOOD] else []),
        not_sure=[(day, per_day[day]["asked"], per_day[day]["not_understood"]) for day in days],
        helped=[
            (topic_name(t), r[HELPED], r[NOT_HELPED])
            for t, r in sorted(ratings.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        ],
        languages=[(language_name(code), n) for code, n in languages.most_common()],
        channels=[(CHANNEL_NAMES.get(name, name), n) for name, n in channels.most_common()],
    )


@dataclass(frozen=True)
class Figure:
    """A chart and the table of its numbers, as the first page shows them."""

    id: str
    caption: str
    chart: Markup | None  # None: nothing counted yet
    heads: Tuple[str, ...]
    rows: List[Tuple[Any, ...]]


def _said(caption: str, rows: Sequence[Tuple[Any, ...]]) -> str:
    """A chart's name for a screen reader: what it shows and its first rows."""
    first = "; ".join(" ".join(str(cell) for cell in row) for row in rows[:3])
    return f"{caption}: {first}{'; the rest in the table beside' if len(rows) > 3 else ''}."


def figures(board: Dashboard) -> List[Figure]:
    # the days with questions (a share of none is no share), newest first in the table
    asked_days = [
        (day, asked, counted, f"{round(100 * counted / asked)}%") for day, asked, counted in board.not_sure if asked
    ]
    made = []
    for id_, caption, heads, rows, series in (
        ("topics", "Questions per topic", ("Topic", "Questions"), board.per_topic, ("",)),
        ("helped", "Did this answer help? Yes / no, per topic", ("Topic", "Yes", "No"), board.helped, ("yes", "no")),
        ("languages", "Questions per language", ("Language", "Questions"), board.languages, ("",)),
        ("channels", "Questions per channel", ("Channel", "Questions"), board.channels, ("",)),
    ):
        chart = charts.bars(f"{id_}-chart", _said(caption, rows), [(r[0], r[1:]) for r in rows], series)
        made.append(Figure(id_, caption, chart if rows else None, heads, list(rows)))
    caption = "Questions not understood, share of each day's questions"
    chart = charts.day_rates(
        "not-sure-chart", _said(caption, [(d, s) for d, _, _, s in asked_days[::-1]]), board.not_sure
    )
    day_heads = ("Day", "Questions", "Not understood", "Share")
    made.insert(1, Figure("not-sure", caption, chart if asked_days else None, day_heads, asked_days[::-1]))
    return made
