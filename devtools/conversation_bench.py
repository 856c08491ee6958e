"""The held-out conversations of issue 28 (tests/conversations/heldout.yml):
multi-turn chats written by someone who had not read the training data, never
moved into it; and two development sets written the same way by other hands
(dev.yml; dev2.yml, written later with more of the kinds of turn that failed),
the only ones whose failing turns may be read (`--set dev --errors`,
`--set dev2 --errors`), to
learn what KIND of turn fails. Never copy any of them into training.
Each turn says what the reply should be: a topic, a refusal,
small talk, a follow-up about the last topic (who, when, more) or a language
switch that repeats the last answer in the language asked for, and in which
language.

The conversations go through the real servers, as `make run` starts them
(devtools.servers), over the REST channel, one conversation id each. A reply
is judged by what the person sees: it is right when it is the reply the store
gives for the expected kind, topic and language (policy_assistant.answers
makes the expected reply; a topic answer is judged by its payload's topic and
language). The turns' texts are never printed: per turn kind, how many were
right, what the wrong ones got instead (a kind, never a text), and whole
conversations right.

A benchmark: it prints numbers and asserts nothing.
Usage: make conversation-bench, or python -m devtools.conversation_bench
[--set heldout|dev|dev2] [--errors] [--model PATH]"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from devtools.paths import MODEL, PROJECT
from devtools.servers import Servers, payloads
from policy_assistant import answers
from policy_assistant.store import Store, load_store

FOLDER = PROJECT / "tests" / "conversations"
CONVERSATIONS = FOLDER / "heldout.yml"
READABLE = {"dev", "dev2"}  # the only sets whose failing turns may be printed
KINDS = ("topic", "refusal", "small_talk", "follow_up", "language_switch")


def conversations(path: Path = CONVERSATIONS) -> List[Dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"])


def reply_text(reply: List[Dict[str, Any]]) -> str:
    """The reply's text messages as one text (Rasa sends each paragraph of a
    reply without buttons as a message of its own)."""
    return "\n\n".join(m["text"] for m in reply if m.get("text"))


def expected_text(store: Store, expect: Dict[str, Any]) -> str:
    """The text of the reply the store gives for a turn's expectation (not a topic answer's)."""
    kind, lang = expect["kind"], expect["lang"]
    if kind == "follow_up":
        return answers.follow_up(store, expect["follow_up"], expect.get("topic"), lang).text
    if kind == "language_switch":  # with no answer yet: it switches and says so
        return answers.message(store, "language_switched", lang)
    return answers.fixed_reply(store, expect["reply"], lang).text


def topic_answered(reply: List[Dict[str, Any]]) -> Tuple[str, str] | None:
    found = [p for p in payloads(reply) if "topic" in p]
    return (found[0]["topic"], found[0]["lang"]) if found else None


def right(store: Store, expect: Dict[str, Any], reply: List[Dict[str, Any]]) -> bool:
    answered = topic_answered(reply)
    if expect["kind"] == "topic" or (expect["kind"] == "language_switch" and expect.get("topic")):
        return answered == (expect["topic"], expect["lang"])
    if expect["kind"] == "refusal" and expect["reply"] == "unsupported_language":
        # the reply to a language not spoken is in every language the assistant speaks
        return answered is None and answers.unsupported_message(store, expect["lang"]) in reply_text(reply)
    return answered is None and reply_text(reply) == expected_text(store, expect)


def what_it_got(store: Store, reply: List[Dict[str, Any]]) -> str:
    """What a wrong reply was, as a kind (never the text)."""
    answered = topic_answered(reply)
    if answered:
        return f"topic in {answered[1]}"
    text = reply_text(reply)
    for lang in store.languages:
        for intent in store.replies:
            if text == answers.fixed_reply(store, intent, lang).text:
                return f"{intent} in {lang}"
        if text == answers.message(store, "language_switched", lang):
            return f"language_switched in {lang} (no repeat)"
        if text == answers.message(store, "no_topic_yet", lang):
            return f"no_topic_yet in {lang}"
    return "a follow-up or another reply"


def run(model: Path, name: str = "heldout", errors: bool = False) -> None:
    if errors and name not in READABLE:
        raise SystemExit(f"the failing turns of '{name}' stay unread: --errors is for {sorted(READABLE)}")
    path = FOLDER / f"{name}.yml"
    store = load_store(PROJECT / "answer_store")
    chats = conversations(path)
    wrong_turns: List[str] = []
    per_kind: Dict[str, Counter] = defaultdict(Counter)
    wrong_got: Dict[str, Counter] = defaultdict(Counter)
    whole: Counter = Counter()
    with tempfile.TemporaryDirectory() as work:
        servers = Servers(Path(work), model=model)
        try:
            servers.start()
            for chat in chats:
                sender = f"bench-{uuid.uuid4().hex}"
                all_right = True
                for turn in chat["turns"]:
                    expect = turn["expect"]
                    reply = servers.ask(turn["text"], sender=sender)
                    ok = right(store, expect, reply)
                    per_kind[expect["kind"]]["right" if ok else "wrong"] += 1
                    if not ok:
                        got = what_it_got(store, reply)
                        wrong_got[expect["kind"]][got] += 1
                        wrong_turns.append(f"  {chat['id']}: {turn['text']!r}: {expect} -> {got}")
                    all_right = all_right and ok
                whole["right" if all_right else "wrong"] += 1
        finally:
            servers.stop()
    turns = sum(sum(c.values()) for c in per_kind.values())
    correct = sum(c["right"] for c in per_kind.values())
    print(f"{len(chats)} conversations, {turns} turns ({path.relative_to(PROJECT)})")
    print(f"  {'turn kind':<16} {'right':>6} {'turns':>6} {'share':>6}  wrong ones got")
    for kind in KINDS:
        counts = per_kind[kind]
        total = counts["right"] + counts["wrong"]
        if total:
            got = ", ".join(f"{what} ×{n}" for what, n in wrong_got[kind].most_common())
            print(f"  {kind:<16} {counts['right']:>6} {total:>6} {counts['right'] / total:>6.3f}  {got}")
    print(f"  {'all turns':<16} {correct:>6} {turns:>6} {correct / turns:>6.3f}")
    print(f"  whole conversations right: {whole['right']} of {len(chats)} ({whole['right'] / len(chats):.3f})")
    if errors:  # a readable set only (checked above)
        print("the wrong turns:", *wrong_turns, sep="\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--set", dest="name", choices=["heldout", *sorted(READABLE)], default="heldout")
    parser.add_argument("--errors", action="store_true", help="print each wrong turn (dev only)")
    args = parser.parse_args()
    run(args.model, args.name, args.errors)


if __name__ == "__main__":
    main()
