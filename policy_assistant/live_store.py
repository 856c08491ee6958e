"""Keep serving the last good answer store and pick up staff edits without a
restart: every read compares the files' size and modification time, reloads when
they changed, and refuses (and logs) an edit that does not validate. A new store
replaces the last good one only once it loads and every answer of it renders
(policy_assistant.render_check)."""

from __future__ import annotations

import functools
import logging
import threading
import time
from pathlib import Path
from typing import Tuple

from policy_assistant.render_check import load_rendered_store
from policy_assistant.settings import AnswerSettings
from policy_assistant.store import Store, StoreError, store_files

logger = logging.getLogger(__name__)

Signature = Tuple[Tuple[str, int, int], ...]


def signature(root: Path) -> Signature:
    result = []
    try:
        files = store_files(root)
    except OSError:  # a folder went away while it was listed: changing now, read it again
        return (("(changing)", time.monotonic_ns(), 0),)
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        result.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(result)


class LiveStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._loaded: Signature | None = None  # signature of the files last tried
        self.last_error: StoreError | None = None

    def get(self) -> Store:
        """The current store; raises StoreError only if no good store was ever loaded."""
        current = signature(self.root)
        # before the first load is done, wait for it (another thread may be loading)
        if current != self._loaded or self._store is None:
            with self._lock:
                if current != self._loaded:
                    self._reload(current)
        if self._store is None:
            raise self.last_error or StoreError(["the answer store was never loaded"])
        return self._store

    def loaded(self) -> Store | None:
        """The store last loaded, without looking for edits (None before the
        first load): for a frequent caller that needs only what rarely
        changes, such as the topic ids, and must not set off a reload."""
        return self._store

    def _reload(self, current: Signature) -> None:
        self._loaded = current
        try:
            store = load_rendered_store(self.root)
        except OSError as error:
            # a file went away while it was read: git replaces files one by one
            # while a publish, an undo or a replica's sync lands. Keep serving
            # the last good version and read the files again next time.
            self._loaded = None
            logger.warning("The answer store changed while it was read (%s); trying again", type(error).__name__)
            if self._store is None:
                self.last_error = StoreError([f"the answer store could not be read: {type(error).__name__}"])
            return
        except StoreError as error:
            self.last_error = error
            if self._store is None:
                logger.error("Answer store at %s cannot be loaded: %s", self.root, error)
            else:
                logger.error("Refused an edit to the answer store; still serving the last good version: %s", error)
            return
        first = self._store is None
        self._store, self.last_error = store, None
        logger.info(
            "%s the answer store: %d topics, %d quotes, %d updates",
            "Loaded" if first else "Reloaded",
            len(store.topics),
            len(store.quotes),
            len(store.updates),
        )
        for warning in store.missing_translations:
            logger.warning("Answer store: %s", warning)


@functools.cache
def shared_store() -> LiveStore:
    """The one LiveStore of this process, on the settings' answer store."""
    return LiveStore(AnswerSettings().answer_store)
