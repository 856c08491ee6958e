"""The action server's side of the usage counts (issue 29): counts wait in
memory, go to the console in as few calls as the load allows (one on its way
at a time), wait again when the console cannot take them, and are never more
than a day, a kind, a topic, a language, a channel and a number."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any, List

from policy_assistant.console_client import ConsoleClient
from policy_assistant.usage_counts import ASKED, HELPED, MAX_ROWS, MAX_WAITING, Row, UsageCounts

TOKEN = "5b1e9c7d3f2a8046e1c9b7d5a3f10e82"
DAY = dt.date(2026, 12, 6)


class RecordingClient(ConsoleClient):
    """The console, as the counter sees it: the bodies it was sent; it takes
    them when `works`, and each call waits until `gate` is set."""

    def __init__(self, works: bool = True) -> None:
        super().__init__("http://console.invalid/staff/internal", TOKEN)
        self.works = works
        self.bodies: List[Any] = []
        self.gate = threading.Event()
        self.gate.set()

    def post(self, endpoint: str, body: Any) -> bool:
        self.gate.wait(5)
        self.bodies.append((endpoint, body))
        return self.works


def settle(usage: UsageCounts) -> None:
    """Until the sending thread has nothing more to do."""
    deadline = time.monotonic() + 5
    while usage._sending and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_count_is_sent_with_nothing_but_its_fields():
    client = RecordingClient()
    usage = UsageCounts(client, today=lambda: DAY, interval=0)
    usage.count(ASKED, "traffic_stops", "es", "twilio")
    settle(usage)
    assert client.bodies == [
        ("usage", {"batch": client.bodies[0][1]["batch"],
                   "counts": [{"day": "2026-12-06", "kind": "asked", "topic": "traffic_stops",
                               "lang": "es", "channel": "twilio", "n": 1}]}),
    ]  # fmt: skip
    assert len(client.bodies[0][1]["batch"]) == 32
    assert usage.waiting() == {}


def test_counts_made_while_a_call_is_on_its_way_go_together_in_the_next():
    client = RecordingClient()
    client.gate.clear()  # the first call hangs until the gate opens
    usage = UsageCounts(client, today=lambda: DAY, interval=0)
    usage.count(ASKED, "traffic_stops", "en", "webchat")
    time.sleep(0.05)
    for _ in range(50):
        usage.count(ASKED, "traffic_stops", "en", "webchat")
        usage.count(HELPED, "traffic_stops", "en", "webchat")
    assert threading.active_count() < 10  # one sender, not one thread per count
    client.gate.set()
    settle(usage)
    assert len(client.bodies) == 2
    second = {(c["kind"], c["n"]) for c in client.bodies[1][1]["counts"]}
    assert second == {("asked", 50), ("helped", 50)}


def test_counts_wait_when_the_console_cannot_take_them_and_the_call_is_tried_again():
    client = RecordingClient(works=False)
    usage = UsageCounts(client, today=lambda: DAY, interval=0, retry=0.2)
    usage.count(ASKED, "home_visits", "en", None)
    time.sleep(0.1)
    assert usage.waiting() == {Row("2026-12-06", "asked", "home_visits", "en", "rest"): 1} and usage._sending
    usage.count(ASKED, "home_visits", "en", None)  # meanwhile: waits for the call after
    client.works = True
    settle(usage)  # no new count needed: the failed call is tried again by itself
    failed, again, new = (body for _, body in client.bodies)
    assert again == failed  # sent again as it was, with its batch id: the console counts it once
    assert new["batch"] != failed["batch"] and new["counts"][0]["n"] == 1 and usage.waiting() == {}


def test_what_waits_is_bounded_and_each_call_is_too():
    client = RecordingClient(works=False)
    usage = UsageCounts(client, today=lambda: DAY, interval=0, retry=60)
    for i in range(MAX_WAITING + 10):
        usage._waiting[Row("2026-12-06", "asked", f"t{i}", "en", "rest")] += 1
    usage.count(ASKED, "one_more_topic", "en", "rest")
    time.sleep(0.2)  # the first call fails; the next would come in a minute
    assert len(usage.waiting()) == MAX_WAITING + 10  # the new one was dropped, nothing else lost
    assert all(len(body["counts"]) <= MAX_ROWS for _, body in client.bodies)


def test_without_a_console_nothing_is_counted_or_sent():
    client = ConsoleClient("", "")
    usage = UsageCounts(client)
    usage.count(ASKED, "home_visits", "en", "rest")
    assert usage.waiting() == {} and not usage._sending


def test_calls_are_at_least_an_interval_apart_whatever_the_load():
    client = RecordingClient()
    usage = UsageCounts(client, today=lambda: DAY, interval=0.3)
    start, answered = time.monotonic(), 0
    while time.monotonic() - start < 1.0:  # a count every 10 ms for a second: about 100 answers
        usage.count(ASKED, "traffic_stops", "en", "webchat")
        answered += 1
        time.sleep(0.01)
    settle(usage)
    assert 3 <= len(client.bodies) <= 5  # one at once, then one every 0.3 s
    assert sum(c["n"] for _, body in client.bodies for c in body["counts"]) == answered
