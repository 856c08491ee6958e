"""spaCy component of the project's pipeline: a lookup lemmatizer over the
tables of spacy-lookups-data for the languages the assistant speaks
(`languages` in nlu_pipeline/config.cfg; the tables exist for English, Spanish
and French, and a language without one keeps its words' own forms).

Each message is scored against every language's stop words and only the table
of the clearly more likely language is used (an English word missing from the
English table must not get a Spanish lemma: "ice" is not "izar"); with no clear
winner, words keep their own form. Terms the entity ruler marked (ICE, LMPD,
la migra, ...) keep their own form too. Lemmas are lower-cased and stripped of
accents, so "policía", "Policia" and "policias" meet in one feature
whether or not the person typed the accents.

The tables are kept, and written to disk, compact (LemmaTable): spaCy's own
tables hold a Python number and string for each of their 750,000 word forms,
and took 257 MiB of the Rasa server's memory (docs/results.md, twentieth
session). The stop words are copied out of spaCy's language classes at build
time and written beside the tables: importing French's class alone compiles
its tokenizer's exceptions, seconds in every process that loaded the pipeline
(docs/results.md, twenty-third session)."""

from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping

import numpy as np
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import get_lang_class

from policy_assistant.text import detect, fold

FACTORY = "bilingual_lookup_lemmatizer"


@Language.factory(FACTORY, default_config={"languages": ["en", "es"]})
def make_lemmatizer(nlp: Language, name: str, languages: List[str]) -> "BilingualLookupLemmatizer":
    return BilingualLookupLemmatizer(name, languages)


def stop_words(code: str) -> frozenset:
    """spaCy's stop words of a language, folded; none for a language it has no class for."""
    try:
        return frozenset(fold(w) for w in get_lang_class(code).Defaults.stop_words)
    except ImportError:  # spaCy's E048: no such language
        return frozenset()


class LemmaTable:
    """One language's lemma table, read-only: the hashes of its word forms in
    one sorted array, each pointing to one of the distinct lemmas, which are
    one text with an array of where each ends. Looked up as spaCy's
    `Table.get` looks up, by spaCy's hash of the form; no Python object per
    form or lemma."""

    def __init__(self, keys: np.ndarray, numbers: np.ndarray, text: str, ends: np.ndarray) -> None:
        self.keys, self.numbers, self.text, self.ends = keys, numbers, text, ends

    @classmethod
    def of(cls, table: Mapping[int, Any]) -> "LemmaTable":
        """spaCy's table (spacy-lookups-data's), compact. Each lemma as text:
        the French table holds each as a one-item list, which the lemmatizer
        has always written out as its text ("['avoir']"); the trained model's
        features are those texts."""
        values = [str(value) for value in table.values()]
        lemmas = sorted(set(values))
        number = {lemma: i for i, lemma in enumerate(lemmas)}
        keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
        numbers = np.fromiter((number[lemma] for lemma in values), dtype=np.uint32, count=len(table))
        order = np.argsort(keys)
        ends = np.cumsum([len(lemma) for lemma in lemmas], dtype=np.int64)
        return cls(keys[order], numbers[order], "".join(lemmas), ends)

    def get(self, form: str) -> str | None:
        key = np.uint64(get_string_id(form))
        i = int(self.keys.searchsorted(key))
        if i == len(self.keys) or self.keys[i] != key:
            return None
        n = int(self.numbers[i])
        return self.text[int(self.ends[n - 1]) if n else 0 : int(self.ends[n])]

    # on disk: numpy's own format for the arrays (no pickle), UTF-8 for the
    # text, read back byte for byte (no newline translation)
    ARRAYS = ("keys", "numbers", "ends")

    @staticmethod
    def file(folder: Path, code: str, part: str) -> Path:
        return folder / (f"{code}_lemmas.txt" if part == "text" else f"{code}_{part}.npy")

    def save(self, folder: Path, code: str) -> None:
        for name in self.ARRAYS:
            np.save(self.file(folder, code, name), getattr(self, name), allow_pickle=False)
        self.file(folder, code, "text").write_bytes(self.text.encode("utf-8"))

    @classmethod
    def load(cls, folder: Path, code: str) -> "LemmaTable | None":
        """The language's table in `folder`; None when the build wrote none."""
        if not cls.file(folder, code, "text").is_file():
            return None
        keys, numbers, ends = (np.load(cls.file(folder, code, name), allow_pickle=False) for name in cls.ARRAYS)
        return cls(keys, numbers, cls.file(folder, code, "text").read_bytes().decode("utf-8"), ends)


# the file spaCy's own Lookups write, which earlier builds of this pipeline held
OLD_FORMAT = "lookups.bin"


class BilingualLookupLemmatizer:
    def __init__(self, name: str, languages: List[str]):
        self.name = name
        self.languages = list(languages)
        self.tables: Dict[str, LemmaTable] = {}  # by language code
        # by language code, from the build (initialize, then from_disk); a
        # language spaCy has no class for (Swahili, Somali) has none, and its
        # words keep their own form
        self.stop_words: Dict[str, frozenset] = {}

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, nlp: Language | None = None) -> None:
        """Copy the lemma tables out of spacy-lookups-data and the stop words out
        of spaCy's language classes (at build time). A language with no table
        (Arabic) keeps its words' own forms."""
        self.stop_words = {code: stop_words(code) for code in self.languages}
        for code in self.languages:
            try:
                table = load_lookups(code, ["lemma_lookup"]).get_table("lemma_lookup")
            except ValueError:  # spaCy's E955: no such table for the language
                continue
            self.tables[code] = LemmaTable.of(table)

    def language_of(self, doc: Doc) -> str | None:
        return detect([fold(t.text) for t in doc], self.stop_words)

    def __call__(self, doc: Doc) -> Doc:
        code = self.language_of(doc)
        table = self.tables.get(code) if code else None
        for token in doc:
            lower = token.lower_
            lemma = None
            if table is not None and not token.ent_type:
                lemma = table.get(lower) or table.get(fold(lower))
            token.lemma_ = fold(lemma or lower)
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for code, table in self.tables.items():
            table.save(path, code)
        for code, words in self.stop_words.items():  # sorted: the same build, the same bytes
            self.stop_words_file(path, code).write_bytes("".join(f"{w}\n" for w in sorted(words)).encode("utf-8"))

    @staticmethod
    def stop_words_file(folder: Path, code: str) -> Path:
        return folder / f"{code}_stop_words.txt"

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "BilingualLookupLemmatizer":
        if (path / OLD_FORMAT).exists():
            # read as it is, it would have no table: every word its own lemma
            raise ValueError(f"{path} holds lemma tables in spaCy's format, from an older build: rebuild (make spacy)")
        missing = [code for code in self.languages if not self.stop_words_file(path, code).is_file()]
        if missing:
            # read as it is, no message would have a language: every word its own lemma
            raise ValueError(f"{path} holds no stop words for {missing}, from an older build: rebuild (make spacy)")
        self.stop_words = {
            code: frozenset(w for w in self.stop_words_file(path, code).read_bytes().decode("utf-8").split("\n") if w)
            for code in self.languages
        }
        loaded = {code: LemmaTable.load(path, code) for code in self.languages}
        self.tables = {code: table for code, table in loaded.items() if table is not None}
        return self
