"""Compare language identifiers that ship their model, on the short texts
this assistant gets: messages in languages it does not speak
(tests/nlu/unsupported_languages.yml) must not be taken for English or
Spanish, and English and Spanish messages (the NLU training examples) must
not be taken for anything else. Prints accuracy and time per message.

Usage: .venv/bin/python -m devtools.compare_language_detectors"""

from __future__ import annotations

import statistics
import time
from typing import Callable, Dict, List, Tuple

import yaml

from devtools.paths import PROJECT

SPOKEN = {"en", "es"}


def examples() -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    other = yaml.safe_load((PROJECT / "tests" / "nlu" / "unsupported_languages.yml").read_text(encoding="utf-8"))
    foreign = [(code, text) for code, texts in other.items() for text in texts]
    spoken = []
    for lang in sorted(SPOKEN):
        for f in sorted((PROJECT / "data" / "nlu" / lang).glob("*.yml")):
            for block in yaml.safe_load(f.read_text(encoding="utf-8")).get("nlu", []):
                for line in block.get("examples", "").splitlines():
                    if line.strip().startswith("- "):
                        spoken.append((lang, line.strip()[2:]))
    return foreign, spoken


def lingua_detector() -> Callable[[str], str | None]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    return detect


def langdetect_detector() -> Callable[[str], str | None]:
    import langdetect

    langdetect.DetectorFactory.seed = 0

    def detect(text: str) -> str | None:
        try:
            return str(langdetect.detect(text)).split("-")[0]
        except langdetect.LangDetectException:
            return None

    return detect


def report(
    name: str,
    make: Callable[[], Callable[[str], str | None]],
    foreign: List[Tuple[str, str]],
    spoken: List[Tuple[str, str]],
) -> None:
    start = time.perf_counter()
    detect = make()
    load = time.perf_counter() - start
    times: List[float] = []
    verdicts = {}
    for _, text in foreign + spoken:
        t0 = time.perf_counter()
        verdicts[text] = detect(text)
        times.append(time.perf_counter() - t0)
    per_lang: Dict[str, List[bool]] = {}
    for code, text in foreign:
        per_lang.setdefault(code, []).append(verdicts[text] not in SPOKEN)
    short = [(c, t) for c, t in spoken if len(t.split()) <= 4]
    caught = sum(sum(v) for v in per_lang.values())
    kept = sum(verdicts[t] in SPOKEN or verdicts[t] is None for _, t in spoken)
    kept_short = sum(verdicts[t] in SPOKEN or verdicts[t] is None for _, t in short)
    print(f"\n{name}: load {load:.1f} s, median {statistics.median(times) * 1000:.2f} ms/message")
    print(
        f"  not spoken, recognised as not en/es: {caught}/{len(foreign)} "
        + " ".join(f"{c}:{sum(v)}/{len(v)}" for c, v in per_lang.items())
    )
    print(f"  en/es not taken for another language: {kept}/{len(spoken)} (<= 4 words: {kept_short}/{len(short)})")


def shipped_gate() -> Callable[[str], str | None]:
    """The rule the assistant uses (policy_assistant.text.foreign_language):
    None means "treat as English or Spanish"."""
    from policy_assistant.text import foreign_language

    return foreign_language


def main() -> None:
    foreign, spoken = examples()
    print(f"{len(foreign)} messages in languages not spoken, {len(spoken)} English/Spanish training examples")
    report("lingua-language-detector (all languages, top guess)", lingua_detector, foreign, spoken)
    report("langdetect (top guess)", langdetect_detector, foreign, spoken)
    report("the assistant's gate (lingua, 11 languages, thresholds)", shipped_gate, foreign, spoken)


if __name__ == "__main__":
    main()
