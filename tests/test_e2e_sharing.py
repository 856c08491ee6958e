"""Sharing a question the assistant did not understand (issue 29), through
the running servers and the staff console, as `make run` starts them: the
offer shows the scrubbed text, nothing is kept before the yes, the yes puts
exactly that text in the console's database, and neither the name nor the
question ever reaches a server's log. (Redis: tests/test_scaled.py.)"""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from policy_assistant.answers import SHARE_PAYLOAD
from policy_assistant.live_store import shared_store
from policy_assistant.scrub import REMOVED

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
