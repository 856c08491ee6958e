"""Write the Rasa server's own texts (policy_assistant.server_texts) from the
answer store, so that the Rasa server never loads the store itself. Called by
the staff console when it prepares the live answers and after every publish
(staff_console/content_repo.py), by a replica's sync when asked to
(staff_console/replica_sync.py), and by the tests' servers
(devtools/servers.py). By hand:

    python -m policy_assistant.write_server_texts [STORE] [--to FILE]

(default: $ANSWER_STORE into $SERVER_TEXTS). The file is replaced whole, so
a reader never sees half of it."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from policy_assistant.answers import message, page_strings
from policy_assistant.server_texts import SERVER_MESSAGES, LanguageTexts, ServerTexts, path
from policy_assistant.settings import AnswerSettings
from policy_assistant.store import Store, StoreError, load_store


def server_texts(store: Store) -> ServerTexts:
    """What the Rasa server needs of `store`: each language's SERVER_MESSAGES
    (the default language's where it has none), reply words and detection
    words, and the web page's strings."""
    languages = {}
    for code, language in store.languages.items():
        messages = {key: message(store, key, code) for key in SERVER_MESSAGES}
        languages[code] = LanguageTexts(
            code=code,
            name=language.name,
            messages={key: text for key, text in messages.items() if text},
            keywords=language.keywords,
            detection_words=language.detection_words,
            switch_words=language.switch_words,
            greeting_words=language.greeting_words,
            script=language.script,
            switch_cues=language.switch_cues,
            into_words=language.into_words,
            negation_words=language.negation_words,
            negation_after_words=language.negation_after_words,
            language_names=language.language_names,
        )
    return ServerTexts(languages=languages, page=page_strings(store))


def write(store: Store, to: Path) -> Path:
    """`store`'s server texts into the file `to`, replaced at once (readable by all: nothing in it is secret)."""
    to.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{to.name}.", dir=to.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(server_texts(store).json(ensure_ascii=False, indent=1))
        os.chmod(temporary, 0o644)
        os.replace(temporary, to)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return to


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", nargs="?", type=Path, help="the answer store (default: $ANSWER_STORE)")
    parser.add_argument("--to", type=Path, help="the file to write (default: $SERVER_TEXTS)")
    args = parser.parse_args(argv)
    store_dir = args.store or AnswerSettings().answer_store
    try:
        written = write(load_store(store_dir), args.to or path())
    except StoreError as error:
        print(f"The answer store at {store_dir} cannot be loaded; no server texts written:\n{error}", file=sys.stderr)
        return 1
    print(f"Wrote the Rasa server's texts from {store_dir} to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
