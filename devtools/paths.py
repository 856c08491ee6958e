"""Where the project's files are, for tests and developer tools."""

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
STORE = PROJECT / "answer_store"
MODEL = PROJECT / "models" / "policy-assistant.tar.gz"
BUILT_SPACY = PROJECT / "build" / "spacy_pipeline"
# The source material lives outside the repository (../shared/source).
ARTICLE = PROJECT.parent / "shared" / "source" / "rotary-club-article.txt"
BIN = Path(sys.executable).parent
