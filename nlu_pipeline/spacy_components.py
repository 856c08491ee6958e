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
whether or not the person typed the accents."""

from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

from spacy.language import Language
from spacy.lookups import Lookups, load_lookups
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


class BilingualLookupLemmatizer:
    def __init__(self, name: str, languages: List[str]):
        self.name = name
        self.languages = list(languages)
        self.lookups = Lookups()
        # a language spaCy has no class for (Swahili, Somali) has no stop words
        # here, and its words keep their own form
        self.stop_words: Dict[str, frozenset] = {code: stop_words(code) for code in self.languages}

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, nlp: Language | None = None) -> None:
        """Copy the lemma tables out of spacy-lookups-data (at build time). A
        language it has no table for (Arabic) keeps its words' own forms."""
        for code in self.languages:
            try:
                table = load_lookups(code, ["lemma_lookup"]).get_table("lemma_lookup")
            except ValueError:  # spaCy's E955: no such table for the language
                continue
            self.lookups.set_table(f"{code}_lemma_lookup", table)

    def language_of(self, doc: Doc) -> str | None:
        return detect([fold(t.text) for t in doc], self.stop_words)

    def __call__(self, doc: Doc) -> Doc:
        code = self.language_of(doc)
        name = f"{code}_lemma_lookup"
        table = self.lookups.get_table(name) if code and self.lookups.has_table(name) else None
        for token in doc:
            lower = token.lower_
            lemma = None
            if table is not None and not token.ent_type:
                lemma = table.get(lower) or table.get(fold(lower))
            token.lemma_ = fold(lemma or lower)
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        self.lookups.to_disk(path)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "BilingualLookupLemmatizer":
        self.lookups.from_disk(path)
        return self
