"""nlu_pipeline/spacy_components.py's compact lemma tables: every word form
gets the lemma spaCy's own table gives it, as text, and the same again after
the build writes the tables and a pipeline reads them back; a form not in a
table gets none."""

import numpy as np
import pytest
import yaml
from spacy.lookups import load_lookups

from devtools.paths import PROJECT
from nlu_pipeline.spacy_components import BilingualLookupLemmatizer, LemmaTable
from policy_assistant.text import fold


@pytest.fixture(scope="module", params=["en", "es", "fr"])
def tables(request, tmp_path_factory):
    """spaCy's table of a language, and ours made from it, written and read back."""
    code = request.param
    spacys = load_lookups(code, ["lemma_lookup"]).get_table("lemma_lookup")
    folder = tmp_path_factory.mktemp(code)
    LemmaTable.of(spacys).save(folder, code)
    return code, spacys, LemmaTable.load(folder, code)


def training_words():
    words = set()
    for path in (PROJECT / "data" / "nlu").glob("*/*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                words.update(w for w in line.lower().split() if w != "-")
    return sorted(words | {fold(w) for w in words})


def test_every_form_has_the_lemma_spacys_table_gives_it(tables):
    _, spacys, ours = tables
    keys = np.fromiter(spacys.keys(), dtype=np.uint64, count=len(spacys))
    at = ours.keys.searchsorted(keys)
    assert (ours.keys[at] == keys).all()
    for i, lemma in zip(at[::97], list(spacys.values())[::97], strict=True):
        n = int(ours.numbers[i])
        assert ours.text[int(ours.ends[n - 1]) if n else 0 : int(ours.ends[n])] == str(lemma)


def test_the_training_datas_words_get_what_spacys_table_gives_them(tables):
    _, spacys, ours = tables
    words = training_words()
    found = [w for w in words if spacys.get(w) is not None]
    assert len(found) > 100
    assert [ours.get(w) for w in words] == [None if spacys.get(w) is None else str(spacys.get(w)) for w in words]


def test_a_form_in_no_table_gets_no_lemma(tables):
    _, _, ours = tables
    assert [ours.get(w) for w in ["", "zzqxv", "x" * 300, "911"]] == [None, None, None, None]


def test_the_lemmatizer_reads_back_what_it_wrote(tmp_path):
    built = BilingualLookupLemmatizer("lemmatizer", ["en", "es", "ar"])
    built.initialize()
    built.to_disk(tmp_path)
    read = BilingualLookupLemmatizer("lemmatizer", ["en", "es", "ar"]).from_disk(tmp_path)
    assert sorted(read.tables) == ["en", "es"]  # Arabic has no table
    for word in ["officers", "policías", "papeles", "asking"]:
        assert read.tables["en"].get(word) == built.tables["en"].get(word)
        assert read.tables["es"].get(word) == built.tables["es"].get(word)
    assert read.tables["es"].get("policías") == "policía"
