"""Every quote in the store stands character for character in the source
article. The article lives in ../shared/source, beside the repository; on a
user's machine it is absent and this test says so."""

import pytest

from devtools.paths import ARTICLE, STORE
from policy_assistant.store import load_store


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"source article not found at {ARTICLE} (outside the repository)")
def test_every_quote_is_verbatim_in_the_article():
    article = ARTICLE.read_text(encoding="utf-8")
    store = load_store(STORE)
    assert len(store.quotes) >= 20
    missing = [q.id for q in store.quotes.values() if q.text not in article]
    assert not missing, f"not verbatim in the article: {missing}"


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"source article not found at {ARTICLE} (outside the repository)")
def test_every_quoted_passage_of_the_article_is_in_the_store():
    """The article's quoted passages (between curly double quotes) each appear in
    some quote of the store: no official statement was left out."""
    import re

    article = ARTICLE.read_text(encoding="utf-8")
    store_text = "\n".join(q.text for q in load_store(STORE).quotes.values())
    passages = [p.strip(" ,") for p in re.findall(r"“([^”]+)”", article)]
    left_out = [p for p in passages if p not in store_text]
    assert not left_out, left_out


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"source article not found at {ARTICLE} (outside the repository)")
def test_the_store_keeps_the_article_unchanged():
    """The store's copy of the article (which the loader checks every quote
    against) is the article itself."""
    from policy_assistant.store import source_text_path

    kept = source_text_path(STORE, "insider_louisville_rotary").read_text(encoding="utf-8")
    assert kept == ARTICLE.read_text(encoding="utf-8")
