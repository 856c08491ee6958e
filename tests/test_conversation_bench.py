"""How make conversation-bench judges a reply (devtools/conversation_bench.py),
on the real store, and that its held-out conversations are well formed."""

import pytest

from devtools import conversation_bench as bench
from devtools.paths import STORE
from policy_assistant import answers
from policy_assistant.store import load_store

store = load_store(STORE)


def rest(reply: answers.Reply) -> list:
    """A reply as the REST channel sends it: its text, then its payload."""
    return [{"text": reply.text}] + ([{"custom": reply.payload}] if reply.payload else [])


def test_a_topic_turn_is_right_only_with_its_topic_in_its_language():
    expect = {"kind": "topic", "topic": "home_visits", "lang": "es"}
    assert bench.right(store, expect, rest(answers.answer_topic(store, "home_visits", "es")))
    assert not bench.right(store, expect, rest(answers.answer_topic(store, "home_visits", "en")))
    assert not bench.right(store, expect, rest(answers.answer_topic(store, "traffic_stops", "es")))
    assert not bench.right(store, expect, rest(answers.fixed_reply(store, "emergency", "es")))


def test_a_fixed_reply_or_follow_up_is_right_only_as_the_store_words_it_in_that_language():
    thanks = {"kind": "small_talk", "reply": "thank", "lang": "es"}
    assert bench.right(store, thanks, rest(answers.fixed_reply(store, "thank", "es")))
    assert not bench.right(store, thanks, rest(answers.fixed_reply(store, "thank", "en")))
    who = {"kind": "follow_up", "follow_up": "who", "topic": "home_visits", "lang": "en"}
    assert bench.right(store, who, rest(answers.follow_up(store, "who", "home_visits", "en")))
    assert not bench.right(store, who, rest(answers.follow_up(store, "who", "traffic_stops", "en")))
    assert bench.what_it_got(store, rest(answers.fixed_reply(store, "emergency", "en"))) == "emergency in en"


def test_a_language_switch_after_an_answer_must_say_that_answer_again():
    expect = {"kind": "language_switch", "topic": "home_visits", "lang": "es"}
    assert bench.right(store, expect, rest(answers.language_switched(store, "es", "home_visits")))
    assert not bench.right(store, expect, rest(answers.language_switched(store, "es", None)))
    before = {"kind": "language_switch", "topic": None, "lang": "es"}
    assert bench.right(store, before, rest(answers.language_switched(store, "es", None)))


@pytest.mark.parametrize(
    "chat",
    bench.conversations()
    + [c for name in sorted(bench.READABLE) for c in bench.conversations(bench.FOLDER / f"{name}.yml")],
    ids=lambda c: c["id"],
)
def test_every_conversation_is_well_formed(chat):
    # each check names the conversation only: a held-out turn's text is never shown
    assert 3 <= len(chat["turns"]) <= 6, chat["id"]
    for n, turn in enumerate(chat["turns"], 1):
        expect, where = turn["expect"], f"{chat['id']} turn {n}"
        assert bool(turn["text"]), where
        assert expect["kind"] in bench.KINDS and expect["lang"] in store.languages, where
        if expect["kind"] in ("topic", "follow_up") or expect.get("topic"):
            assert expect["topic"] in store.topics, where
        if expect["kind"] in ("refusal", "small_talk"):
            assert expect["reply"] in store.replies, where
