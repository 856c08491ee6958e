"""The texts the Rasa server says by itself, without the action server and
without the answer store: its own messages (unavailable, busy, unreadable,
too long, the greeting after /restart, the replies to STOP), the phone's
privacy lines, each language's reply words and the words that tell languages
apart, and the web page's strings.json.

They are one JSON file (SERVER_TEXTS, policy_assistant.settings), written from
the answer store by policy_assistant.write_server_texts whenever the live
answers are prepared or published. The Rasa server reads the file, and reads
it again once it changed (its modification time, size or inode); when it
cannot be read, `read` gives None and the server says its built-in English
lines (rasa_server/fallback_messages.py). Plain Python, no Rasa."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Dict, FrozenSet, Tuple

from pydantic import BaseModel

from policy_assistant.reply_words import Keywords
from policy_assistant.schema import DEFAULT_LANGUAGE
from policy_assistant.settings import ServerTextSettings

logger = logging.getLogger(__name__)

# the messages of each language the Rasa server may say itself
SERVER_MESSAGES = (
    "unavailable",
    "busy",
    "unreadable",
    "too_long",
    "greet",
    "stopped",
    "nothing_to_forget",
    "goodbye",
    "phone_privacy_sms",
    "phone_privacy_whatsapp",
)


class LanguageTexts(BaseModel):
    """One language's part of the file; it also serves policy_assistant.language,
    as the answer store's languages do."""

    code: str
    name: str
    messages: Dict[str, str]  # SERVER_MESSAGES, the default language's where this one has none
    keywords: Dict[str, Tuple[str, ...]]  # reply words by kind (more, sources, stop), in capitals
    detection_words: FrozenSet[str]
    switch_words: FrozenSet[str]
    greeting_words: FrozenSet[str] = frozenset()
    script: str | None = None  # a non-Latin language's script (schema.Detection.script)
    switch_cues: FrozenSet[str] = frozenset()
    into_words: FrozenSet[str] = frozenset()
    negation_words: FrozenSet[str] = frozenset()
    negation_after_words: FrozenSet[str] = frozenset()
    language_names: Dict[str, FrozenSet[str]] = {}

    class Config:
        frozen = True


class ServerTexts(BaseModel):
    languages: Dict[str, LanguageTexts]
    page: Dict[str, Any]  # the web page's strings.json (policy_assistant.answers.page_strings)

    class Config:
        frozen = True

    def message(self, key: str, lang: str | None) -> str | None:
        """Message `key` in `lang`, else in the default language, else None."""
        for code in (lang, DEFAULT_LANGUAGE):
            language = self.languages.get(code or DEFAULT_LANGUAGE)
            if language is not None and language.messages.get(key):
                return language.messages[key]
        return None

    def every_language(self, key: str) -> list[str]:
        """Message `key` in every language, each different text once."""
        return list(dict.fromkeys(t for t in (self.message(key, code) for code in self.languages) if t))

    @property
    def keywords(self) -> Keywords:
        return {code: language.keywords for code, language in self.languages.items()}


def path() -> Path:
    return ServerTextSettings().server_texts


def read(where: Path | None = None) -> ServerTexts | None:
    """The texts in the file at `where` (default: SERVER_TEXTS), or None when
    it cannot be read. Parsed once per version of the file."""
    file = where or path()
    try:
        st = file.stat()
    except OSError as error:
        _cannot_read(str(file), type(error).__name__)
        return None
    return _parsed(str(file), st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=8)
def _parsed(file: str, mtime_ns: int, size: int, inode: int) -> ServerTexts | None:
    try:
        return ServerTexts.parse_file(file)
    except (OSError, ValueError) as error:  # not there any more, not JSON, not UTF-8, not the format
        _cannot_read(file, type(error).__name__)
        return None


@functools.lru_cache(maxsize=8)
def _cannot_read(file: str, why: str) -> None:
    """Logged once per file and kind of failure, not at every message."""
    logger.error("The Rasa server's texts cannot be read from %s (%s): it says its built-in English lines", file, why)
