"""The held-out benchmarks of issue 7. Sets of files in tests/nlu/, each
written by someone who had not read the training data, and never moved into it:

* `bench` (bench_*.yml): the first benchmark;
* `bench2` (bench2_*.yml) and `bench3` (bench3_*.yml): written later by other
  hands (bench3 with a persona per group of questions), each measured only at
  the end of a round of work;
* `bench4` (bench4_*.yml): written after the last change to the model it first
  measured (the averaged classifiers), so that one figure was never looked at
  while the model was being made;
* `bench5` (bench5_*.yml): written while the fifth round of training data was
  being written (by other hands, unseen by each other); measured first on the
  model that round made, then once more when the DIETs' epochs went from 60 to
  50 for training time (chosen before that second look);
* since then, all five read as totals and per-language and per-category
  figures only, to judge candidate models by rules set down before each look
  (the first three looks are in issue 7's notes, every later one in
  docs/results.md);
* `dev` (dev_*.yml): the development set, the only one whose single failing
  questions may be read (`--errors`), to learn what KIND of message fails.
  Never copy its questions, or close variants, into training. With it,
  danger_dev.yml: how many messages of danger right now get the emergency
  reply, and how many look-alikes do not, per language (not with --json:
  the retraining gate reads the intents' figures only).

And tests/nlu/unsupported_languages.yml. Prints, for the trained model and its
whole NLU pipeline (gates included):

* accuracy per language and category (the intent people meant);
* how often other places, own cases and chit-chat got no policy topic;
* what messages in languages the assistant does not speak got;
* the confusions, most frequent first.

A benchmark: it prints numbers and asserts nothing (the gates that must hold
are in tests/test_nlu_holdout.py).
Usage: make nlu-bench (every benchmark), make nlu-dev (dev, with its
errors), or python -m devtools.nlu_bench [--set NAME ...] [--errors] [--model PATH]
[--json PATH] (the figures per set, language and category, for the retraining
gate, devtools/nlu_gate.py)"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from devtools.nlu_evaluation import load_agent
from devtools.paths import MODEL, PROJECT
from policy_assistant.answers import closest_topics
from policy_assistant.context import ranked_confidences
from policy_assistant.names import EMERGENCY, NLU_FALLBACK

NLU = PROJECT / "tests" / "nlu"
SETS = ("bench", "bench2", "bench3", "bench4", "bench5", "dev")
READABLE = {"dev"}  # the only set whose single questions may be printed
REJECT = {"other_place", "own_case", "chit_chat"}  # categories whose answer must carry no policy topic
# the development set of the emergency reply: messages of danger right now, and
# look-alikes that are not (text, lang, urgent); read with the dev set
DANGER = NLU / "danger_dev.yml"


def policy_topics() -> set:
    return {p.stem for p in (PROJECT / "answer_store" / "topics").glob("*.yml")}


def examples(path: Path) -> List[Tuple[str, str, str]]:
    """(text, intent, category) of a bench file."""
    from rasa.shared.nlu.training_data.loading import load_data

    found = []
    for message in load_data(str(path)).intent_examples:
        metadata = message.get("metadata") or {}
        category = (metadata.get("example") or {}).get("category", "uncategorised")
        found.append((message.get("text"), message.get("intent"), category))
    return found


def parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(run())


def bench_files(name: str) -> List[Path]:
    return sorted(NLU.glob(f"{name}_*.yml"))


def menu_figures(counts: Counter, digits: int) -> str:
    """Policy questions: the topic answered first; first or in the "not sure"
    menu (issue 27's figure); and offered at all (`offered`)."""
    asked = counts["topic_asked"]
    if not asked:
        return "policy questions: none"
    first, menu, offer = counts["topic_first"], counts["topic_in_menu"], counts["topic_offered"]
    return (
        f"policy questions: topic first {first / asked:.{digits}f} ({first}/{asked}), "
        f"first or in the menu {menu / asked:.{digits}f} ({menu}/{asked}), "
        f"offered {offer / asked:.{digits}f} ({offer}/{asked})"
    )


def figures(category: str, counts: Counter, digits: int) -> str:
    """One category's line: right of asked, and how often it got no policy topic
    where that is what counts."""
    right, asked, kept = counts["right"], counts["asked"], counts["no_topic"]
    line = f"{category:<20} {right / asked:.{digits}f} ({right}/{asked})"
    if category in REJECT:
        line += f"   no policy topic: {kept / asked:.{digits}f} ({kept}/{asked})"
    return line


def in_menu(parsed: Dict[str, Any], expected: str, topics: set) -> bool:
    """The topic meant was offered: answered, or among the closest topics of
    the "not sure I understood" menu (policy_assistant.answers.MENU_SIZE)."""
    return parsed["intent"]["name"] in (expected, NLU_FALLBACK) and offered(parsed, expected, topics)


def offered(parsed: Dict[str, Any], expected: str, topics: set) -> bool:
    """The topic meant was answered, or offered first among the topics the
    question was closest to by the fixed reply it got: the "not sure" menu, and
    also the emergency and "another place" replies, which offer the closest
    topic first (policy_assistant.answers.closest_topics, as the action does)."""
    intent = parsed["intent"]["name"]
    ranked = ranked_confidences(parsed.get("intent_ranking"))
    return intent == expected or expected in closest_topics(intent, ranked, topics)


def report_set(
    agent: Any,
    name: str,
    topics: set,
    errors: bool,
    pooled: Dict[Tuple[str, str], Counter],
    menus: Dict[str, Counter],
) -> Counter:
    """Print one set's figures per file; add its results to `pooled`, per
    (language, category): right, asked, no policy topic; and to `menus`, per
    language: policy questions, topic first, first or in the menu."""
    confusions: Counter = Counter()
    for path in bench_files(name):
        lang = path.stem.split("_", 1)[1]
        rows = examples(path)
        parsed = parse_all(agent, [t for t, _, _ in rows])
        per_category: Dict[str, Counter] = defaultdict(Counter)
        menu: Counter = Counter()
        wrong: List[str] = []
        for (text, expected, category), p in zip(rows, parsed, strict=True):
            predicted = p["intent"]["name"]
            result = {"right": predicted == expected, "asked": 1, "no_topic": predicted not in topics}
            per_category[category].update(result)
            pooled[(lang, category)].update(result)
            if expected in topics:  # a policy question: its topic first, or offered in the menu
                menu.update(
                    {
                        "topic_asked": 1,
                        "topic_first": predicted == expected,
                        "topic_in_menu": in_menu(p, expected, topics),
                        "topic_offered": offered(p, expected, topics),
                    }
                )
            if predicted != expected:
                confusions[(lang, expected, predicted)] += 1
                confidence = p["intent"]["confidence"]
                wrong.append(f"   [{category}] {expected} -> {predicted} ({confidence:.2f}): {text.strip()}")
        menus[lang].update(menu)
        right, asked = (sum(c[key] for c in per_category.values()) for key in ("right", "asked"))
        print(f"\n== {path.name}: intent accuracy {right / asked:.3f} ({right}/{asked})")
        for category, counts in sorted(per_category.items()):
            print(f"   {figures(category, counts, 2)}")
        print(f"   {menu_figures(menu, 2)}")
        if errors:
            print("\n".join(wrong))
    return confusions


def danger_items() -> List[Dict[str, Any]]:
    return yaml.safe_load(DANGER.read_text(encoding="utf-8"))


def emergency_figures(items: List[Dict[str, Any]], got: List[str]) -> Dict[str, Counter]:
    """Per language (and "all"): urgent messages asked and given the emergency
    reply ("caught"), look-alikes asked and not given it ("calm")."""
    counts: Dict[str, Counter] = defaultdict(Counter)
    for item, intent in zip(items, got, strict=True):
        alarmed = intent == EMERGENCY
        for key in (item["lang"], "all"):
            if item["urgent"]:
                counts[key].update({"urgent": 1, "caught": int(alarmed)})
            else:
                counts[key].update({"lookalike": 1, "calm": int(not alarmed)})
    return counts


def danger_intents(agent: Any) -> Tuple[List[Dict[str, Any]], List[str]]:
    """The danger set's messages, and the intent the model's NLU gives each."""
    items = danger_items()
    return items, [p["intent"]["name"] for p in parse_all(agent, [item["text"] for item in items])]


def report_danger(agent: Any, errors: bool) -> None:
    items, got = danger_intents(agent)
    print(f"\n== {DANGER.name}: danger now given the emergency reply; look-alikes not given it")
    for lang, c in sorted(emergency_figures(items, got).items(), key=lambda pair: pair[0] == "all"):
        print(f"   {lang:<4} urgent {c['caught']}/{c['urgent']}   look-alikes {c['calm']}/{c['lookalike']}")
    if errors:
        for item, intent in zip(items, got, strict=True):
            if (intent == EMERGENCY) != item["urgent"]:
                kind = "missed" if item["urgent"] else "false alarm"
                print(f"   [{item['lang']}, {kind}] {intent}: {item['text'].strip()}")


def as_rows(by_set: Dict[str, Dict[Tuple[str, str], Counter]]) -> Dict[str, List[Dict[str, Any]]]:
    """Each set's figures as --json writes them (devtools/nlu_gate.py reads them)."""
    return {
        name: [
            {"lang": lang, "category": category, "right": counts["right"], "asked": counts["asked"]}
            for (lang, category), counts in sorted(pooled.items())
        ]
        for name, pooled in by_set.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="sets", action="append", choices=SETS)
    parser.add_argument("--errors", action="store_true", help="print each failing question (dev set only)")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument(
        "--json", type=Path, help="also write each set's right and asked per language and category here"
    )
    args = parser.parse_args()
    sets = args.sets or [name for name in SETS if name not in READABLE]
    if args.errors and not set(sets) <= READABLE:
        parser.error("--errors is only for the dev set: the benchmarks' single questions stay unread")
    agent = load_agent(args.model)
    topics = policy_topics()
    confusions: Counter = Counter()
    by_set: Dict[str, Dict[Tuple[str, str], Counter]] = {}
    menus: Dict[str, Counter] = defaultdict(Counter)
    for name in sets:
        by_set[name] = defaultdict(Counter)
        confusions += report_set(agent, name, topics, args.errors, by_set[name], menus)
    if "dev" in sets and not args.json:
        report_danger(agent, args.errors)
    if args.json:
        args.json.write_text(json.dumps(as_rows(by_set), indent=1), encoding="utf-8")
    pooled: Dict[Tuple[str, str], Counter] = defaultdict(Counter)
    for per_set in by_set.values():
        for key, counter in per_set.items():
            pooled[key].update(counter)
    if len(sets) > 1:
        print(f"\n== every category, pooled over {' + '.join(sets)}")
        for (lang, category), counts in sorted(pooled.items()):
            print(f"   {lang}  {figures(category, counts, 3)}")
        for lang, counts in sorted(menus.items()):
            print(f"   {lang}  {menu_figures(counts, 3)}")
    other = yaml.safe_load((NLU / "unsupported_languages.yml").read_text(encoding="utf-8"))
    print("\n== unsupported_languages.yml: what messages in languages not spoken got")
    policy = 0
    for code, texts in other.items():
        answers = Counter(p["intent"]["name"] for p in parse_all(agent, texts))
        policy += sum(n for intent, n in answers.items() if intent in topics)
        print(f"   {code}: " + ", ".join(f"{intent} {n}" for intent, n in answers.most_common()))
    print(f"   policy topics given: {policy}")
    print(f"\n== confusions in {' + '.join(sets)} (language, expected -> got), most frequent first")
    for (lang, expected, predicted), n in confusions.most_common(25):
        print(f"   {n:>2}  {lang}  {expected} -> {predicted}")


if __name__ == "__main__":
    main()
