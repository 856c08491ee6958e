"""The usage counts in the staff console (issue 29): the action servers'
authenticated call that adds them up, and the first page's dashboard drawn
from them (SVG charts with a table of the same numbers beside each). The real
application and content repository, as in test_staff_console.py; the browser
test (test_staff_console_browser.py) checks the page in Chromium with axe."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from contextlib import closing

import pytest

from policy_assistant.usage_counts import MAX_ROWS
from staff_console import charts
from staff_console.app import create_app
from staff_console.config import connect
from staff_console.dashboard import DASHBOARD_DAYS, dashboard, figures
from staff_console.usage import Count, Usage
from tests.test_shared_questions import TOKEN, set_today
from tests.test_staff_console import prepared_config, signed_in

TODAY = dt.date.today()


@pytest.fixture
def config(tmp_path):
    return prepared_config(tmp_path)


@pytest.fixture
def app(config, monkeypatch):
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    return create_app(config)


def count(day=None, kind="asked", topic="traffic_stops", lang="en", channel="webchat", n=1):
    return {"day": (day or TODAY).isoformat(), "kind": kind, "topic": topic, "lang": lang, "channel": channel, "n": n}


def send(app, counts, token=TOKEN, batch=None, **headers):
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"batch": batch or uuid.uuid4().hex, "counts": counts}
    return app.test_client().post("/staff/internal/usage", json=body, headers={**auth, **headers})


def kept(config):
    with closing(connect(config.database)) as db:
        return {(c.day, c.kind, c.topic, c.lang, c.channel): c.n for c in Usage(db).since(TODAY - dt.timedelta(60))}


@pytest.mark.parametrize("token", [None, "wrong", TOKEN[:-1]])
def test_counts_need_the_token(app, config, token):
    assert send(app, [count()], token=token).status_code == 401
    assert kept(config) == {}


def test_counts_are_not_taken_through_a_proxy(app, config):
    assert send(app, [count()], **{"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert kept(config) == {}


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "x",
        {"batch": "a" * 32, "counts": "many"},
        {"batch": "a" * 32, "counts": [count()] * (MAX_ROWS + 1)},
        {"counts": [count()]},  # no batch id
        {"batch": "not-an-id", "counts": [count()]},
    ],
)
def test_what_is_not_a_list_of_counts_is_refused(app, config, body):
    response = app.test_client().post("/staff/internal/usage", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and kept(config) == {}


def test_counts_from_several_servers_add_up_and_a_bad_one_is_refused_alone(app, config):
    assert send(app, [count(n=2), count(kind="helped")]).get_json() == {"kept": 2, "refused": 0}
    bad = [
        count(topic="no_such_topic"),
        count(topic="(not understood)", kind="helped"),  # only a question can be not understood
        count(lang="xx"),
        count(channel="email"),
        count(kind="opened"),
        count(n=0),
        count(n=True),
        count(n="3"),
        count(day=TODAY - dt.timedelta(days=31)),
        count(day=TODAY + dt.timedelta(days=2)),
        {**count(), "day": "yesterday"},
        {**count(), "text": "what someone wrote"} | {"topic": 5},
        "asked",
    ]
    assert send(app, [count(n=3), count(topic="(not understood)"), *bad]).get_json() == {"kept": 2, "refused": 13}
    day = TODAY.isoformat()
    assert kept(config) == {
        (day, "asked", "traffic_stops", "en", "webchat"): 5,
        (day, "helped", "traffic_stops", "en", "webchat"): 1,
        (day, "asked", "(not understood)", "en", "webchat"): 1,
    }


def test_a_batch_sent_again_counts_once(app, config):
    batch = uuid.uuid4().hex
    assert send(app, [count(n=4)], batch=batch).get_json() == {"kept": 1, "refused": 0}
    assert send(app, [count(n=4)], batch=batch).get_json()["again"] is True
    assert send(app, [count(n=1)]).status_code == 200  # another batch
    assert kept(config) == {(TODAY.isoformat(), "asked", "traffic_stops", "en", "webchat"): 5}


def test_the_table_holds_numbers_and_names_only(config):
    with closing(connect(config.database)) as db:
        Usage(db)
        columns = [row[1] for row in db.execute("PRAGMA table_info(usage_per_day)")]
    assert columns == ["day", "kind", "topic", "lang", "channel", "n"]


def test_the_dashboard_adds_up_the_last_30_days(app, config):
    store = app.extensions["staff_console"].live.get()
    day = TODAY.isoformat()
    old = (TODAY - dt.timedelta(days=DASHBOARD_DAYS)).isoformat()
    counts = [
        Count(day, "asked", "traffic_stops", "es", "twilio", 3),
        Count(day, "asked", "traffic_stops", "en", "webchat", 1),
        Count(day, "asked", "(not understood)", "en", "webchat", 1),
        Count(day, "helped", "traffic_stops", "es", "twilio", 2),
        Count(day, "not_helped", "home_visits", "en", "webchat", 1),
        Count(old, "asked", "home_visits", "en", "webchat", 50),  # 30 days ago: not on the board
    ]
    board = dashboard(counts, store, TODAY)
    title = store.topics["traffic_stops"].title.text("en")
    assert board.asked == 5 and len(board.days) == DASHBOARD_DAYS and board.days[-1] == day
    assert board.per_topic == [(title, 4), ("Not understood", 1)]
    assert board.not_sure[-1] == (day, 5, 1) and board.not_sure[0][1] == 0
    assert board.helped == [(title, 2, 0), (store.topics["home_visits"].title.text("en"), 0, 1)]
    assert board.languages == [("Español (es)", 3), ("English (en)", 2)]
    assert board.channels == [("SMS and WhatsApp", 3), ("Web page", 2)]
    made = {f.id: f for f in figures(board)}
    assert made["not-sure"].rows == [(day, 5, 1, "20%")]  # the days with questions only


def test_bars_are_as_long_as_their_numbers_and_labels_are_escaped():
    svg = charts.bars("c", "A <summary>", [("<b>Traffic</b>", (40,)), ("Jail", (10,))])
    widths = [float(w) for w in re.findall(r'<rect class="bar " x="[\d.]+" y="\d+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(4 * widths[1]) and widths[0] == charts.WIDTH - charts.VALUE_ROOM
    assert "<b>" not in svg and "&lt;b&gt;Traffic&lt;/b&gt;" in svg and "A &lt;summary&gt;" in svg
    stacked = charts.bars("h", "yes and no", [("Stops", (3, 1))], ("yes", "no"))
    assert 'class="bar yes"' in stacked and 'class="bar no"' in stacked and "3 / 1" in stacked


def test_a_day_column_is_that_days_share(app):
    svg = charts.day_rates("d", "share", [("2026-12-01", 4, 1), ("2026-12-02", 0, 0), ("2026-12-03", 2, 2)])
    heights = [float(h) for h in re.findall(r'<rect class="bar" [^>]*height="([\d.]+)"', svg)]
    assert heights == [pytest.approx(40.0), pytest.approx(160.0)]  # 25% and 100% of 160; no column for no questions


def test_the_first_page_draws_the_counts_the_servers_sent(app, config):
    set_today(app, TODAY)
    send(app, [count(n=3, lang="es", channel="twilio"), count(kind="helped", n=2), count(topic="(not understood)")])
    page = signed_in(app, "ed").get("/staff/").get_data(as_text=True)
    assert "The last 30 days: 4 questions" in page
    for name in ("topics", "not-sure", "helped", "languages", "channels"):
        assert f'<svg class="chart" role="img" aria-labelledby="{name}-chart"' in page
    assert re.search(r"<th scope=\"row\">[^<]+</th><td>3</td>", page)  # traffic stops, in the table beside
    assert '<th scope="row">SMS and WhatsApp</th><td>3</td>' in page
    assert '<th scope="row">Not understood</th><td>1</td>' in page
    assert "<script" not in page.split("<main", 1)[1]  # drawn on the server, no script


def test_with_nothing_counted_the_page_says_so(app):
    page = signed_in(app, "ed").get("/staff/").get_data(as_text=True)
    assert "The last 30 days: 0 questions" in page and page.count("Nothing counted yet.") == 5
