"""nlu_pipeline/spacy_components.py's compact lemma tables: every word form
gets the lemma spaCy's own table gives it, as text, and the same again after
the build writes the tables and a pipeline reads them back; a form not in a
table gets none; the same tables are written to the same bytes; the stop
words, copied from spaCy at build time, are written sorted and read back the
same; a pipeline built with spaCy's own tables, or without stop words, is
refused."""

import pytest
from spacy.lookups import load_lookups
from spacy.util import load_language_data, registry

from devtools.detection_words import NLU, examples
from nlu_pipeline.spacy_components import BilingualLookupLemmatizer, LemmaTable
from policy_assistant.text import fold


@pytest.fixture(scope="module", params=["en", "es", "fr"])
def tables(request, tmp_path_factory):
    """spaCy's table of a language, and ours made from it, written and read
    back; and the forms as spacy-lookups-data lists them."""
    code = request.param
    spacys = load_lookups(code, ["lemma_lookup"]).get_table("lemma_lookup")
    folder = tmp_path_factory.mktemp(code)
    LemmaTable.of(spacys).save(folder, code)
    forms = list(load_language_data(registry.lookups.get(code)["lemma_lookup"]))
    return spacys, LemmaTable.load(folder, code), forms


def training_words():
    words = {
        w for folder in sorted(NLU.iterdir()) for _, text in examples(folder) for w in text.lower().split() if w != "-"
    }
    return sorted(words | {fold(w) for w in words})


def test_every_form_has_the_lemma_spacys_table_gives_it(tables):
    spacys, ours, forms = tables
    assert len(forms) == len(spacys) > 40_000
    assert [ours.get(form) for form in forms] == [str(spacys.get(form)) for form in forms]


def test_the_training_datas_words_get_what_spacys_table_gives_them(tables):
    spacys, ours, _ = tables
    words = training_words()
    found = [w for w in words if spacys.get(w) is not None]
    assert len(found) > 100
    assert [ours.get(w) for w in words] == [None if spacys.get(w) is None else str(spacys.get(w)) for w in words]


def test_a_form_in_no_table_gets_no_lemma(tables):
    _, ours, _ = tables
    assert [ours.get(w) for w in ["", "zzqxv", "x" * 300, "911"]] == [None, None, None, None]


def test_the_lemmatizer_reads_back_what_it_wrote(tmp_path):
    built = BilingualLookupLemmatizer("lemmatizer", ["en", "es", "ar", "sw"])
    built.initialize()
    built.to_disk(tmp_path)
    read = BilingualLookupLemmatizer("lemmatizer", ["en", "es", "ar", "sw"]).from_disk(tmp_path)
    assert sorted(read.tables) == ["en", "es"]  # Arabic has no table
    for word in ["officers", "policías", "papeles", "asking"]:
        assert read.tables["en"].get(word) == built.tables["en"].get(word)
        assert read.tables["es"].get(word) == built.tables["es"].get(word)
    assert read.tables["es"].get("policías") == "policía"
    assert read.stop_words == built.stop_words and read.stop_words["es"] and read.stop_words["ar"]
    assert read.stop_words["sw"] == frozenset()  # spaCy has no Swahili: an empty file
    for code in ["en", "es", "ar"]:  # sorted: the same words give the same bytes, whatever the hash seed
        lines = (tmp_path / f"{code}_stop_words.txt").read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines)


def test_the_tables_are_written_the_same_each_time(tmp_path):
    """The build's content hash is the model's fingerprint: the same tables
    must give the same files, or every build would retrain."""
    table = LemmaTable.of(load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup"))
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        table.save(tmp_path / folder, "en")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == sorted(p.name for p in (tmp_path / "two").iterdir())
    for path in (tmp_path / "one").iterdir():
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()


def test_a_pipeline_built_without_stop_words_is_refused_not_read_without_a_language(tmp_path):
    built = BilingualLookupLemmatizer("lemmatizer", ["en", "es"])
    built.initialize()
    built.to_disk(tmp_path)
    (tmp_path / "es_stop_words.txt").unlink()
    with pytest.raises(ValueError, match=r"no stop words for \['es'\].*rebuild"):
        BilingualLookupLemmatizer("lemmatizer", ["en", "es"]).from_disk(tmp_path)


def test_a_pipeline_built_with_spacys_own_tables_is_refused_not_read_without_lemmas(tmp_path):
    (tmp_path / "lookups.bin").write_bytes(b"\x80")
    with pytest.raises(ValueError, match="rebuild"):
        BilingualLookupLemmatizer("lemmatizer", ["en", "es"]).from_disk(tmp_path)
