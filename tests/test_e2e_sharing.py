"""Sharing a question the assistant did not understand, and "did this help?"
(issue 29), through
the running servers and the staff console, as `make run` starts them: the
offer shows the scrubbed text, nothing is kept before the yes, the yes puts
exactly that text in the console's database, and neither the name nor the
question ever reaches a server's log. (Redis: tests/test_scaled.py.)"""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from policy_assistant.answers import SHARE_PAYLOAD
from policy_assistant.live_store import shared_store
from policy_assistant.scrub import REMOVED
from staff_console.usage import SCHEMA as USAGE_SCHEMA

pytestmark = pytest.mark.e2e
store = shared_store().get()
EN = store.language("en").messages
# a made-up word, so that the question is one the assistant cannot understand
# and can be searched for wherever it must never be
MARKER = "quorbleflax"
NAME = "Rosalind"
QUESTION = f"My neighbour {NAME} says the {MARKER} rule changed last month, is that right?"
SCRUBBED = f"My neighbour {REMOVED} says the {MARKER} rule changed last month, is that right?"


def sender() -> str:
    return f"share-{uuid.uuid4().hex[:10]}"


def kept(console) -> list[tuple[str, str, str]]:
    with sqlite3.connect(console.db) as db:
        return db.execute("SELECT text, lang, channel FROM shared_questions ORDER BY id").fetchall()


def offer_of(messages) -> dict:
    [offer] = [m for m in messages if any(b.get("payload") == SHARE_PAYLOAD for b in m.get("buttons") or [])]
    return offer


def test_a_question_not_understood_is_kept_only_after_yes_scrubbed_and_never_logged(live, console):
    before = kept(console)
    me = sender()
    offer = offer_of(live.ask(QUESTION, sender=me))
    assert f'"{SCRUBBED}"' in offer["text"] and NAME not in offer["text"]
    assert kept(console) == before  # nothing kept before the yes
    thanks = live.ask(SHARE_PAYLOAD, sender=me)
    assert [m["text"] for m in thanks] == [EN["share_thanks"].format(text=SCRUBBED)]
    assert kept(console) == [*before, (SCRUBBED, "en", "rest")]
    # the offer was used: a second yes shares nothing
    assert [m["text"] for m in live.ask(SHARE_PAYLOAD, sender=me)] == [EN["share_expired"]]
    assert len(kept(console)) == len(before) + 1
    for log in (live.rasa_log, live.actions_log, console.log):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert MARKER not in text and NAME not in text, log


def test_any_other_message_after_the_offer_forgets_the_question(live, console):
    before = kept(console)
    me = sender()
    offer_of(live.ask(f"my friend {NAME} says the {MARKER} list is new, what does it mean", sender=me))
    live.ask("will the police ask about my immigration status?", sender=me)
    assert [m["text"] for m in live.ask(SHARE_PAYLOAD, sender=me)] == [EN["share_expired"]]
    assert kept(console) == before


def test_spanish_offer_and_thanks_in_spanish(live, console):
    me = sender()
    es = store.language("es").messages
    offer = offer_of(live.ask(f"oiga mi comadre Rosalinda dice que el {MARKER} ya no pasa los martes", sender=me))
    assert es["share_button"] in [b["title"] for b in offer["buttons"]] and "Rosalinda" not in offer["text"]
    thanks = live.ask(SHARE_PAYLOAD, sender=me)
    assert thanks[0]["text"].startswith(es["share_thanks"].split("{")[0])
    assert kept(console)[-1][1:] == ("es", "rest")


def usage_now(console) -> dict:
    with sqlite3.connect(console.db) as db:
        db.executescript(USAGE_SCHEMA)
        rows = db.execute("SELECT kind, topic, lang, channel, SUM(n) FROM usage_per_day GROUP BY 1, 2, 3, 4").fetchall()
    return {tuple(row[:4]): row[4] for row in rows}


def until(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return check()


def test_an_answer_asks_if_it_helped_a_no_offers_to_share_and_both_are_counted(live, console):
    """'Did this help?' end to end: the answer asks it, the tap is counted in
    the console's database (a count, not a word of the question), a no
    offers to share the question that got the answer, and yes keeps it."""
    question = f"will police ask my status if they stop my car, my cousin {NAME} wants to know"
    # counts that waited while another module's console was down go with the
    # next one: send one, and wait until they are all in
    home = ("asked", "home_visits", "en", "rest")
    home_before = usage_now(console).get(home, 0)
    live.ask("/home_visits", sender=sender())
    assert until(lambda: usage_now(console).get(home, 0) > home_before)  # they go in the same call
    before, kept_before = usage_now(console), kept(console)
    me = sender()
    answer = live.ask(question, sender=me)
    [asked] = [m for m in answer if m.get("buttons") and EN["rating_question"] in m.get("text", "")]
    topic = next(m["custom"]["topic"] for m in answer if "custom" in m)
    assert [b["payload"] for b in asked["buttons"][-2:]] == ["/answer_helped", "/answer_not_helped"]
    sorry = live.ask("/answer_not_helped", sender=me)
    assert sorry[0]["text"].startswith(EN["rating_sorry"])
    scrubbed = f"will police ask my status if they stop my car, my cousin {REMOVED} wants to know"
    assert f'"{scrubbed}"' in offer_of(sorry)["text"]
    live.ask(SHARE_PAYLOAD, sender=me)
    assert kept(console) == [*kept_before, (scrubbed, "en", "rest")]
    # a second tap is thanked but not counted again
    assert live.ask("/answer_helped", sender=me)[0]["text"] == EN["rating_thanks"]

    def added(key) -> int:
        return usage_now(console).get(key, 0) - before.get(key, 0)

    assert until(lambda: added(("not_helped", topic, "en", "rest")) == 1 and added(("asked", topic, "en", "rest")) == 1)
    time.sleep(1)  # nothing more arrives
    assert added(("helped", topic, "en", "rest")) == 0 and added(("not_helped", topic, "en", "rest")) == 1
    with sqlite3.connect(console.db) as db:
        everything = " ".join(str(v) for row in db.execute("SELECT * FROM usage_per_day") for v in row)
    assert NAME not in everything and "cousin" not in everything and me not in everything
    for log in (live.rasa_log, live.actions_log, console.log):
        assert NAME not in log.read_text(encoding="utf-8", errors="replace"), log
